/**
 * RunBoard's prediction when a window rescans before its install (a retried attempt, a resumed run), and
 * RunBoardAfterScan: a run that gets its plan only after its own scan predicts, from then on, exactly what a board
 * given the same plan at the start predicts; before it, nothing; and a run past its scan without a plan keeps
 * nothing.
 */
import { EVENT_SCHEMA_VERSION, type NodePhase, type RunEvent, type RunEventBody } from '../core/events.js';
import type { RunPlan } from '../core/plan.js';
import { RunBoard, RunBoardAfterScan } from './run-board.js';
import { createTheme } from './theme.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (seconds: number, body: RunEventBody): RunEvent => ({ ...body, schemaVersion: EVENT_SCHEMA_VERSION, time: new Date(T0 + seconds * 1000).toISOString(), runId: 'r1' }) as RunEvent;
const phase = (start: number, node: string, p: NodePhase, seconds: number): RunEvent[] => [
  at(start, { type: 'phase-started', node, phase: p, attempt: 0 }),
  at(start + seconds, { type: 'phase-completed', node, phase: p, attempt: 0, durationSeconds: seconds }),
];
const theme = createTheme(false);

/** Two nodes with the same phases each, after a 30 s scan and a 300 s stage. */
function twoNodes(phases: ReadonlyArray<{ readonly phase: NodePhase; readonly seconds: number }>): RunPlan {
  const seconds = phases.reduce((sum, p) => sum + p.seconds, 0);
  return {
    clusterName: 'C2',
    order: ['NODE1', 'NODE2'],
    maxFailedNodes: 1,
    timingSource: 'model',
    followUpsKnown: true,
    preflight: [
      { phase: 'scan', seconds: 30 },
      { phase: 'stage', seconds: 300 },
    ],
    nodes: ['NODE1', 'NODE2'].map((node, i) => ({ node, position: i + 1, roles: 1, updates: [{ kb: 'KB1', title: 'CU', rebootRequired: true }], followUps: [], phases, seconds })),
    totalSeconds: 330 + 2 * seconds,
  };
}

/** 1000 s a node; the scan below takes 40 s, 10 s over its plan. */
const plan = twoNodes([
  { phase: 'drain', seconds: 100 },
  { phase: 'install', seconds: 900 },
]);

const beforePlan: RunEvent[] = [
  at(0, { type: 'run-started', clusterName: 'C2', nodes: ['NODE1', 'NODE2'], plugins: ['Microsoft.WindowsUpdatePlugin'], resumed: false }),
  at(0, { type: 'preflight', check: 'cluster', ok: true, detail: '2 nodes' }),
  ...phase(0, 'NODE1', 'scan', 40),
  ...phase(0, 'NODE2', 'scan', 40),
];
const afterPlan: RunEvent[] = [...phase(40, 'NODE1', 'stage', 300), ...phase(40, 'NODE2', 'stage', 300), ...phase(340, 'NODE1', 'drain', 100), at(440, { type: 'phase-started', node: 'NODE1', phase: 'install', attempt: 0 })];

describe('RunBoardAfterScan', () => {
  it('predicts nothing before the plan comes', () => {
    const board = new RunBoardAfterScan(theme);
    for (const e of beforePlan) board.apply(e);
    expect(board.predictedEndMs(T0 + 40_000)).toBeUndefined();
  });

  it.each([
    { name: 'right after the scan', events: 0, nowSeconds: 40, endSeconds: 40 + 300 + 2000 },
    { name: 'during the staging', events: 1, nowSeconds: 100, endSeconds: 40 + 300 + 2000 },
    { name: 'once staged', events: 4, nowSeconds: 340, endSeconds: 340 + 2000 },
    { name: 'in an install that runs over its plan', events: 7, nowSeconds: 440 + 1000, endSeconds: 440 + 1000 + 1000 },
  ])('predicts $name what a board given the plan at the start predicts', ({ events, nowSeconds, endSeconds }) => {
    const late = new RunBoardAfterScan(theme);
    const early = new RunBoard(theme, plan);
    for (const e of beforePlan) {
      late.apply(e);
      early.apply(e);
    }
    late.plan(plan);
    for (const e of afterPlan.slice(0, events)) {
      late.apply(e);
      early.apply(e);
    }
    const nowMs = T0 + nowSeconds * 1000;
    expect(late.predictedEndMs(nowMs)).toBe(early.predictedEndMs(nowMs));
    expect(late.predictedEndMs(nowMs)).toBe(T0 + endSeconds * 1000);
  });

  it('keeps nothing once the run is past its scan without a plan (none could be made)', () => {
    const board = new RunBoardAfterScan(theme);
    for (const e of [...beforePlan, ...afterPlan]) board.apply(e);
    // A plan that came now would have no run-started to count from: it predicts nothing.
    board.plan(plan);
    expect(board.predictedEndMs(T0 + 500_000)).toBeUndefined();
  });
});

describe('RunBoard: a rescan between the drain and the install', () => {
  /** 1390 s a node: drain, install, restart, the rescan after the install, resume. */
  const window = twoNodes([
    { phase: 'drain', seconds: 100 },
    { phase: 'install', seconds: 900 },
    { phase: 'reboot', seconds: 300 },
    { phase: 'wait-node', seconds: 60 },
    { phase: 'rescan', seconds: 30 },
    { phase: 'resume', seconds: 0 },
  ]);
  const started = at(0, { type: 'run-started', clusterName: 'C2', nodes: ['NODE1', 'NODE2'], plugins: ['Microsoft.WindowsUpdatePlugin'], resumed: false });
  const installing = (s: number): RunEvent => at(s, { type: 'phase-started', node: 'NODE1', phase: 'install', attempt: 0 });

  it.each([
    {
      name: 'a resumed run rescans first: nothing of the window is taken off, the rescan only moves the finish out',
      events: [started, ...phase(0, 'NODE1', 'drain', 100), ...phase(100, 'NODE1', 'rescan', 30), installing(130)],
      nowSeconds: 130,
      endSeconds: 130 + (900 + 300 + 60 + 30) + 1390,
    },
    {
      name: 'a retried attempt rescans first: its window is all ahead again',
      events: [
        started,
        ...phase(0, 'NODE1', 'drain', 100),
        ...phase(100, 'NODE1', 'install', 900),
        at(1000, { type: 'attempt-failed', node: 'NODE1', phase: 'install', attempt: 1, code: 'InstallFailed', message: 'failed', willRetry: true }),
        ...phase(1000, 'NODE1', 'drain', 100),
        ...phase(1100, 'NODE1', 'rescan', 30),
        installing(1130),
      ],
      nowSeconds: 1130,
      endSeconds: 1130 + (900 + 300 + 60 + 30) + 1390,
    },
    {
      name: 'the rescan after an install without a restart still passes the restart the plan had',
      events: [started, ...phase(0, 'NODE1', 'drain', 100), ...phase(100, 'NODE1', 'install', 900), ...phase(1000, 'NODE1', 'rescan', 30)],
      nowSeconds: 1030,
      endSeconds: 1030 + 1390,
    },
  ])('$name', ({ events, nowSeconds, endSeconds }) => {
    const board = new RunBoard(theme, window);
    for (const e of events) board.apply(e);
    expect(board.predictedEndMs(T0 + nowSeconds * 1000)).toBe(T0 + endSeconds * 1000);
  });
});

describe('RunBoard: a restart', () => {
  /**
   * The plan gives the node's reboot to the `reboot` phase and the services' start to `wait-node`; the run's
   * `reboot` phase is only the restart call, and its node is away during `wait-node`.
   */
  const window = twoNodes([
    { phase: 'drain', seconds: 100 },
    { phase: 'install', seconds: 900 },
    { phase: 'reboot', seconds: 300 },
    { phase: 'wait-node', seconds: 60 },
    { phase: 'rescan', seconds: 30 },
    { phase: 'resume', seconds: 0 },
  ]);
  const started = at(0, { type: 'run-started', clusterName: 'C2', nodes: ['NODE1', 'NODE2'], plugins: ['Microsoft.WindowsUpdatePlugin'], resumed: false });
  /** Drained and installed on plan, then the restart call takes 2 s. */
  const restarted = [started, ...phase(0, 'NODE1', 'drain', 100), ...phase(100, 'NODE1', 'install', 900), ...phase(1000, 'NODE1', 'reboot', 2)];
  const waiting = at(1002, { type: 'phase-started', node: 'NODE1', phase: 'wait-node', attempt: 0 });
  /** What is left once installed: the restart, the rescan, and the other node's window. */
  const onPlan = 1000 + 2 + (300 + 60 + 30) + 1390;

  it.each([
    { name: 'right after the restart call', nowSeconds: 1002, endSeconds: onPlan },
    { name: 'while the node is away, within its planned reboot', nowSeconds: 1002 + 200, endSeconds: onPlan },
    { name: 'once the node is away longer than its reboot and services start', nowSeconds: 1002 + 400, endSeconds: onPlan + 40 },
  ])('keeps the planned reboot ahead until the node is back: $name', ({ nowSeconds, endSeconds }) => {
    const board = new RunBoard(theme, window);
    for (const e of [...restarted, waiting]) board.apply(e);
    expect(board.predictedEndMs(T0 + nowSeconds * 1000)).toBe(T0 + endSeconds * 1000);
  });

  it('takes the reboot and the wait off together when the node is back', () => {
    const board = new RunBoard(theme, window);
    for (const e of [...restarted, ...phase(1002, 'NODE1', 'wait-node', 360)]) board.apply(e);
    expect(board.predictedEndMs(T0 + 1362_000)).toBe(T0 + (1362 + 30 + 1390) * 1000);
  });
});
