/** What `after` breaks for a client of `before` (two OpenAPI 3 documents of one service): one line each. */
export function breakingChanges(before: unknown, after: unknown): string[];
