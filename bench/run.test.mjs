// Tests for the bench runner (bench/run.mjs): argument errors, a crashing section, and the JSON it writes.
// Uses throw-away sections in a temporary directory, so it measures nothing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const runner = join(dirname(fileURLToPath(import.meta.url)), 'run.mjs');
const dir = mkdtempSync(join(tmpdir(), 'cauctl-bench-runner-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function bench(args) {
  return spawnSync(process.execPath, [runner, ...args], { encoding: 'utf8' });
}

function sectionsDir(name, files) {
  const path = join(dir, name);
  mkdirSync(path, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(path, file), text);
  return path;
}

const okSection = `
export const id = 'fake-ok';
export const title = 'A section that meets one goal and misses another';
export async function run(ctx) {
  return {
    figures: [
      { id: 'a', label: 'fast thing', value: 1, unit: 'ms', goal: { op: '<', value: 2 }, met: true },
      { id: 'b', label: 'slow thing', value: 3, unit: 'ms', goal: { op: '<', value: 2 }, met: false },
    ],
    data: { runs: ctx.runs, hasTmp: typeof ctx.tmpDir === 'string' },
  };
}`;
const crashSection = `
export const id = 'fake-crash';
export const title = 'A section that crashes';
export async function run() { throw new Error('boom'); }`;

test('bad arguments exit 2 with the usage', () => {
  const result = bench(['--runs', '0']);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /--runs: expected an integer >= 1/);
  assert.match(result.stderr, /usage: node bench\/run.mjs/);
  assert.equal(bench(['--frobnicate']).status, 2);
});

test('an unknown section id exits 2 and lists the known ones', () => {
  const sections = sectionsDir('only', { '10-ok.mjs': okSection });
  const result = bench(['--sections', sections, '--only', 'nope']);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /unknown section\(s\) nope; known: fake-ok/);
});

test('missed goals still exit 0; figures are printed and written to the JSON', () => {
  const out = join(dir, 'ok.json');
  const result = bench(['--sections', sectionsDir('ok', { '10-ok.mjs': okSection }), '--out', out, '--runs', '4']);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /fast thing.*goal < 2 ms: met/);
  assert.match(result.stdout, /slow thing.*goal < 2 ms: MISSED/);
  assert.match(result.stdout, /1 of 2 goals met/);
  const report = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(report.schemaVersion, 1);
  assert.deepEqual(report.sections['fake-ok'].data, { runs: 4, hasTmp: true });
  assert.deepEqual(report.summary, { goals: 2, met: 1, missed: ['slow thing'], crashedSections: 0 });
});

test('a crashing section is reported, the others still run, and the exit code is 1', () => {
  const out = join(dir, 'crash.json');
  const sections = sectionsDir('crash', { '10-crash.mjs': crashSection, '20-ok.mjs': okSection, 'helper.test.mjs': 'throw new Error("not a section")' });
  const result = bench(['--sections', sections, '--out', out]);
  assert.equal(result.status, 1);
  assert.match(result.stdout, /CRASHED: Error: boom/);
  const report = JSON.parse(readFileSync(out, 'utf8'));
  assert.match(report.sections['fake-crash'].error, /boom/);
  assert.equal(report.sections['fake-ok'].figures.length, 2);
  assert.equal(report.summary.crashedSections, 1);
});

test('a section file without the contract is refused by name', () => {
  const result = bench(['--sections', sectionsDir('bad', { '10-bad.mjs': 'export const id = 1;' }), '--out', join(dir, 'bad.json')]);
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /10-bad\.mjs must export id, title and run\(ctx\)/);
});
