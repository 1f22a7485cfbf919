// Child-process runner for the CPU figure: runs one `cauctl` command in this fresh process through runCli with
// fake streams, from what bin/cauctl.js runs a command with (dist/cauctl.js, the build's bundle), then prints,
// as one JSON line, the CPU time (whole process and the command alone), the peak RSS and the command's JSON
// result. With --count-fs, it also counts the synchronous filesystem calls the command
// makes and the time spent in them (the bench's I/O breakdown; kept out of the timed runs).
// Usage: node cpu-runner.mjs [--count-fs] <dist dir> <state dir> -- <cauctl args...>
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import process from 'node:process';

const args = process.argv.slice(2);
const countFs = args[0] === '--count-fs';
const [distDir, stateDir, separator, ...argv] = countFs ? args.slice(1) : args;
if (!distDir || !stateDir || separator !== '--') {
  process.stderr.write('usage: node cpu-runner.mjs [--count-fs] <dist dir> <state dir> -- <cauctl args...>\n');
  process.exit(2);
}

/** Wraps the sync fs calls cauctl's persistence uses; ES named imports of node:fs see the wrappers after sync. */
function instrumentFs() {
  const counts = {};
  const names = ['openSync', 'closeSync', 'writeSync', 'writeFileSync', 'fsyncSync', 'renameSync', 'readFileSync', 'existsSync', 'statSync', 'mkdirSync', 'rmSync', 'rmdirSync', 'unlinkSync', 'readdirSync'];
  for (const name of names) {
    const original = fs[name];
    if (typeof original !== 'function') continue;
    const entry = (counts[name] = { calls: 0, ms: 0 });
    fs[name] = function (...callArgs) {
      const started = process.hrtime.bigint();
      try {
        return original.apply(this, callArgs);
      } finally {
        entry.calls += 1;
        entry.ms += Number(process.hrtime.bigint() - started) / 1e6;
      }
    };
  }
  syncBuiltinESMExports();
  return counts;
}

const fsCounts = countFs ? instrumentFs() : null;

const beforeImport = process.cpuUsage();
const { runCli } = await import(pathToFileURL(join(distDir, 'cauctl.js')).href);
const afterImport = process.cpuUsage();

let stdout = '';
let stderr = '';
const fakeStream = (append) => ({ write: (text) => append(text), isTTY: false, columns: 120 });
const io = {
  stdout: fakeStream((t) => (stdout += t)),
  stderr: fakeStream((t) => (stderr += t)),
  stdinIsTty: false,
  env: { ...process.env, CAUCTL_STATE_DIR: stateDir, NO_COLOR: '1' },
  platform: process.platform,
  promptSecret: () => Promise.reject(new Error('the bench never prompts')),
  promptLine: () => Promise.reject(new Error('the bench never prompts')),
};

const wallStart = process.hrtime.bigint();
const exitCode = await runCli(argv, io);
const wallMs = Number(process.hrtime.bigint() - wallStart) / 1e6;
const command = process.cpuUsage(afterImport);
const total = process.cpuUsage();
let result;
try {
  result = JSON.parse(stdout);
} catch {
  // Not JSON (a usage error, say): the exit code and stderr tell the bench what happened.
  result = null;
}
const report = {
  exitCode,
  cpu: {
    processUserMs: total.user / 1000,
    processSystemMs: total.system / 1000,
    importUserMs: (afterImport.user - beforeImport.user) / 1000,
    importSystemMs: (afterImport.system - beforeImport.system) / 1000,
    commandUserMs: command.user / 1000,
    commandSystemMs: command.system / 1000,
  },
  commandWallMs: wallMs,
  // resourceUsage().maxRSS is in kilobytes.
  maxRssBytes: process.resourceUsage().maxRSS * 1024,
  fs: fsCounts,
  stderr: stderr.slice(-2000),
  result,
};
process.stdout.write(`${JSON.stringify(report)}\n`, () => process.exit(0));
