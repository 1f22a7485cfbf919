// CPU per node at --sim-speed max: a generated 64-node model run in a fresh child process (lib/cpu-runner.mjs),
// with user+system CPU time, per node, and the peak RSS (issue 3).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchFixture, fixtureText } from '../lib/fixtures.mjs';
import { figure } from '../lib/figures.mjs';
import { lowerBound, overheadBreakdown } from '../lib/lower-bound.mjs';
import { parseJsonOutput, runChecked } from '../lib/process.mjs';
import { describeOverhead } from './20-coordinator-overhead.mjs';
import { summarize } from '../lib/stats.mjs';
import process from 'node:process';

export const id = 'cpu-per-node';
export const title = 'CPU and memory of a 64-node simulated run (--sim-speed max, fresh process)';

export const NODE_COUNT = 64;
export const CPU_GOAL_MS = 1000;
export const RSS_GOAL_BYTES = 150 * 1024 * 1024;

export async function run(ctx) {
  const fixture = benchFixture(NODE_COUNT);
  const fixturePath = join(ctx.tmpDir, `bench-${NODE_COUNT}.json`);
  writeFileSync(fixturePath, fixtureText(fixture));
  const runner = join(ctx.benchDir, 'lib', 'cpu-runner.mjs');
  const repeats = ctx.cpuRuns;
  const reports = [];
  for (let i = 0; i < repeats; i++) {
    const stateDir = mkdtempSync(join(ctx.tmpDir, 'state-'));
    const child = runChecked([ctx.nodePath, runner, ctx.distDir, stateDir, '--', 'run', '--simulate', fixturePath, '--force', '--json', '--sim-reset', '--sim-speed', 'max'], { env: { ...process.env, NO_COLOR: '1' } });
    const report = parseJsonOutput(child, 'cpu-runner');
    if (report.exitCode !== 0 || report.result?.status !== 'Succeeded') {
      throw new Error(`the ${NODE_COUNT}-node run exited ${report.exitCode} (${report.result?.status ?? 'no result'}): ${report.stderr}`);
    }
    reports.push({ ...report, childWallMs: child.wallMs });
  }
  // One more run, instrumented, to show where the CPU goes: persistence (journal fsyncs, model and property
  // files replaced atomically) rather than coordination. Kept out of the timed runs above.
  const fsStateDir = mkdtempSync(join(ctx.tmpDir, 'state-'));
  const counted = parseJsonOutput(
    runChecked([ctx.nodePath, runner, '--count-fs', ctx.distDir, fsStateDir, '--', 'run', '--simulate', fixturePath, '--force', '--json', '--sim-reset', '--sim-speed', 'max'], { env: { ...process.env, NO_COLOR: '1' } }),
    'cpu-runner --count-fs',
  );
  const fsCalls = Object.fromEntries(Object.entries(counted.fs ?? {}).filter(([, c]) => c.calls > 0));
  const fsMs = Object.values(fsCalls).reduce((sum, c) => sum + c.ms, 0);
  const call = (name) => fsCalls[name]?.calls ?? 0;
  const processCpu = reports.map((r) => r.cpu.processUserMs + r.cpu.processSystemMs);
  const commandCpu = reports.map((r) => r.cpu.commandUserMs + r.cpu.commandSystemMs);
  const rss = reports.map((r) => r.maxRssBytes);
  const cpu = summarize(processCpu);
  const cmd = summarize(commandCpu);
  const peakRss = Math.max(...rss);
  const last = reports.at(-1);
  const virtualSeconds = last.result.simulation.virtualSeconds;
  const breakdown = overheadBreakdown(fixture, last.result);
  const figures = [
    figure('cpu.process', `${NODE_COUNT} nodes: CPU of the whole child (median of ${repeats})`, cpu.median, 'ms', {
      goal: { op: '<', value: CPU_GOAL_MS },
      detail: `user ${Math.round(last.cpu.processUserMs)} + sys ${Math.round(last.cpu.processSystemMs)} ms in the last run, max ${Math.round(cpu.max)} ms`,
    }),
    figure('cpu.command', `${NODE_COUNT} nodes: CPU of the run command alone`, cmd.median, 'ms', { detail: `module import ${Math.round(last.cpu.importUserMs + last.cpu.importSystemMs)} ms excluded` }),
    figure('cpu.perNode', 'CPU per node (whole child / nodes)', cpu.median / NODE_COUNT, 'ms'),
    figure('cpu.perNodeCommand', 'CPU per node (run command alone / nodes)', cmd.median / NODE_COUNT, 'ms'),
    figure('rss.peak', `${NODE_COUNT} nodes: peak RSS (max of ${repeats})`, peakRss / (1024 * 1024), 'MB', { goal: { op: '<', value: RSS_GOAL_BYTES / (1024 * 1024) } }),
    figure('fs.ms', `${NODE_COUNT} nodes: time in sync fs calls (instrumented)`, fsMs, 'ms', {
      detail: `${call('fsyncSync')} fsync, ${call('renameSync')} rename, ${call('mkdirSync')} mkdir, ${call('rmdirSync')} rmdir, ${call('writeSync')} write`,
    }),
    figure('virtual.ratio', `${NODE_COUNT} nodes: virtual / lower bound`, virtualSeconds / lowerBound(fixture).total, 'x', { detail: `${Math.round(virtualSeconds)} virtual s; ${describeOverhead(breakdown)}` }),
  ];
  return {
    figures,
    data: {
      nodes: NODE_COUNT,
      repeats,
      runs: reports.map((r) => ({ cpu: r.cpu, maxRssBytes: r.maxRssBytes, commandWallMs: r.commandWallMs, childWallMs: r.childWallMs, virtualSeconds: r.result.simulation.virtualSeconds, status: r.result.status, violations: r.result.simulation.violations })),
      processCpuMs: cpu,
      commandCpuMs: cmd,
      peakRssBytes: peakRss,
      fsCalls: { note: 'one extra run with the sync fs calls wrapped; ms is wall time inside each call', cpu: counted.cpu, calls: fsCalls },
      breakdown,
    },
  };
}
