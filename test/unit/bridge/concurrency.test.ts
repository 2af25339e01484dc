import { mapConcurrent } from '../../../bridge/core/concurrency';

describe('mapConcurrent', () => {
  it('GIVEN 25 slow tasks and a limit of 4 WHEN mapped THEN never more than 4 run at once and results keep their order', async () => {
    let running = 0;
    let peak = 0;
    const releases: (() => void)[] = [];
    const done = mapConcurrent(Array.from({ length: 25 }, (_, i) => i), 4, async (item) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise<void>((resolve) => releases.push(resolve));
      running -= 1;
      return item * 2;
    });
    // Release the tasks one at a time, in reverse order of arrival, until all finished.
    while (releases.length > 0 || running > 0) {
      await new Promise((resolve) => setImmediate(resolve));
      releases.pop()?.();
    }
    expect(await done).toEqual(Array.from({ length: 25 }, (_, i) => i * 2));
    expect(peak).toBe(4);
  });

  it('GIVEN no items WHEN mapped THEN an empty result; GIVEN a limit below 1 THEN a RangeError', async () => {
    expect(await mapConcurrent([], 3, async () => 1)).toEqual([]);
    await expect(mapConcurrent([1], 0, async () => 1)).rejects.toThrow(RangeError);
  });
});
