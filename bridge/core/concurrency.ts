/**
 * A bounded parallel map. Hand-written (a dozen lines) because p-limit, the usual library, is
 * ESM-only since v4 and this package is CommonJS.
 */

/** Default number of targets in flight at once (Flux/Terraform use 4–10; ShoreGuard rate-limits writes). */
export const DEFAULT_CONCURRENCY = 8;

/**
 * Calls `task` for every item with at most `limit` calls running at once; results keep the order
 * of `items`. A task that throws rejects the whole map (tasks here turn failures into reports).
 */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency must be a positive integer, got ${limit}`);
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T, index);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
