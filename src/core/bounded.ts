/**
 * Work over many nodes with a bound on how much runs at once: the scan, the staging, the pre-install and the
 * native CAU check before a drain all go through it. Depends on nothing.
 */

/**
 * Calls `fn` for each item, at most `limit` calls under way at once, and resolves to the results in the items'
 * order. Once a call throws, no further item is started (a run that lost its lock or its journal must not
 * begin work on another node); the calls already under way go on, their results dropped, and the promise
 * rejects with that first error at once.
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  if (!(limit >= 1)) throw new RangeError(`mapBounded: the limit must be 1 or more, not ${limit}`);
  const out = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        out[index] = await fn(items[index]!);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.floor(limit), items.length) }, worker));
  return out;
}
