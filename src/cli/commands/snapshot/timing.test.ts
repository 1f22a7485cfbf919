// Issue 17: a snapshot's timings from this host's run history (the median of each phase), defaults otherwise.
import { DEFAULT_TIMING } from '../../../core/plan.js';
import { timingFromHistory, type HistoryReport } from './timing.js';

const at = (s: number): string => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();
const phase = (name: string, start: number, seconds: number, ok = true): { phase: string; start: string; end: string; ok: boolean; attempt: number } => ({
  phase: name,
  start: at(start),
  end: at(start + seconds),
  ok,
  attempt: 1,
});

describe('timingFromHistory', () => {
  it('takes the median of each phase over nodes and runs, per role for drains, and keeps defaults for what it never saw', () => {
    const report = (install: number, wait: number): HistoryReport => ({
      nodeResults: [
        { node: 'N1', phases: [phase('drain', 0, 30), phase('install', 30, install), phase('reboot', 1000, 0), phase('wait-node', 1000, wait), phase('resync', 2000, 500)] },
        { node: 'N2', phases: [phase('drain', 0, 90), phase('install', 30, install + 100), phase('wait-node', 1000, wait + 20), phase('resync', 2000, 700, false)] },
      ],
    });
    const roles = (node: string): number => (node === 'N1' ? 2 : 3);
    const { timing, measured, runs } = timingFromHistory([report(600, 300), report(800, 400), { nodeResults: [] }], roles, DEFAULT_TIMING);
    expect(runs).toBe(2);
    expect(measured).toEqual(['drainSecondsPerRole', 'installSeconds', 'rebootSeconds', 'resyncSeconds']);
    // drains: 15, 30, 15, 30 per role → 22.5 → 23; installs 600, 700, 800, 900 → 750; waits 300, 320, 400, 420 → 360.
    expect(timing).toEqual({ ...DEFAULT_TIMING, drainSecondsPerRole: 23, installSeconds: 750, rebootSeconds: 360, servicesStartSeconds: 0, resyncSeconds: 500 });
  });

  it('gives the defaults, marked as such (nothing measured), without history', () => {
    expect(timingFromHistory([], () => 1, DEFAULT_TIMING)).toEqual({ timing: DEFAULT_TIMING, measured: [], runs: 0 });
  });
});
