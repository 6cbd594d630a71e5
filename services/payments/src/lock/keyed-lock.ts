/** Runs `fn` after every earlier call with the same key has finished (one at a time per key). */
export type KeyedLock = <T>(key: string, fn: () => Promise<T>) => Promise<T>;

/**
 * Serializes work per key inside this process: requests for the same Idempotency-Key or the same
 * payment wait here, in memory, instead of each holding a database connection while they wait on a
 * row lock. Only a courtesy to the pool: correctness across instances comes from PostgreSQL (the
 * key's primary key, the payment's row lock).
 */
export function createKeyedLock(): KeyedLock {
  const tails = new Map<string, Promise<unknown>>();
  return async (key, fn) => {
    const previous = tails.get(key) ?? Promise.resolve();
    const run = previous.then(fn);
    const tail = run.catch(() => {});
    tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}
