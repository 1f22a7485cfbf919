/**
 * createProgressSinks gives the finish it predicts from the run's plan and mode, at a terminal (the live view) and
 * off one (for get-run): a run that takes two nodes out of service at once is not predicted as one at a time.
 */
import { EVENT_SCHEMA_VERSION, type RunEvent } from '../core/events.js';
import type { RunPlan } from '../core/plan.js';
import { createTheme } from '../output/theme.js';
import type { CommandEnv } from './command-env.js';
import type { ClusterContext } from './context.js';
import type { GlobalProfile } from './global-options.js';
import { createProgressSinks } from './run-deps.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const NODES = ['N1', 'N2', 'N3', 'N4'];
const WINDOW = [
  { phase: 'drain', seconds: 100 },
  { phase: 'install', seconds: 900 },
  { phase: 'resume', seconds: 0 },
] as const;
/** Four windows of 1000 s after a 60 s scan. */
const plan: RunPlan = {
  clusterName: 'C4',
  order: NODES,
  maxFailedNodes: 2,
  timingSource: 'model',
  followUpsKnown: true,
  preflight: [{ phase: 'scan', seconds: 60 }],
  nodes: NODES.map((node, i) => ({ node, position: i + 1, roles: 1, updates: [{ kb: 'KB1', title: 'CU', rebootRequired: false }], followUps: [], phases: WINDOW, seconds: 1000 })),
  totalSeconds: 60 + 4 * 1000,
};
const pairs = { canary: null, groups: [{ nodes: ['N1', 'N2'] }, { nodes: ['N3', 'N4'] }] };
const started: RunEvent = { type: 'run-started', clusterName: 'C4', nodes: NODES, plugins: [], resumed: false, schemaVersion: EVENT_SCHEMA_VERSION, time: new Date(T0).toISOString(), runId: 'r1' };

function envWith(isTTY: boolean): CommandEnv {
  const stream = { write: () => undefined, isTTY, columns: 120, rows: 40 };
  return { io: { stdout: stream, stderr: stream, stdinIsTty: isTTY, env: {}, platform: 'linux', promptSecret: async () => '', promptLine: async () => '' }, interrupts: { onInterrupt: () => () => undefined, exit: () => undefined }, setExitCode: () => undefined, abandon: () => undefined };
}

describe('createProgressSinks', () => {
  const ctx = { theme: createTheme(false), clock: { now: () => T0, sleep: async () => undefined } } as unknown as ClusterContext;

  it.each([
    { name: 'the live view at a terminal', output: 'human', isTTY: true },
    { name: 'the board off a terminal (--json)', output: 'json', isTTY: false },
  ])('$name predicts each group as its longest window', async ({ output, isTTY }) => {
    const progress = await createProgressSinks({ output } as unknown as GlobalProfile, envWith(isTTY), ctx, { plan, mode: pairs });
    for (const sink of progress.sinks) sink.emit(started);
    const predicted = progress.predictedEnd?.();
    progress.close();
    expect(predicted).toBe(T0 + (60 + 2 * 1000) * 1000);
  });
});
