/**
 * An injected full disk for end-to-end tests (loaded with `node --import`): once a write to a journal or the
 * history contains CAUCTL_TEST_DISK_FULL_AT, that write stores only half its bytes (a short write, as a disk
 * that fills up mid-write gives) and every later write under `runs/` or `history/` fails with ENOSPC. The
 * simulated cluster's own files (`sim/`) are the "remote" cluster and stay writable. Test-only: nothing in
 * src/ knows about it.
 */
import { Buffer } from 'node:buffer';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import process from 'node:process';

const trigger = process.env.CAUCTL_TEST_DISK_FULL_AT;
const paths = new Map();
let full = false;

const onFullVolume = (fd) => /[\\/](runs|history)[\\/]/.test(paths.get(fd) ?? '');
const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });

const openSync = fs.openSync;
fs.openSync = function (path, ...rest) {
  const fd = openSync.call(this, path, ...rest);
  paths.set(fd, String(path));
  return fd;
};
const closeSync = fs.closeSync;
fs.closeSync = function (fd) {
  paths.delete(fd);
  return closeSync.call(this, fd);
};
const writeSync = fs.writeSync;
fs.writeSync = function (fd, data, ...rest) {
  if (!onFullVolume(fd)) return writeSync.call(this, fd, data, ...rest);
  if (full) throw enospc();
  const bytes = typeof data === 'string' ? Buffer.from(data, typeof rest[1] === 'string' ? rest[1] : 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const offset = typeof data === 'string' ? 0 : (rest[0] ?? 0);
  const length = typeof data === 'string' ? bytes.length : (rest[1] ?? bytes.length - offset);
  const position = typeof data === 'string' ? rest[0] : rest[2];
  if (trigger && bytes.subarray(offset, offset + length).toString('utf8').includes(trigger)) {
    full = true;
    return writeSync.call(this, fd, bytes, offset, Math.floor(length / 2), position ?? null);
  }
  return writeSync.call(this, fd, data, ...rest);
};
syncBuiltinESMExports();
