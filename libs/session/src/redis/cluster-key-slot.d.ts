// Test-only typings: cluster-key-slot (a CommonJS package the unit specs use to check Redis
// Cluster hash slots) ships no declarations. Its `module.exports` is the slot function, which
// is what a default import of a CommonJS module yields in Node and in Vitest.
declare module 'cluster-key-slot' {
  /** The Redis Cluster hash slot (0..16383) of a key, honouring `{hash tags}`. */
  function calculateSlot(key: string | Buffer): number;
  namespace calculateSlot {
    /** The common slot of all keys, or -1 when they do not share one. */
    function generateMulti(keys: ReadonlyArray<string | Buffer>): number;
  }
  export default calculateSlot;
}
