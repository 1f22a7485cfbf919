/**
 * Filesystem helpers: durable appends, atomic replacement and the user's state directory.
 * The only module besides `platform/env.ts` that touches node:fs for project state.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { homedir } from 'node:os';

/** Appends one line and fsyncs it, so the line survives a crash right after this returns. */
export function appendLineDurable(path: string, line: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'a');
  try {
    writeSync(fd, line.endsWith('\n') ? line : `${line}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Replaces a file atomically (write a temporary file, optionally fsync, rename). */
export function writeFileAtomic(path: string, content: string, options: { durable?: boolean } = {}): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, content);
    if (options.durable) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export function readTextIfExists(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  return readFileSync(path, 'utf8');
}

/**
 * The per-user state directory: `$CAUCTL_STATE_DIR`, else `$XDG_STATE_HOME/cauctl`, else
 * `%LOCALAPPDATA%\cauctl` on Windows, else `~/.local/state/cauctl`.
 */
export function resolveStateDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  if (env.CAUCTL_STATE_DIR) return env.CAUCTL_STATE_DIR;
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, 'cauctl');
  if (platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'cauctl');
  return join(homedir(), '.local', 'state', 'cauctl');
}
