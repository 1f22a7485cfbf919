/**
 * The simulator's virtual clock. At a finite speed, virtual time runs `speed` times faster than an injected
 * base clock. At `max` it is a discrete-event scheduler: sleepers register wake-ups, and when the event loop
 * has nothing else to do, time jumps to the earliest one. Depends on platform/clock and Node timers only.
 */
import { abortReason, type Clock } from '../platform/clock.js';

export type SimSpeed = number | 'max';

export interface VirtualClockOptions {
  /** Virtual time at creation, in ms since the Unix epoch. */
  startMs: number;
  /** Virtual seconds per real second, or `max`. */
  speed: SimSpeed;
  /** The real clock a finite speed is derived from (the system clock in production); unused at `max`. */
  base: Clock;
}

interface Sleeper {
  wakeAt: number;
  seq: number;
  /** Called when the sleeper is due (a sleep's promise resolution, or a timer's callback queued as a microtask). */
  resolve: () => void;
  reject: (e: Error) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * How many consecutive idle `setImmediate` turns must pass, with no new sleeper registered, before time
 * jumps. One turn already lets every pending promise reaction run; a few more let I/O callbacks that were
 * ready (a loopback socket, a file read) land first, so a sleeper does not overtake work that is in flight.
 */
const IDLE_TURNS_BEFORE_JUMP = 3;

/** The reason a cancellable sleep woken early is aborted with at a finite speed (turned into its end). */
const WOKEN = new Error('woken early');
/** The reason a cancelled timer's sleep is aborted with (never seen: nothing listens for it). */
const TIMER_CANCELLED = new Error('the timer was cancelled');

export class VirtualClock implements Clock {
  readonly speed: SimSpeed;
  private readonly startMs: number;
  private readonly base: Clock | undefined;
  private readonly baseStartMs: number;
  private nowMs: number;
  private readonly sleepers: Sleeper[] = [];
  private seq = 0;
  private idleTurns = 0;
  private lastSeenSeq = 0;
  private tickScheduled = false;

  constructor(options: VirtualClockOptions) {
    if (options.speed !== 'max' && !(Number.isFinite(options.speed) && options.speed > 0)) {
      throw new RangeError(`speed must be a positive number or 'max', got ${String(options.speed)}`);
    }
    this.speed = options.speed;
    this.startMs = options.startMs;
    this.nowMs = options.startMs;
    this.base = options.speed === 'max' ? undefined : options.base;
    this.baseStartMs = this.base?.now() ?? 0;
  }

  now(): number {
    if (this.base === undefined) return this.nowMs;
    return this.startMs + (this.base.now() - this.baseStartMs) * (this.speed as number);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.base !== undefined) return this.base.sleep(Math.max(0, ms) / (this.speed as number), signal);
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const sleeper: Sleeper = {
        wakeAt: this.nowMs + Math.max(0, ms),
        seq: ++this.seq,
        resolve,
        reject,
        signal,
        onAbort: undefined,
      };
      if (signal) {
        sleeper.onAbort = () => {
          this.remove(sleeper);
          reject(abortReason(signal));
        };
        signal.addEventListener('abort', sleeper.onAbort, { once: true });
      }
      this.sleepers.push(sleeper);
      this.schedule();
    });
  }

  /**
   * Calls `fire` once `ms` of virtual time have passed, unless the returned cancel function ran first. The same
   * as `sleep(ms, signal).then(fire)` with an abort as the cancel, in the same order among the sleepers, but
   * with no promise, AbortController or listener (the simulator arms one per operation, as its deadline).
   */
  timer(ms: number, fire: () => void): () => void {
    if (this.base !== undefined) {
      const cancel = new AbortController();
      this.sleep(ms, cancel.signal).then(() => {
        if (!cancel.signal.aborted) fire();
      }, () => undefined);
      return () => cancel.abort(TIMER_CANCELLED);
    }
    const sleeper: Sleeper = { wakeAt: this.nowMs + Math.max(0, ms), seq: ++this.seq, resolve: () => queueMicrotask(fire), reject: () => undefined, signal: undefined, onAbort: undefined };
    this.sleepers.push(sleeper);
    this.schedule();
    return () => this.remove(sleeper);
  }

  /**
   * A sleep that `cancel` ends early, rejecting with the reason given: the same as `sleep(ms, signal)` with
   * the signal aborted by `cancel`, in the same order among the sleepers, but with no AbortController or
   * listener (the simulator's operations wait thousands of times per run). `wake` ends it early as if it
   * were over (at the current time).
   */
  cancellableSleep(ms: number): { promise: Promise<void>; cancel: (reason: Error) => void; wake: () => void } {
    if (this.base !== undefined) {
      const controller = new AbortController();
      const promise = this.sleep(ms, controller.signal).catch((error: unknown) => {
        if (error !== WOKEN) throw error;
      });
      return { promise, cancel: (reason) => controller.abort(reason), wake: () => controller.abort(WOKEN) };
    }
    let sleeper: Sleeper | undefined;
    const promise = new Promise<void>((resolve, reject) => {
      sleeper = { wakeAt: this.nowMs + Math.max(0, ms), seq: ++this.seq, resolve, reject, signal: undefined, onAbort: undefined };
      this.sleepers.push(sleeper);
      this.schedule();
    });
    const registered = sleeper!;
    return {
      promise,
      cancel: (reason) => {
        const i = this.sleepers.indexOf(registered);
        if (i < 0) return; // already woken
        this.sleepers.splice(i, 1);
        registered.reject(reason);
      },
      wake: () => {
        const i = this.sleepers.indexOf(registered);
        if (i < 0) return;
        this.sleepers.splice(i, 1);
        registered.resolve();
      },
    };
  }

  /** Number of registered wake-ups (at `max`); for tests and diagnostics. */
  get pendingSleepers(): number {
    return this.sleepers.length;
  }

  private remove(sleeper: Sleeper): void {
    const i = this.sleepers.indexOf(sleeper);
    if (i >= 0) this.sleepers.splice(i, 1);
  }

  private schedule(): void {
    if (this.tickScheduled) return;
    this.tickScheduled = true;
    setImmediate(() => this.tick());
  }

  private tick(): void {
    this.tickScheduled = false;
    if (this.sleepers.length === 0) return;
    if (this.seq !== this.lastSeenSeq) {
      // Something registered a sleep since the last turn: the loop is not idle yet.
      this.lastSeenSeq = this.seq;
      this.idleTurns = 0;
    }
    this.idleTurns += 1;
    if (this.idleTurns < IDLE_TURNS_BEFORE_JUMP) {
      this.schedule();
      return;
    }
    this.idleTurns = 0;
    // Jump once to the earliest wake-up and wake everyone due then, in registration order, so that 16
    // parallel sleepers of the same length advance time once. The list is in registration order already
    // (sleepers are pushed as their seq grows, and removal keeps the order): one pass splits it.
    let wakeAt = Infinity;
    for (const s of this.sleepers) if (s.wakeAt < wakeAt) wakeAt = s.wakeAt;
    if (wakeAt > this.nowMs) this.nowMs = wakeAt;
    const due: Sleeper[] = [];
    let kept = 0;
    for (const s of this.sleepers) {
      if (s.wakeAt <= this.nowMs) due.push(s);
      else this.sleepers[kept++] = s;
    }
    this.sleepers.length = kept;
    for (const s of due) {
      if (s.signal && s.onAbort) s.signal.removeEventListener('abort', s.onAbort);
      s.resolve();
    }
    if (this.sleepers.length > 0) this.schedule();
  }
}
