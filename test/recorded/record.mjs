// Makes (or makes again) the recordings of test/recorded/ from the simulator: each case runs the built CLI with
// --record into test/recorded/<case>/recording/ and keeps what it printed in expected.json. Run it after a
// change that alters what a recorded command sends or prints, on purpose:
//   npm run build && node test/recorded/record.mjs [case ...]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import process from 'node:process';
import { URL } from 'node:url';
import { CASES } from './cases.mjs';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const wanted = process.argv.slice(2);
for (const c of CASES.filter((k) => wanted.length === 0 || wanted.includes(k.name))) {
  const dir = join(ROOT, 'test', 'recorded', c.name);
  rmSync(dir, { recursive: true, force: true });
  const state = mkdtempSync(join(tmpdir(), 'cauctl-recorded-'));
  try {
    const cauctl = (args, stateDir) =>
      spawnSync(process.execPath, [join(ROOT, 'bin', 'cauctl.js'), ...args], {
        cwd: ROOT,
        env: { ...process.env, CAUCTL_STATE_DIR: stateDir, NO_COLOR: '1', CAUCTL_PASSWORD: '' },
        encoding: 'utf8',
      });
    const recorded = cauctl([...c.record, '--record', join(dir, 'recording')], join(state, 'record'));
    // What the replay prints is the golden: the same as the recorded command's, but where the command itself
    // tells a rehearsal from a cluster (snapshot takes a model's timings from the model, a cluster's from history).
    const replayed = cauctl([...c.replay, '--transport', 'replay', '--replay', join(dir, 'recording')], join(state, 'replay'));
    writeFileSync(join(dir, 'expected.json'), `${JSON.stringify({ replay: c.replay, exitCode: replayed.status, stdout: JSON.parse(replayed.stdout) }, null, 2)}\n`);
    process.stdout.write(`${c.name}: recorded exit ${recorded.status}, replayed exit ${replayed.status}\n`);
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}
