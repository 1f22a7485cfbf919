// Tests that drive the built CLI the way the sections do (node --test bench/; needs `npm run build`): a real
// simulated run measured against its bound, the CPU runner, and the module tracer. Virtual time is
// deterministic; nothing here asserts a real duration.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { benchFixture } from '../lib/fixtures.mjs';
import { parseJsonOutput, runChecked } from '../lib/process.mjs';
import { measureModel, simulateRun, describeOverhead } from './20-coordinator-overhead.mjs';

const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const root = resolve(benchDir, '..');
const ctx = { root, benchDir, distDir: join(root, 'dist'), cliPath: join(root, 'bin', 'cauctl.js'), nodePath: process.execPath, tmpDir: '' };

before(() => {
  assert.ok(existsSync(join(ctx.distDir, 'cli', 'app.js')), 'dist/ is missing: run `npm run build` first');
  ctx.tmpDir = mkdtempSync(join(tmpdir(), 'cauctl-bench-sections-test-'));
});
after(() => rmSync(ctx.tmpDir, { recursive: true, force: true }));

test('a 2-node bench run: succeeds, never beats the lower bound, beats the naive sequence, and the breakdown adds up', () => {
  const measured = measureModel(benchFixture(2), simulateRun(ctx, join(benchDir, 'fixtures', 'bench-02.json')));
  assert.equal(measured.status, 'Succeeded');
  assert.equal(measured.exitCode, 0);
  assert.deepEqual(measured.violations, []);
  assert.equal(measured.maxNodesOutOfService, 1);
  assert.ok(measured.virtualSeconds >= measured.lowerBoundSeconds, `${measured.virtualSeconds} < bound ${measured.lowerBoundSeconds}: the bound is wrong`);
  assert.ok(measured.ratioToNaive < 1);
  assert.ok(Math.abs(measured.breakdown.unexplainedSeconds) < 0.01, JSON.stringify(measured.breakdown));
  assert.equal(measured.breakdown.nodes.length, 2);
  assert.equal(typeof describeOverhead(measured.breakdown), 'string');
});

test('the CPU runner reports CPU, peak RSS, the run result and, when asked, fs call counts', () => {
  const stateDir = mkdtempSync(join(ctx.tmpDir, 'state-'));
  const runner = join(benchDir, 'lib', 'cpu-runner.mjs');
  const fixture = join(benchDir, 'fixtures', 'bench-02.json');
  const report = parseJsonOutput(runChecked([process.execPath, runner, '--count-fs', ctx.distDir, stateDir, '--', 'run', '--simulate', fixture, '--force', '--json', '--sim-reset']), 'cpu-runner');
  assert.equal(report.exitCode, 0, report.stderr);
  assert.equal(report.result.status, 'Succeeded');
  assert.equal(report.result.nodeResults.length, 2);
  assert.ok(report.cpu.processUserMs > 0 && report.cpu.commandUserMs > 0);
  assert.ok(report.maxRssBytes > 1024 * 1024);
  assert.ok(report.fs.renameSync.calls > 0, 'the model is saved by atomic replace');
  assert.ok(report.fs.fsyncSync.calls > 0, 'the journal is fsynced');
  const usage = runChecked([process.execPath, runner], { okCodes: [2] });
  assert.match(usage.stderr, /usage: node cpu-runner.mjs/);
});

test('the module tracer sees what --version loads and that scan loads more', async () => {
  const coldStart = await import('./10-cold-start.mjs');
  const stateDir = mkdtempSync(join(ctx.tmpDir, 'state-'));
  const result = await coldStart.run({ ...ctx, runs: 1, warmup: 0, tmpDir: stateDir });
  const { modules } = result.data;
  assert.equal(modules.error, undefined);
  assert.ok(modules.version.projectModules.includes('dist/cli/main.js'), JSON.stringify(modules.version));
  assert.ok(modules.scan.moduleCount > modules.version.moduleCount);
  assert.deepEqual(result.data.samplesMs.bare.length, 1);
  assert.ok(result.figures.some((f) => f.id === 'version.ratio.median' && f.goal.value === 1.5));
});
