// Cold start: wall time of `cauctl --version` and `cauctl scan --simulate --json` against bare `node -e 0`,
// median and p90 after a warm-up, and which modules the scan path loads (issue 2).
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { figure } from '../lib/figures.mjs';
import { summarizeTrace } from '../lib/module-summary.mjs';
import { runChecked } from '../lib/process.mjs';
import { round, summarize } from '../lib/stats.mjs';
import process from 'node:process';

export const id = 'cold-start';
export const title = 'Cold start (wall time of a fresh process)';

/** Goal of issue 2: `--version` within 1.5 x bare Node. */
export const VERSION_RATIO_GOAL = 1.5;

function traceModules(ctx, argv, env) {
  const traceFile = join(ctx.tmpDir, `trace-${Date.now()}-${Math.random().toString(16).slice(2)}.txt`);
  const hook = pathToFileURL(join(ctx.benchDir, 'lib', 'module-trace.mjs')).href;
  runChecked([ctx.nodePath, '--import', hook, ...argv], { env: { ...env, BENCH_MODULE_TRACE: traceFile } });
  try {
    return summarizeTrace(readFileSync(traceFile, 'utf8'), ctx.root);
  } finally {
    rmSync(traceFile, { force: true });
  }
}

export async function run(ctx) {
  const stateDir = join(ctx.tmpDir, 'state');
  mkdirSync(stateDir, { recursive: true });
  const env = { ...process.env, CAUCTL_STATE_DIR: stateDir, NO_COLOR: '1' };
  const commands = {
    bare: [ctx.nodePath, '-e', '0'],
    version: [ctx.nodePath, ctx.cliPath, '--version'],
    scan: [ctx.nodePath, ctx.cliPath, 'scan', '--simulate', '--json'],
  };
  const names = Object.keys(commands);
  // Warm-up: the page cache, and the simulated model's state (created on first use).
  for (let i = 0; i < ctx.warmup; i++) for (const name of names) runChecked(commands[name], { env });
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < ctx.runs; i++) {
    // Rotate the order so drift (thermal, other load) does not favour one command.
    for (let k = 0; k < names.length; k++) {
      const name = names[(i + k) % names.length];
      samples[name].push(runChecked(commands[name], { env }).wallMs);
    }
  }
  const stats = Object.fromEntries(names.map((n) => [n, summarize(samples[n])]));
  const ratio = (name, q) => stats[name][q] / stats.bare[q];

  let modules;
  try {
    modules = { version: traceModules(ctx, commands.version.slice(1), env), scan: traceModules(ctx, commands.scan.slice(1), env) };
  } catch (error) {
    modules = { error: String(error?.message ?? error) };
  }

  const figures = [
    figure('bare.median', 'node -e 0, median', stats.bare.median, 'ms', { detail: `p90 ${round(stats.bare.p90, 1)} ms` }),
    figure('version.median', 'cauctl --version, median', stats.version.median, 'ms', { detail: `p90 ${round(stats.version.p90, 1)} ms` }),
    figure('scan.median', 'cauctl scan --simulate --json, median', stats.scan.median, 'ms', { detail: `p90 ${round(stats.scan.p90, 1)} ms` }),
    figure('version.ratio.median', '--version / bare node (median)', ratio('version', 'median'), 'x', { goal: { op: '<=', value: VERSION_RATIO_GOAL } }),
    figure('version.ratio.p90', '--version / bare node (p90)', ratio('version', 'p90'), 'x'),
    figure('scan.ratio.median', 'scan --simulate --json / bare node (median)', ratio('scan', 'median'), 'x'),
    figure('scan.ratio.p90', 'scan --simulate --json / bare node (p90)', ratio('scan', 'p90'), 'x'),
  ];
  if (modules && !modules.error) {
    const packages = Object.entries(modules.scan.packages).map(([p, n]) => `${p} ${n}`).join(', ');
    figures.push(figure('version.modules', 'modules loaded by --version', modules.version.moduleCount, '', { detail: modules.version.projectModules.join(', ') }));
    figures.push(figure('scan.modules', 'modules loaded by scan --simulate', modules.scan.moduleCount, '', {
      detail: `${modules.scan.projectModules.length} of cauctl's own; packages: ${packages || 'none'}`,
    }));
  }
  return { figures, data: { runs: ctx.runs, warmup: ctx.warmup, samplesMs: samples, stats, modules } };
}
