/**
 * The mutex shared by the simulated model and its properties: when a crash left it behind, the next process
 * must break it rather than wait. The hung `run --resume` of the crash test was a SIGKILL between creating the
 * owner file and writing the pid into it: an empty owner file held the mutex for ever. The mutex is now a
 * symlink whose target is the pid (made in one call); the folder form is still understood (older state, and
 * where symlinks are not allowed).
 */
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { releaseLock, tryTakeLock } from './properties.js';

/** A pid that certainly belongs to no running process: one of a child that has exited and been reaped. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('tryTakeLock breaks a mutex left by a crash, and only that', () => {
  let dir: string;
  let lock: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cauctl-dirlock-'));
    lock = join(dir, '.model-lock');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Leaves a mutex folder with the given owner file content (undefined: no owner file), `ageSeconds` old. */
  function leftLock(owner: string | undefined, ageSeconds: number): void {
    mkdirSync(lock);
    if (owner !== undefined) writeFileSync(join(lock, 'owner'), owner);
    const at = new Date(Date.now() - ageSeconds * 1000);
    utimesSync(lock, at, at);
  }

  /** Whether a process trying twice (the first try breaks a dead mutex, the second takes it) gets it. */
  function takenWithinTwoTries(): boolean {
    return tryTakeLock(lock) || tryTakeLock(lock);
  }

  it.each([
    ['an empty owner file (killed between creating and writing it), 60 s old', true, '', 60],
    ['an owner file with only whitespace, 60 s old', true, '  \n', 60],
    ['an owner file with garbage, 60 s old', true, 'not-a-pid', 60],
    ['no owner file (killed right after mkdir), 60 s old', true, undefined, 60],
    ['an empty owner file 0 s old (its process may be writing it now)', false, '', 0],
    ['no owner file, 0 s old (its process may be writing it now)', false, undefined, 0],
    ['an owner that is this live process, 60 s old', false, String(process.pid), 60],
  ])('%s: taken = %s', (_what, taken, owner, age) => {
    leftLock(owner, age);
    expect(takenWithinTwoTries()).toBe(taken);
  });

  it('breaks at once a mutex whose owner process has exited, however young', () => {
    leftLock(String(deadPid()), 0);
    expect(takenWithinTwoTries()).toBe(true);
  });

  it('takes a free mutex and then refuses it to the next try; released, it is free again', () => {
    expect(tryTakeLock(lock)).toBe(true);
    expect(readlinkSync(lock)).toBe(String(process.pid));
    expect(tryTakeLock(lock)).toBe(false);
    releaseLock(lock);
    expect(() => lstatSync(lock)).toThrow(/ENOENT/);
    expect(tryTakeLock(lock)).toBe(true);
  });

  it('a symlink mutex: broken at once when its owner has exited, kept while it lives', () => {
    symlinkSync(String(deadPid()), lock);
    expect(takenWithinTwoTries()).toBe(true);
    releaseLock(lock);
    symlinkSync(String(process.pid), lock);
    expect(takenWithinTwoTries()).toBe(false);
  });
});
