import type { Clock } from '../platform/clock.js';
import { VirtualClock } from './virtual-clock.js';

/** A base clock moved by hand, so finite speeds are tested without real waiting. */
function manualBase(): Clock & { advance(ms: number): void; waits: number[] } {
  let now = 1_000;
  const pending: { at: number; resolve: () => void }[] = [];
  const waits: number[] = [];
  return {
    waits,
    now: () => now,
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        waits.push(ms);
        pending.push({ at: now + ms, resolve });
      }),
    advance(ms: number) {
      now += ms;
      for (const p of pending.filter((x) => x.at <= now)) {
        pending.splice(pending.indexOf(p), 1);
        p.resolve();
      }
    },
  };
}

const T0 = Date.UTC(2024, 0, 1);

describe('VirtualClock at a finite speed', () => {
  it('runs speed times faster than its base and scales sleeps down', async () => {
    const base = manualBase();
    const clock = new VirtualClock({ startMs: T0, speed: 60, base });
    expect(clock.now()).toBe(T0);
    base.advance(1_000);
    expect(clock.now()).toBe(T0 + 60_000);
    const slept = clock.sleep(120_000);
    expect(base.waits).toEqual([2_000]);
    base.advance(2_000);
    await slept;
    expect(clock.now()).toBe(T0 + 180_000);
  });

  it('rejects a non-positive speed', () => {
    expect(() => new VirtualClock({ startMs: T0, speed: 0, base: manualBase() })).toThrow(RangeError);
  });
});

describe('VirtualClock at max speed', () => {
  const clock = (): VirtualClock => new VirtualClock({ startMs: T0, speed: 'max', base: manualBase() });

  it('jumps straight to the wake-up', async () => {
    const c = clock();
    await c.sleep(3_600_000);
    expect(c.now()).toBe(T0 + 3_600_000);
  });

  it('advances once for many concurrent sleepers of the same length', async () => {
    const c = clock();
    const woke: number[] = [];
    await Promise.all(Array.from({ length: 16 }, () => c.sleep(30_000).then(() => woke.push(c.now()))));
    expect(c.now()).toBe(T0 + 30_000);
    expect(woke).toEqual(Array(16).fill(T0 + 30_000));
  });

  it('wakes sleepers in time order and lets follow-up work run before the next jump', async () => {
    const c = clock();
    const order: string[] = [];
    const a = (async () => {
      await c.sleep(10_000);
      order.push(`a@${c.now() - T0}`);
      await c.sleep(10_000);
      order.push(`a2@${c.now() - T0}`);
    })();
    const b = c.sleep(15_000).then(() => order.push(`b@${c.now() - T0}`));
    await Promise.all([a, b]);
    expect(order).toEqual(['a@10000', 'b@15000', 'a2@20000']);
  });

  it('lets pending promise work register its sleep before time jumps', async () => {
    const c = clock();
    const order: string[] = [];
    const late = Promise.resolve()
      .then(() => undefined)
      .then(() => c.sleep(1_000))
      .then(() => order.push('short'));
    const long = c.sleep(5_000).then(() => order.push('long'));
    await Promise.all([late, long]);
    expect(order).toEqual(['short', 'long']);
  });

  it('honours abort signals, before and during the sleep, without moving time', async () => {
    const c = clock();
    const aborted = new AbortController();
    aborted.abort(new Error('already'));
    await expect(c.sleep(1_000, aborted.signal)).rejects.toThrow('already');

    const ctl = new AbortController();
    const p = c.sleep(60_000, ctl.signal);
    ctl.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    expect(c.pendingSleepers).toBe(0);
    await c.sleep(1);
    expect(c.now()).toBe(T0 + 1);
  });

  it('fires a timer at its virtual time, in order with the sleeps, and never once cancelled', async () => {
    const c = clock();
    const order: string[] = [];
    c.timer(20_000, () => order.push(`deadline@${c.now() - T0}`));
    const cancel = c.timer(5_000, () => order.push('cancelled timer fired'));
    const sleeper = c.sleep(20_000).then(() => order.push(`sleep@${c.now() - T0}`));
    cancel();
    expect(c.pendingSleepers).toBe(2);
    await sleeper;
    expect(order).toEqual(['deadline@20000', 'sleep@20000']);
    expect(c.pendingSleepers).toBe(0);
  });

  it('ends a cancellable sleep with the reason given to its cancel, without moving time; wakes it in order with the sleeps otherwise', async () => {
    const c = clock();
    const cut = c.cancellableSleep(60_000);
    cut.cancel(new Error('deadline'));
    await expect(cut.promise).rejects.toThrow('deadline');
    expect(c.pendingSleepers).toBe(0);
    const order: string[] = [];
    const plain = c.sleep(10_000).then(() => order.push(`sleep@${c.now() - T0}`));
    const kept = c.cancellableSleep(10_000);
    const woken = kept.promise.then(() => order.push(`cancellable@${c.now() - T0}`));
    await Promise.all([plain, woken]);
    kept.cancel(new Error('too late: a no-op'));
    expect(order).toEqual(['sleep@10000', 'cancellable@10000']);
    expect(c.pendingSleepers).toBe(0);
  });

  it('lets a cancelled timer pull time nowhere', async () => {
    const c = clock();
    c.timer(3_600_000, () => undefined)();
    await c.sleep(1_000);
    expect(c.now()).toBe(T0 + 1_000);
  });
});

describe('VirtualClock timer at a finite speed', () => {
  it('waits on its base clock, scaled, and a cancel stops it', async () => {
    const base = manualBase();
    const c = new VirtualClock({ startMs: T0, speed: 60, base });
    let fired = 0;
    c.timer(120_000, () => (fired += 1));
    const cancel = c.timer(60_000, () => (fired += 10));
    expect(base.waits).toEqual([2_000, 1_000]);
    cancel();
    base.advance(2_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fired).toBe(1);
  });
});
