/**
 * RunBoard's prediction when a window rescans before its install (a retried attempt, a resumed run), and
 * RunBoardAfterScan: a run that gets its plan only after its own scan predicts, from then on, exactly what a board
 * given the same plan at the start predicts; before it, nothing; and a run past its scan without a plan keeps
 * nothing.
 */
import { EVENT_SCHEMA_VERSION, type NodePhase, type RunEvent, type RunEventBody } from '../core/events.js';
import type { RunPlan } from '../core/plan.js';
import { RunBoard, RunBoardAfterScan, type BoardMode } from './run-board.js';
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

/** 1390 s a window: drain, install, restart (the restart call, then the wait for the node), the rescan after the install, resume. */
const WINDOW: ReadonlyArray<{ readonly phase: NodePhase; readonly seconds: number }> = [
  { phase: 'drain', seconds: 100 },
  { phase: 'install', seconds: 900 },
  { phase: 'reboot', seconds: 300 },
  { phase: 'wait-node', seconds: 60 },
  { phase: 'rescan', seconds: 30 },
  { phase: 'resume', seconds: 0 },
];
const startedTwo = at(0, { type: 'run-started', clusterName: 'C2', nodes: ['NODE1', 'NODE2'], plugins: ['Microsoft.WindowsUpdatePlugin'], resumed: false });

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
  const window = twoNodes(WINDOW);
  const started = startedTwo;
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
  // The plan gives the node's reboot to the `reboot` phase and the services' start to `wait-node`; the run's
  // `reboot` phase is only the restart call, and its node is away during `wait-node`.
  const window = twoNodes(WINDOW);
  const started = startedTwo;
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

describe('RunBoard in a mode: several nodes out of service at once', () => {
  const NODES = ['N1', 'N2', 'N3', 'N4'];
  /** Four nodes of that window, after a 30 s scan and a 300 s stage: 330 + 4 x 1390 one at a time. */
  const four: RunPlan = {
    ...twoNodes(WINDOW),
    clusterName: 'C4',
    order: NODES,
    nodes: NODES.map((node, i) => ({ node, position: i + 1, roles: 1, updates: [{ kb: 'KB1', title: 'CU', rebootRequired: true }], followUps: [], phases: WINDOW, seconds: 1390 })),
    totalSeconds: 330 + 4 * 1390,
  };
  const pairs: BoardMode = { canary: null, groups: [{ nodes: ['N1', 'N2'] }, { nodes: ['N3', 'N4'] }] };
  /** --pre-install: N1 is the canary; the others pre-install all at once, then go two, then one. */
  const canary: BoardMode = { canary: 'N1', groups: [{ nodes: ['N2', 'N3'] }, { nodes: ['N4'] }] };
  /** A window without its install (pre-installed): 490 s. */
  const short = 1390 - 900;
  const started = at(0, { type: 'run-started', clusterName: 'C4', nodes: NODES, plugins: ['Microsoft.WindowsUpdatePlugin'], resumed: false });
  const prelude = [started, ...phase(0, 'N1', 'scan', 30), ...phase(30, 'N1', 'stage', 300)];
  const begin = (s: number, node: string, p: NodePhase): RunEvent => at(s, { type: 'phase-started', node, phase: p, attempt: 0 });
  const done = (s: number, node: string): RunEvent => at(s, { type: 'node-completed', node, status: 'Succeeded', attempts: 1, numberOfSucceededUpdates: 1, numberOfFailedUpdates: 0 });
  /** A whole window on plan from `s`, the node's result included. */
  const windowOf = (s: number, node: string, p = WINDOW): RunEvent[] => {
    let t = s;
    const events = p.flatMap((w) => {
      const e = phase(t, node, w.phase, w.seconds);
      t += w.seconds;
      return e;
    });
    return [...events, done(t, node)];
  };

  it.each([
    { name: 'at the start, each group counts as its longest window', mode: pairs, events: [started], nowSeconds: 0, endSeconds: 330 + 2 * 1390 },
    { name: 'one at a time in groups of one, as a serial run', mode: { canary: null, groups: NODES.map((n) => ({ nodes: [n] })) }, events: [started], nowSeconds: 0, endSeconds: 330 + 4 * 1390 },
    {
      name: 'a group forming: its planned mate not started yet counts in it, not after it',
      mode: pairs,
      events: [...prelude, begin(330, 'N1', 'drain')],
      nowSeconds: 330,
      endSeconds: 330 + 2 * 1390,
    },
    {
      name: 'a member whose drain ran long: the group ends with it, the other member counted from the anchor',
      mode: pairs,
      events: [...prelude, begin(330, 'N1', 'drain'), begin(330, 'N2', 'drain'), ...phase(330, 'N1', 'drain', 100).slice(1), begin(430, 'N1', 'install'), ...phase(330, 'N2', 'drain', 150).slice(1), begin(480, 'N2', 'install')],
      nowSeconds: 480,
      endSeconds: 480 + 1290 + 1390,
    },
    {
      name: 'a member done early: the group lasts as long as the member still out',
      mode: pairs,
      events: [...prelude, ...windowOf(330, 'N1'), begin(330, 'N2', 'drain'), ...phase(330, 'N2', 'drain', 100).slice(1), ...phase(430, 'N2', 'install', 1500)],
      nowSeconds: 1930,
      endSeconds: 1930 + 390 + 1390,
    },
    {
      name: 'a member over its plan moves the group end out, from now',
      mode: pairs,
      events: [...prelude, begin(330, 'N1', 'drain'), begin(330, 'N2', 'drain'), ...phase(330, 'N1', 'drain', 100).slice(1), ...phase(330, 'N2', 'drain', 100).slice(1), begin(430, 'N1', 'install'), begin(430, 'N2', 'install')],
      nowSeconds: 430 + 1000,
      endSeconds: 430 + 1000 + (300 + 60 + 30) + 1390,
    },
    {
      name: 'a retry in a group puts that member’s window back, not the whole group twice',
      mode: pairs,
      events: [
        ...prelude,
        begin(330, 'N1', 'drain'),
        begin(330, 'N2', 'drain'),
        ...phase(330, 'N1', 'drain', 100).slice(1),
        ...phase(330, 'N2', 'drain', 100).slice(1),
        ...phase(430, 'N1', 'install', 900),
        begin(430, 'N2', 'install'),
        at(1330, { type: 'attempt-failed', node: 'N1', phase: 'install', attempt: 1, code: 'InstallFailed', message: 'failed', willRetry: true }),
      ],
      nowSeconds: 1330,
      endSeconds: 1330 + 1390 + 1390,
    },
    {
      name: 'a group smaller than planned: the nodes still waiting go in groups of its size',
      mode: pairs,
      events: [...prelude, ...phase(330, 'N1', 'drain', 100), begin(430, 'N1', 'install')],
      nowSeconds: 430,
      endSeconds: 430 + 1290 + 3 * 1390,
    },
    {
      name: 'a group larger than planned: the node that joined it counts in it, not after it',
      mode: pairs,
      events: [...prelude, begin(330, 'N1', 'drain'), begin(330, 'N2', 'drain'), begin(330, 'N3', 'drain'), ...phase(330, 'N1', 'drain', 100).slice(1), begin(430, 'N1', 'install')],
      nowSeconds: 430,
      endSeconds: 430 + 1290 + 1390,
    },
    { name: 'pre-install: the canary, the pre-install of all others at once, then the shorter windows', mode: canary, events: [started], nowSeconds: 0, endSeconds: 330 + 1390 + 900 + 2 * short },
    {
      name: 'pre-install one node at a time: in three turns',
      mode: { ...canary, preInstallConcurrency: 1 },
      events: [started],
      nowSeconds: 0,
      endSeconds: 330 + 1390 + 3 * 900 + 2 * short,
    },
    {
      name: 'pre-install under way: the longest of them, then the windows',
      mode: canary,
      events: [...prelude, ...windowOf(330, 'N1'), begin(1720, 'N2', 'pre-install'), begin(1720, 'N3', 'pre-install'), begin(1720, 'N4', 'pre-install'), ...phase(1720, 'N2', 'pre-install', 800).slice(1)],
      nowSeconds: 2520,
      endSeconds: 2520 + 100 + 2 * short,
    },
    {
      name: 'a pre-installed window takes its restart, rescan and resume off as they end',
      mode: canary,
      events: [...prelude, ...windowOf(330, 'N1'), ...['N2', 'N3', 'N4'].flatMap((n) => phase(1720, n, 'pre-install', 900)), ...windowOf(2620, 'N2', WINDOW.filter((w) => w.phase !== 'install')), ...windowOf(2620, 'N3', WINDOW.filter((w) => w.phase !== 'install'))],
      nowSeconds: 2620 + short,
      endSeconds: 2620 + 2 * short,
    },
    {
      name: 'a failed pre-install: that node installs in its window',
      mode: canary,
      events: [
        ...prelude,
        ...windowOf(330, 'N1'),
        ...['N2', 'N4'].flatMap((n) => phase(1720, n, 'pre-install', 900)),
        begin(1720, 'N3', 'pre-install'),
        at(2620, { type: 'attempt-failed', node: 'N3', phase: 'pre-install', attempt: 1, code: 'InstallFailed', message: 'failed', willRetry: true }),
      ],
      nowSeconds: 2620,
      endSeconds: 2620 + 1390 + short,
    },
    {
      name: 'nodes not pre-installed (nothing of theirs could be): their windows install',
      mode: canary,
      events: [...prelude, ...windowOf(330, 'N1'), ...phase(1720, 'N2', 'pre-install', 900), ...phase(2620, 'N2', 'drain', 100), begin(2620, 'N3', 'drain')],
      nowSeconds: 2720,
      endSeconds: 2720 + (1390 - 100) + 1390,
    },
    {
      name: 'a canary that did not succeed: nothing is pre-installed, every window installs',
      mode: canary,
      events: [...prelude, ...windowOf(330, 'N1'), at(1720, { type: 'warning', code: 'PreInstallFallback', message: 'the canary N1 ended Failed' })],
      nowSeconds: 1720,
      endSeconds: 1720 + 2 * 1390,
    },
  ])('$name', ({ mode, events, nowSeconds, endSeconds }) => {
    const board = new RunBoard(theme, four, mode);
    for (const e of events) board.apply(e);
    expect(board.predictedEndMs(T0 + nowSeconds * 1000)).toBe(T0 + endSeconds * 1000);
  });
});
