// Issue 18: shorter maintenance at the same safety. Side by side in one run, in virtual time: --pre-install
// against the serial run on the 8-node S2D bench model, and --max-concurrent-nodes 4 against serial on a 16-node
// SAN model with memory for 4 away and on a 16-node S2D model in 4 racks with rack awareness. Each mode is also
// set against its own lower bound (lib/mode-bounds.mjs, written out in bench/README.md).
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { CONCURRENCY_FIXTURES } from '../lib/concurrency-fixtures.mjs';
import { fixtureText } from '../lib/fixtures.mjs';
import { figure } from '../lib/figures.mjs';
import { lowerBound } from '../lib/lower-bound.mjs';
import { concurrencyLowerBound, preInstallLowerBound } from '../lib/mode-bounds.mjs';
import { parseJsonOutput, timeCommand } from '../lib/process.mjs';

export const id = 'concurrency';
export const title = 'Pre-install and several nodes at once (virtual time, --sim-speed max)';

export const PRE_INSTALL_GOAL = 0.8;
export const CONCURRENCY_GOAL = 0.35;
export const BOUND_GOAL = 1.02;

function simulate(ctx, fixturePath, args) {
  const stateDir = mkdtempSync(join(ctx.tmpDir, 'state-'));
  const result = timeCommand([ctx.nodePath, ctx.cliPath, 'run', '--simulate', fixturePath, '--force', '--json', '--sim-reset', '--sim-speed', 'max', ...args], {
    env: { ...process.env, CAUCTL_STATE_DIR: stateDir, NO_COLOR: '1' },
  });
  const document = parseJsonOutput(result, `run --simulate ${fixturePath} ${args.join(' ')}`);
  if (!document.simulation) throw new Error(`run ${args.join(' ')} exited ${result.status} without a simulation audit: ${result.stderr.slice(-500)}`);
  const out = document.nodeResults.map((r) => r.nodeSuspendedDurationSeconds).filter((s) => typeof s === 'number');
  return {
    args,
    status: document.status,
    exitCode: result.status,
    virtualSeconds: document.simulation.virtualSeconds,
    maxNodesOutOfService: document.simulation.maxNodesOutOfService,
    violations: document.simulation.violations,
    meanOutOfServiceSeconds: out.length > 0 ? out.reduce((a, b) => a + b, 0) / out.length : 0,
  };
}

const note = (r) => (r.status === 'Succeeded' && r.violations.length === 0 ? `${Math.round(r.virtualSeconds)} s, ${r.maxNodesOutOfService} out at most` : `run ${r.status}, ${r.violations.length} violation(s)`);

function load(ctx, file) {
  const path = join(ctx.benchDir, 'fixtures', file);
  const text = readFileSync(path, 'utf8');
  return { path, fixture: JSON.parse(text), text };
}

export async function run(ctx) {
  const figures = [];
  const data = { goals: { preInstall: PRE_INSTALL_GOAL, concurrency: CONCURRENCY_GOAL, bound: BOUND_GOAL } };

  // Pre-install on the 8-node S2D bench model.
  const eight = load(ctx, 'bench-08.json');
  const serial8 = simulate(ctx, eight.path, []);
  const pre8 = simulate(ctx, eight.path, ['--pre-install']);
  const preBound = preInstallLowerBound(eight.fixture);
  data.preInstall = { model: 'bench/fixtures/bench-08.json', serial: serial8, preInstall: pre8, serialBound: lowerBound(eight.fixture).total, bound: preBound };
  figures.push(figure('preInstall.ratio', '8-node S2D: --pre-install / serial', pre8.virtualSeconds / serial8.virtualSeconds, 'x', { goal: { op: '<=', value: PRE_INSTALL_GOAL }, detail: `${note(pre8)} vs ${note(serial8)}` }));
  figures.push(figure('preInstall.bound', '8-node S2D: --pre-install / its lower bound', pre8.virtualSeconds / preBound.total, 'x', { goal: { op: '<=', value: BOUND_GOAL }, detail: `bound ${preBound.total} s` }));
  figures.push(figure('preInstall.outOfService', '8-node S2D: mean time a node is out of service, --pre-install', pre8.meanOutOfServiceSeconds, 's', { detail: `serial: ${Math.round(serial8.meanOutOfServiceSeconds)} s` }));

  // --max-concurrent-nodes 4 on the SAN and the rack-aware S2D models.
  for (const [key, file, label] of [['san', 'bench-16-san.json', '16-node SAN'], ['racks', 'bench-16-racks.json', '16-node S2D, 4 racks']]) {
    const model = load(ctx, file);
    const stale = model.text !== fixtureText(CONCURRENCY_FIXTURES[file]());
    const serial = simulate(ctx, model.path, []);
    const four = simulate(ctx, model.path, ['--max-concurrent-nodes', '4']);
    const bound = concurrencyLowerBound(model.fixture, 4);
    data[key] = { model: `bench/fixtures/${file}`, fixtureMatchesGenerator: !stale, serial, four, serialBound: lowerBound(model.fixture).total, bound };
    figures.push(figure(`${key}.ratio`, `${label}: --max-concurrent-nodes 4 / serial`, four.virtualSeconds / serial.virtualSeconds, 'x', { goal: { op: '<=', value: CONCURRENCY_GOAL }, detail: `${note(four)} vs ${note(serial)}` }));
    figures.push(figure(`${key}.bound`, `${label}: --max-concurrent-nodes 4 / its lower bound`, four.virtualSeconds / bound.total, 'x', { goal: { op: '<=', value: BOUND_GOAL }, detail: `bound ${bound.total} s, ${bound.groups.length} groups` }));
  }
  return { figures, data };
}
