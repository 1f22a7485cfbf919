/**
 * Filesystem helpers: durable appends, atomic replacement and the user's state directory.
 * The only module besides `platform/env.ts` that touches node:fs for project state.
 *
 * "Durable" means what it says: every byte is written (a short write is continued, a write that makes no
 * progress is an error), the file is fsync'd, and so is its directory after a create or a rename, so the new
 * name survives a power cut too. A failure leaves the old content: an append is truncated back, a temporary
 * file is removed and never renamed over the good one. State is private to the user: folders 0700, files 0600.
 */
import {
  chmodSync,
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  linkSync,
  ftruncateSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { AppError, ExitCode } from '../errors.js';

/** Folders of the state directory: the user's only. */
export const PRIVATE_DIR_MODE = 0o700;
/** Journals, history, model state: the user's only. */
export const PRIVATE_FILE_MODE = 0o600;

/** Creates a folder (and its parents) readable by the user only. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/** Writes all of `data` at the file's current position; a write that makes no progress is ENOSPC. */
export function writeAll(fd: number, data: Uint8Array, position?: number): void {
  let offset = 0;
  while (offset < data.length) {
    const written = writeSync(fd, data, offset, data.length - offset, position === undefined ? null : position + offset);
    if (written <= 0) {
      throw Object.assign(new Error(`ENOSPC: no space left on device, write (${data.length - offset} bytes not written)`), { code: 'ENOSPC' });
    }
    offset += written;
  }
}

/** fsyncs a directory, so a create or rename in it is durable. Platforms that cannot (Windows) skip it. */
export function fsyncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch (error) {
    if (process.platform === 'win32') return;
    throw error;
  }
  try {
    fsyncSync(fd);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM' && code !== 'EBADF') throw error;
  } finally {
    closeSync(fd);
  }
}

/**
 * Appends one line and fsyncs it, so the line survives a crash right after this returns. On any failure the
 * file is truncated back to its old length (no torn record is left to count as written) and the error is
 * rethrown. With `fsync: false` the same, without the fsyncs: the line then survives a killed process (the
 * page cache keeps it) but not a power cut.
 */
export function appendLineDurable(path: string, line: string, options: { fsync?: boolean } = {}): void {
  const sync = options.fsync ?? true;
  const created = !existsSync(path);
  if (created) ensurePrivateDir(dirname(path));
  const fd = openSync(path, 'a', PRIVATE_FILE_MODE);
  let before = 0;
  try {
    before = fstatSync(fd).size;
    writeAll(fd, Buffer.from(line.endsWith('\n') ? line : `${line}\n`, 'utf8'));
    if (sync) fsyncSync(fd);
  } catch (error) {
    try {
      ftruncateSync(fd, before);
      if (sync) fsyncSync(fd);
    } catch {
      // The truncation failed too; readers still drop a torn last line, and the next append cuts it first.
    }
    closeSync(fd);
    throw error;
  }
  closeSync(fd);
  if (created && sync) fsyncDir(dirname(path));
}

/**
 * Replaces a file atomically: write a temporary file beside it (every byte; fsync'd when `durable`), then
 * rename it over the target (and fsync the folder when `durable`). A failed write removes the temporary file
 * and leaves the target as it was.
 */
export function writeFileAtomic(path: string, content: string | Uint8Array, options: { durable?: boolean; mode?: number } = {}): void {
  ensurePrivateDir(dirname(path));
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    const fd = openSync(tmp, 'wx', options.mode ?? PRIVATE_FILE_MODE);
    try {
      writeAll(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
      if (options.durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
  if (options.durable) fsyncDir(dirname(path));
}

/**
 * Creates a file only if no file has that name yet, whole or not at all: the content goes to a temporary file
 * (fsync'd when `durable`), which is then hard-linked to the name. Two processes racing to create it: exactly
 * one link succeeds, and the other gets `false` and must read what the winner wrote. Never replaces a file.
 */
export function createFileOnce(path: string, content: string, options: { durable?: boolean } = {}): boolean {
  ensurePrivateDir(dirname(path));
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    const fd = openSync(tmp, 'wx', PRIVATE_FILE_MODE);
    try {
      writeAll(fd, Buffer.from(content, 'utf8'));
      if (options.durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(tmp, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  } finally {
    rmSync(tmp, { force: true });
  }
  if (options.durable) fsyncDir(dirname(path));
  return true;
}

/**
 * Cuts a torn tail off an append-only line file: the bytes after the last complete line when they are not a
 * whole record, or a last line that `isComplete` rejects. A whole record that lost only its newline gets the
 * newline back. Returns how many bytes were cut (0 when the file was sound).
 */
export function repairLineTail(path: string, isComplete: (line: string) => boolean): number {
  const text = readTextIfExists(path);
  if (text === undefined || text === '') return 0;
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  const start = body.lastIndexOf('\n') + 1;
  const last = body.slice(start);
  const fd = openSync(path, 'r+');
  try {
    if (last.trim() !== '' && !isComplete(last)) {
      const keptBytes = Buffer.byteLength(text.slice(0, start), 'utf8');
      ftruncateSync(fd, keptBytes);
      fsyncSync(fd);
      return Buffer.byteLength(text, 'utf8') - keptBytes;
    }
    if (!text.endsWith('\n')) {
      writeAll(fd, Buffer.from('\n'), Buffer.byteLength(text, 'utf8'));
      fsyncSync(fd);
    }
    return 0;
  } finally {
    closeSync(fd);
  }
}

/**
 * A cluster, model or run name as one folder or file name: letters, digits, '.' and '-' stay as they are,
 * every other byte becomes `_XX` (hex), so two different names never share a folder and no name climbs out of
 * its parent ('.' and '..' are refused by the command line, and encoded here all the same).
 */
export function encodePathSegment(name: string): string {
  if (name === '.' || name === '..') return name.replace(/\./g, '_2E');
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9.-]/.test(ch) ? ch : `_${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** What to try, per errno code of a file-system error that is the user's to fix. */
const FS_REMEDIES: Readonly<Record<string, { what: string; hint: string }>> = {
  EACCES: { what: 'permission denied', hint: 'Check its permissions (ls -ld), or choose a path you own (for state: CAUCTL_STATE_DIR).' },
  EPERM: { what: 'operation not permitted', hint: 'Check its permissions and attributes, or choose a path you own (for state: CAUCTL_STATE_DIR).' },
  ENOTDIR: { what: 'a part of the path is a file, not a folder', hint: 'Move that file aside or choose another path (for state: CAUCTL_STATE_DIR).' },
  // mkdir -p over a file on the path (report.zip/inside.zip) fails with EEXIST, not ENOTDIR.
  EEXIST: { what: 'it exists already, or a part of the path is a file where a folder is needed', hint: 'Move that file aside or choose another path.' },
  EISDIR: { what: 'it is a folder, not a file', hint: 'Give the path of a file, for example report.html inside that folder.' },
  ENOSPC: { what: 'no space left on the device', hint: 'Free some space on that disk, or choose a path on another one.' },
  EDQUOT: { what: 'disk quota exceeded', hint: 'Free some space within your quota, or choose a path on another disk.' },
  EFBIG: { what: 'the file grew past the size limit (ulimit -f)', hint: 'Raise the file size limit, or free space.' },
  EROFS: { what: 'the file system is read-only', hint: 'Choose a path on a writable file system (for state: CAUCTL_STATE_DIR).' },
  ENOENT: { what: 'no such file or folder', hint: 'Check the path.' },
  ENAMETOOLONG: { what: 'the name is too long', hint: 'Choose a shorter path.' },
  ELOOP: { what: 'too many symbolic links', hint: 'Check the symbolic links on that path.' },
};

/**
 * A file-system error the user can fix (permissions, a file where a folder should be, a full or read-only
 * disk) as an AppError that names the path and what to try: exit 2, no stack trace. Anything else: undefined.
 */
export function fsUserError(error: unknown, path?: string): AppError | undefined {
  const errno = error as NodeJS.ErrnoException | null;
  const remedy = errno?.code === undefined ? undefined : FS_REMEDIES[errno.code];
  if (remedy === undefined || !(error instanceof Error)) return undefined;
  const where = path ?? errno?.path ?? (errno as { dest?: string } | null)?.dest;
  return new AppError(`FS_${errno!.code!}`, ExitCode.usage, `Cannot use ${where ?? 'a file'}: ${remedy.what}${errno?.syscall ? ` (${errno.syscall})` : ''}.`, {
    cause: error,
    hint: remedy.hint,
    details: { path: where ?? null, errno: errno!.code },
  });
}

/**
 * Checks that the state directory can be written before anything is touched (a run must be able to keep its
 * journal): creates it if needed (0700), then writes and removes a probe file. Throws a user error naming it.
 */
export function assertWritableDir(dir: string): void {
  try {
    ensurePrivateDir(dir);
    const probe = join(dir, `.probe-${process.pid}`);
    writeFileAtomic(probe, 'ok\n');
    rmSync(probe, { force: true });
  } catch (error) {
    const user = fsUserError(error, dir);
    if (user === undefined) throw error;
    throw new AppError('STATE_DIR_UNWRITABLE', ExitCode.usage, `The state directory ${dir} cannot be written (${String(user.details?.errno)}: ${user.message.replace(/^Cannot use [^:]*: /, '').replace(/\.$/, '')}); nothing was touched.`, {
      cause: error,
      hint: `${user.hint ?? ''} A run keeps its journal there; point CAUCTL_STATE_DIR at a writable folder.`.trim(),
    });
  }
}

export function readTextIfExists(path: string): string | undefined {
  // No exists-then-read: another process may remove the file in between (a lock released, a reset).
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
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

/** What cauctl itself keeps at the top of the state directory (plus a `.probe-<pid>` while it checks writing). */
export const STATE_DIR_ENTRIES: readonly string[] = ['history', 'runs', 'sim', 'locks', 'machine-id'];

/**
 * Makes sure the state directory is the user's only (issue 14 §8): journals, history and the simulated models
 * name clusters, nodes and runs. One made by an older cauctl (0755, files 0644), or by hand, may be readable by
 * others. When it is the user's and holds only cauctl's own entries, it is tightened: the group and other bits
 * are removed from it and from everything under it (folders 0700, files 0600), symbolic links left alone.
 * Otherwise it is refused with a message (exit 2): changing the modes of another user's folder, or of files
 * cauctl did not make, is not cauctl's call. A folder that does not exist yet (it is created 0700), is not a
 * folder, or cannot be read is left to the code that uses it. Returns the mode it had when it was tightened.
 */
export function securePrivateStateDir(dir: string, platform: NodeJS.Platform = process.platform): { tightenedFrom: number } | undefined {
  if (platform === 'win32') return undefined;
  let mode: number;
  let uid: number;
  try {
    const stat = statSync(dir);
    if (!stat.isDirectory()) return undefined;
    mode = stat.mode & 0o777;
    uid = stat.uid;
  } catch {
    return undefined;
  }
  if ((mode & 0o077) === 0) return undefined;
  const shown = mode.toString(8);
  const ownUid = process.getuid?.();
  if (ownUid !== undefined && uid !== ownUid) {
    throw new AppError('STATE_DIR_INSECURE', ExitCode.usage, `The state directory ${dir} belongs to another user (uid ${uid}) and others can read it (mode ${shown}); nothing was touched.`, {
      hint: 'Point CAUCTL_STATE_DIR at a folder of your own (cauctl creates it readable by you only).',
      details: { path: dir, mode: shown, uid },
    });
  }
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return undefined;
  }
  const foreign = entries.filter((name) => !STATE_DIR_ENTRIES.includes(name) && !name.startsWith('.probe-'));
  if (foreign.length > 0) {
    const listed = foreign.length > 5 ? `${foreign.slice(0, 5).join(', ')} and ${foreign.length - 5} more` : foreign.join(', ');
    throw new AppError('STATE_DIR_INSECURE', ExitCode.usage, `The state directory ${dir} can be read by other users (mode ${shown}) and holds files cauctl did not make (${listed}); its permissions were left as they are and nothing was touched.`, {
      hint: `If it is cauctl's own folder, make it yours only with: chmod -R go-rwx ${dir}   Otherwise point CAUCTL_STATE_DIR at a folder of cauctl's own.`,
      details: { path: dir, mode: shown, foreign },
    });
  }
  try {
    // The top first: once it is 0700 nobody else can reach anything under it.
    chmodSync(dir, mode & ~0o077);
    for (const name of entries) tightenTree(join(dir, name));
  } catch (error) {
    const user = fsUserError(error);
    throw new AppError('STATE_DIR_INSECURE', ExitCode.usage, `The state directory ${dir} can be read by other users (mode ${shown}), and making it yours only failed: ${user?.message ?? String(error)}`, {
      cause: error,
      hint: `Make it yours only with: chmod -R go-rwx ${dir}   or point CAUCTL_STATE_DIR at a folder of your own.`,
      details: { path: dir, mode: shown },
    });
  }
  return { tightenedFrom: mode };
}

/** Removes the group and other bits from `path` and, for a folder, everything under it; links are not followed. */
function tightenTree(path: string): void {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return;
  if ((stat.mode & 0o077) !== 0) chmodSync(path, stat.mode & 0o777 & ~0o077);
  if (stat.isDirectory()) for (const name of readdirSync(path)) tightenTree(join(path, name));
}
