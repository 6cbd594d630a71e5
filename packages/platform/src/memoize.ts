/**
 * `load` called once, its promise shared by every caller (those that came while it ran included);
 * called again by the next caller after it failed, so a passing failure is not kept forever.
 */
export function memoizeAsync<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () =>
    (value ??= load().catch((error: unknown) => {
      value = undefined;
      throw error;
    }));
}
