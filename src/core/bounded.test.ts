import { mapBounded } from './bounded.js';

/** A call that finishes when the test says so, recording when it started. */
class Gate {
  readonly started: string[] = [];
  private readonly waiting = new Map<string, { resolve: (value: string) => void; reject: (error: Error) => void }>();
  inFlight = 0;
  maxInFlight = 0;

  call = (item: string): Promise<string> => {
    this.started.push(item);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise<string>((resolve, reject) => {
      this.waiting.set(item, { resolve, reject });
    }).finally(() => {
      this.inFlight -= 1;
    });
  };

  isPending(item: string): boolean {
    return this.waiting.has(item);
  }

  finish(item: string, error?: Error): void {
    const waiter = this.waiting.get(item);
    if (waiter === undefined) throw new Error(`${item} was not started`);
    this.waiting.delete(item);
    if (error) waiter.reject(error);
    else waiter.resolve(`${item}!`);
  }
}

/** Lets every settled promise's callbacks run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('mapBounded', () => {
  it('keeps the items order in its results, whatever order the calls end in', async () => {
    const gate = new Gate();
    const result = mapBounded(['a', 'b', 'c'], 3, gate.call);
    await settle();
    gate.finish('c');
    gate.finish('a');
    gate.finish('b');
    await expect(result).resolves.toStrictEqual(['a!', 'b!', 'c!']);
  });

  it.each([
    [1, 1],
    [2, 2],
    [3, 3],
    [10, 5],
  ])('with limit %i, at most %i calls are under way at once, and each item is called once', async (limit, most) => {
    const gate = new Gate();
    const items = ['a', 'b', 'c', 'd', 'e'];
    const result = mapBounded(items, limit, gate.call);
    await settle();
    expect(gate.started).toHaveLength(most);
    while (gate.started.length < items.length || gate.inFlight > 0) {
      const pending = gate.started.filter((item) => gate.isPending(item));
      gate.finish(pending[0]!);
      await settle();
    }
    await expect(result).resolves.toStrictEqual(['a!', 'b!', 'c!', 'd!', 'e!']);
    expect(gate.maxInFlight).toBe(most);
    expect([...gate.started].sort()).toStrictEqual(items);
  });

  it('after a call throws, no further item starts, and it rejects with that error at once', async () => {
    const gate = new Gate();
    const result = mapBounded(['a', 'b', 'c', 'd'], 2, gate.call);
    const outcome = result.then(
      () => 'resolved',
      (error: Error) => error.message,
    );
    await settle();
    expect(gate.started).toStrictEqual(['a', 'b']);
    gate.finish('a', new Error('lock lost'));
    await settle();
    // b is still under way; c and d are never started.
    expect(await outcome).toBe('lock lost');
    gate.finish('b');
    await settle();
    expect(gate.started).toStrictEqual(['a', 'b']);
  });

  it('an empty list makes no call', async () => {
    let calls = 0;
    await expect(mapBounded([], 4, () => Promise.resolve((calls += 1)))).resolves.toStrictEqual([]);
    expect(calls).toBe(0);
  });

  it.each([0, -1, Number.NaN])('a limit of %p is a bug in the caller, not a silent no-op', async (limit) => {
    await expect(mapBounded(['a'], limit, () => Promise.resolve(1))).rejects.toThrow(RangeError);
  });
});
