// Recordings as fixtures (issue 17, docs/recordings.md): each case under test/recorded/ is a command recorded on
// the simulator with --record; replayed with --transport replay, it must print what it printed then. A change
// that alters what one of these commands sends or prints fails here: if it is meant, record the case again
// (npm run build && node test/recorded/record.mjs <case>) and say so in the commit.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readRecording, RECORDING_SCHEMA_VERSION } from '../../src/transport/replay/format.js';
import { ROOT, hasBuild, sandbox } from '../support/cli.js';
// @ts-expect-error -- a plain .mjs list shared with record.mjs
import { CASES } from './cases.mjs';

const describeIf = hasBuild() ? describe : describe.skip;
const cases = (CASES as Array<{ name: string }>).map((c) => c.name);

const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g;
const timeless = (value: unknown): unknown => JSON.parse(JSON.stringify(value).replace(ISO_TIME, '<time>')) as unknown;

describeIf('recorded cases replay as they were recorded', () => {
  it.each(cases)('%s', (name) => {
    const dir = join(ROOT, 'test', 'recorded', name);
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { replay: string[]; exitCode: number; stdout: unknown };
    const recording = readRecording(join(dir, 'recording'));
    expect(recording.manifest.schemaVersion).toBe(RECORDING_SCHEMA_VERSION);
    const box = sandbox();
    try {
      const r = box.run([...expected.replay, '--transport', 'replay', '--replay', join(dir, 'recording')]);
      expect({ exitCode: r.code, stdout: timeless(JSON.parse(r.stdout)) }).toEqual({ exitCode: expected.exitCode, stdout: timeless(expected.stdout) });
    } finally {
      box.cleanup();
    }
  });
});
