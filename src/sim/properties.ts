/**
 * Simulated cluster private properties: one small file per property, read fresh on every call and replaced
 * atomically, so a second cauctl process (get-run, stop-run) sees and changes them while a run is live.
 * Compare-and-set holds a short mutex (a symlink made exclusively; real time: it guards against real
 * processes). The same mutex, without the age rule, guards the model's read-modify-write (see index.ts).
 * Depends on platform/fs, platform/clock and node:fs.
 */
import { lstatSync, mkdirSync, readlinkSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AppError, ExitCode } from '../errors.js';
import { systemClock } from '../platform/clock.js';
import { readTextIfExists, writeFileAtomic } from '../platform/fs.js';

/** A mutex older than this was left by a dead process and may be broken (the critical section takes ms). */
const STALE_LOCK_MS = 5_000;
const LOCK_WAIT_MS = 10_000;

/** Symlinks can be made here (Windows allows them only with a privilege; then the lock is a folder). */
let symlinkLocks = true;

/**
 * Makes the lock, or throws EEXIST when it exists. The lock is a symbolic link whose target is the owner's
 * process id: made and removed in one system call each, with no data block to allocate or free. Where
 * symlinks are not allowed it is a folder with an `owner` file (the older form, still understood).
 */
function makeLock(lock: string): void {
  if (symlinkLocks) {
    try {
      symlinkSync(String(process.pid), lock);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EPERM' && code !== 'ENOSYS' && code !== 'ENOTSUP') throw error;
      symlinkLocks = false;
    }
  }
  mkdirSync(lock);
  writeFileSync(join(lock, 'owner'), String(process.pid));
}

/**
 * The owner's process id as the lock records it: a symlink's target, or the folder form's `owner` file;
 * undefined while it records none (an owner file absent, empty or torn: its process was killed between
 * making the folder and writing the pid, or is writing it now).
 */
function ownerPid(lock: string): number | undefined {
  let text: string | undefined;
  try {
    text = readlinkSync(lock);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code !== 'EINVAL' && code !== 'UNKNOWN') throw error;
    text = readTextIfExists(join(lock, 'owner'));
  }
  const pid = text === undefined ? NaN : Number(text.trim());
  return text !== undefined && text.trim() !== '' && Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** The mutex's owner, when it is a process of this machine that no longer exists: a crash left the lock. */
function ownerIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
const LOCK_RETRY_MS = 5;

/** Blocks this thread briefly. The critical section is a file read and a rename, so waits are tiny. */
function pauseRealMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Tries once to take the mutex; breaks it first when its owner process is gone, or (with `staleAfterMs`) when
 * it is older than that. Returns whether this process holds it now.
 */
export function tryTakeLock(lock: string, staleAfterMs?: number): boolean {
  try {
    makeLock(lock);
    return true;
  } catch (e) {
    // The folder holding the lock was removed under us (a concurrent --sim-reset removes the model's folder):
    // not taken; make the folder again and retry.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      mkdirSync(dirname(lock), { recursive: true, mode: 0o700 });
      return false;
    }
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    let age: number;
    try {
      age = systemClock.now() - lstatSync(lock).mtimeMs;
    } catch {
      age = 0;
    }
    // A lock folder whose owner file never got its pid (a crash right after mkdir, or between creating the file
    // and writing it: an empty file) also counts as left behind, after a while. Without this an empty owner file
    // held the mutex for ever, and every later command waited out MODEL_LOCK_WAIT_MS (the crash test's hung
    // --resume). A symlink lock is made with its pid in one call, so it never lacks one.
    const pid = ownerPid(lock);
    const ownerless = pid === undefined && age > STALE_LOCK_MS;
    if ((staleAfterMs !== undefined && age > staleAfterMs) || ownerless || (pid !== undefined && ownerIsGone(pid))) releaseLock(lock);
    return false;
  }
}

export function releaseLock(lock: string): void {
  try {
    unlinkSync(lock);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    // The folder form (EISDIR on Linux, EPERM elsewhere).
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Holds the mutex for a short synchronous body, waiting (blocking) at most `waitMs`. */
export function withLockSync<T>(lock: string, waitMs: number, body: () => T, onTimeout: () => Error, staleAfterMs?: number): T {
  const started = systemClock.now();
  while (!tryTakeLock(lock, staleAfterMs)) {
    if (systemClock.now() - started > waitMs) throw onTimeout();
    pauseRealMs(LOCK_RETRY_MS);
  }
  try {
    return body();
  } finally {
    releaseLock(lock);
  }
}

/** Cluster private properties, as the simulator's operations see them. */
export interface PropertyAccess {
  get(name: string): string | null;
  set(name: string, value: string | null, expected?: string | null): { applied: boolean; current: string | null };
}

/** Properties held in memory only: for an ephemeral model that no other process can see. */
export class MemoryPropertyStore implements PropertyAccess {
  private readonly values = new Map<string, string>();

  get(name: string): string | null {
    return this.values.get(name) ?? null;
  }

  set(name: string, value: string | null, expected?: string | null): { applied: boolean; current: string | null } {
    const current = this.get(name);
    if (expected !== undefined && current !== expected) return { applied: false, current };
    if (value === null) this.values.delete(name);
    else this.values.set(name, value);
    return { applied: true, current: value };
  }
}

export class PropertyStore implements PropertyAccess {
  constructor(private readonly dir: string) {}

  private file(name: string): string {
    return join(this.dir, `${encodeURIComponent(name)}.json`);
  }

  get(name: string): string | null {
    const text = readTextIfExists(this.file(name));
    if (text === undefined) return null;
    const parsed = JSON.parse(text) as { value?: unknown };
    return typeof parsed.value === 'string' ? parsed.value : null;
  }

  /** Sets (or with null removes) a property; with `expected` given, only when the current value equals it. */
  set(name: string, value: string | null, expected?: string | null): { applied: boolean; current: string | null } {
    return this.withLock(() => {
      const current = this.get(name);
      if (expected !== undefined && current !== expected) return { applied: false, current };
      if (value === null) rmSync(this.file(name), { force: true });
      else writeFileAtomic(this.file(name), JSON.stringify({ value }));
      return { applied: true, current: value };
    });
  }

  /** Runs `body` while holding this store's mutex (compare-and-set, and a reset that must not race one). */
  withLock<T>(body: () => T): T {
    const lock = join(this.dir, '.lock');
    mkdirSync(this.dir, { recursive: true });
    return withLockSync(
      lock,
      LOCK_WAIT_MS,
      body,
      () =>
        new AppError('SIM_PROPERTY_LOCK_TIMEOUT', ExitCode.internal, `The simulated cluster's property lock ${lock} stayed busy for ${LOCK_WAIT_MS} ms.`, {
          hint: 'Another cauctl process is holding it; if none is running, delete the folder.',
        }),
      STALE_LOCK_MS,
    );
  }
}
