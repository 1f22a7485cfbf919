// Coordinator overhead: a rolling run's virtual time on 2-, 4-, 8- and 16-node bench models against the lower
// bound of DESIGN.md ("Benchmarks") and against the naive sequence that downloads inside each node's window
// (issue 3). Each model's overhead beyond the bound is broken down by phase (printed and in the JSON).
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchFixture, benchFixtureFile, fixtureText } from '../lib/fixtures.mjs';
import { figure } from '../lib/figures.mjs';
import { lowerBound, naiveSequence, overheadBreakdown } from '../lib/lower-bound.mjs';
import { parseJsonOutput, timeCommand } from '../lib/process.mjs';
import process from 'node:process';

export const id = 'coordinator-overhead';
export const title = 'Coordinator overhead (virtual run time / lower bound, --sim-speed max)';

export const NODE_COUNTS = [2, 4, 8, 16];
/** Goal of issue 3: at most 2% above the lower bound. */
export const RATIO_GOAL = 1.02;

/** Runs `cauctl run` on `fixturePath` in a fresh state dir; returns the run's JSON document and wall time. */
export function simulateRun(ctx, fixturePath) {
  const stateDir = mkdtempSync(join(ctx.tmpDir, 'state-'));
  const result = timeCommand([ctx.nodePath, ctx.cliPath, 'run', '--simulate', fixturePath, '--force', '--json', '--sim-reset', '--sim-speed', 'max'], {
    env: { ...process.env, CAUCTL_STATE_DIR: stateDir, NO_COLOR: '1' },
  });
  const document = parseJsonOutput(result, `run --simulate ${fixturePath}`);
  if (!document.simulation) throw new Error(`run --simulate ${fixturePath} exited ${result.status} without a simulation audit: ${result.stderr.slice(-500)}`);
  return { document, exitCode: result.status, wallMs: result.wallMs };
}

/** Everything the section reports for one model: bound, naive sequence, ratios, audit and breakdown. */
export function measureModel(fixture, run) {
  const bound = lowerBound(fixture);
  const naive = naiveSequence(fixture);
  const virtualSeconds = run.document.simulation.virtualSeconds;
  return {
    nodes: fixture.nodes.length,
    cluster: fixture.name,
    status: run.document.status,
    exitCode: run.exitCode,
    wallMs: run.wallMs,
    virtualSeconds,
    lowerBoundSeconds: bound.total,
    naiveSeconds: naive,
    ratioToLowerBound: virtualSeconds / bound.total,
    ratioToNaive: virtualSeconds / naive,
    maxNodesOutOfService: run.document.simulation.maxNodesOutOfService,
    violations: run.document.simulation.violations,
    breakdown: overheadBreakdown(fixture, run.document),
  };
}

/** The biggest contributors to a breakdown's overhead, as text: `prelude +660 s, wait-node +80 s, ...`. */
export function describeOverhead(breakdown) {
  const parts = [['before first drain', breakdown.prelude.overheadSeconds], ...Object.entries(breakdown.byPhase), ['gaps', breakdown.gapsBetweenPhasesSeconds], ['after last node', breakdown.tailSeconds], ['outside run start..end', breakdown.outsideRunSeconds]];
  return parts
    .filter(([, s]) => Math.abs(s) >= 0.5)
    .sort((a, b) => b[1] - a[1])
    .map(([name, s]) => `${name} ${s >= 0 ? '+' : ''}${Math.round(s)} s`)
    .join(', ');
}

export async function run(ctx) {
  const figures = [];
  const models = [];
  for (const n of NODE_COUNTS) {
    const path = join(ctx.benchDir, 'fixtures', benchFixtureFile(n));
    const text = readFileSync(path, 'utf8');
    const fixture = JSON.parse(text);
    const stale = text !== fixtureText(benchFixture(n));
    const measured = measureModel(fixture, simulateRun(ctx, path));
    models.push({ fixture: `bench/fixtures/${benchFixtureFile(n)}`, fixtureMatchesGenerator: !stale, ...measured });
    const ok = measured.status === 'Succeeded' && measured.violations.length === 0;
    const runNote = ok ? `${Math.round(measured.virtualSeconds)} s vs bound ${measured.lowerBoundSeconds} s` : `run ${measured.status}, ${measured.violations.length} violation(s)`;
    const ratio = figure(`nodes${n}.ratio`, `${n} nodes: virtual / lower bound`, measured.ratioToLowerBound, 'x', { goal: { op: '<=', value: RATIO_GOAL }, detail: runNote });
    figures.push(ratio);
    figures.push(figure(`nodes${n}.naive`, `${n} nodes: virtual / naive sequence`, measured.ratioToNaive, 'x', { goal: { op: '<', value: 1 }, detail: `naive ${measured.naiveSeconds} s` }));
    // Always shown: the breakdown is what the coordinator's author needs when the ratio is near or past the goal.
    {
      figures.push(figure(`nodes${n}.overhead`, `${n} nodes: overhead beyond the bound`, measured.breakdown.overheadSeconds, 's', { detail: describeOverhead(measured.breakdown) }));
    }
  }
  return { figures, data: { ratioGoal: RATIO_GOAL, models } };
}
