/**
 * The delay before reconnection attempt `attempt` (1, 2, …): doubling from `baseMs` up to `maxMs`,
 * drawn at random in the upper half of that bound, so that instances that lost the same server
 * at the same moment do not all come back at the same moment.
 */
export function jitteredBackoff(attempt: number, bounds: { baseMs: number; maxMs: number } = DEFAULT_BACKOFF): number {
  const ceiling = Math.min(bounds.maxMs, bounds.baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 20));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/**
 * 100 ms doubling to 1 s: the platform serves again within about a second of PostgreSQL accepting
 * connections, and a server that is down sees at most one attempt per second from each process.
 */
export const DEFAULT_BACKOFF = { baseMs: 100, maxMs: 1_000 } as const;
