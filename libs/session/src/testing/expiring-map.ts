/** A value with a deadline on the wall clock (epoch ms), as a Redis key has a TTL. */
export interface Expiring {
  expiresAt: number;
}

const MIN_SWEEP_SIZE = 1024;

/**
 * A Map whose entries vanish once `Date.now()` is past their `expiresAt`, as Redis keys do past
 * their TTL: reads never see them. `Date.now()` is read on every access, so fake timers move it.
 */
export class ExpiringMap<V extends Expiring> {
  private readonly map = new Map<string, V>();
  private sweepAt = MIN_SWEEP_SIZE;

  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value === undefined || Date.now() <= value.expiresAt) return value;
    this.map.delete(key);
    return undefined;
  }

  /** Stores `value`, unless its deadline has passed already (Redis deletes such a key at once). */
  set(key: string, value: V): void {
    if (Date.now() <= value.expiresAt) this.map.set(key, value);
    else this.map.delete(key);
    this.sweepIfDue();
  }

  /** Removes the key; `true` when it held a live value (as Redis `DEL` answers 1). */
  delete(key: string): boolean {
    const existed = this.get(key) !== undefined;
    this.map.delete(key);
    return existed;
  }

  // Keys nobody reads again would stay forever, where Redis frees them by TTL. Sweeping each
  // time the map has doubled keeps memory bounded at a constant cost per write.
  private sweepIfDue(): void {
    if (this.map.size < this.sweepAt) return;
    for (const key of this.map.keys()) this.get(key);
    this.sweepAt = Math.max(MIN_SWEEP_SIZE, 2 * this.map.size);
  }
}
