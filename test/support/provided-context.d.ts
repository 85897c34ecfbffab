declare module 'vitest' {
  export interface ProvidedContext {
    /** `redis://127.0.0.1:PORT` of the server started by `global-setup.ts`. */
    redisUrl: string;
  }
}

// Makes this file a module, so the block above augments 'vitest' instead of replacing it.
export {};
