import { stripVTControlCharacters } from 'node:util';
import { EVENT_SCHEMA_VERSION, type NodePhase, type RunEvent, type RunEventBody } from '../core/events.js';
import type { PlannedNode, RunPlan } from '../core/plan.js';
import { LiveBlock, LiveView, renderBoard, type Ticker } from './live-view.js';
import { RunBoard } from './run-board.js';
import type { OutStream } from './stream.js';
import { createTheme } from './theme.js';
import { visibleWidth } from './wrap.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (seconds: number, body: RunEventBody): RunEvent => ({ ...body, schemaVersion: EVENT_SCHEMA_VERSION, time: new Date(T0 + seconds * 1000).toISOString(), runId: 'r1' }) as RunEvent;

function aNode(node: string, position: number, overrides: Partial<PlannedNode> = {}): PlannedNode {
  const phases = [
    { phase: 'drain' as const, seconds: 100 },
    { phase: 'install' as const, seconds: 600 },
    { phase: 'reboot' as const, seconds: 300 },
    { phase: 'wait-node' as const, seconds: 60 },
    { phase: 'rescan' as const, seconds: 30 },
    { phase: 'resume' as const, seconds: 0 },
    { phase: 'resync' as const, seconds: 600 },
  ];
  return { node, position, roles: 1, updates: [{ kb: 'KB1', title: 'CU', rebootRequired: true }], followUps: [], phases, seconds: 1690, ...overrides };
}

/** Two nodes of 1690 s after a 30 s scan and a 300 s stage: 3710 s in all. */
function aPlan(): RunPlan {
  return {
    clusterName: 'HCI01',
    order: ['NODE1', 'NODE2'],
    maxFailedNodes: 1,
    timingSource: 'model',
    followUpsKnown: true,
    preflight: [
      { phase: 'scan', seconds: 30 },
      { phase: 'stage', seconds: 300 },
    ],
    nodes: [aNode('NODE1', 1), aNode('NODE2', 2)],
    totalSeconds: 3710,
  };
}

const started = at(0, { type: 'run-started', clusterName: 'HCI01', nodes: ['NODE1', 'NODE2'], plugins: [], resumed: false });
const phase = (s: number, node: string, p: NodePhase, seconds: number, attempt = 1): RunEvent[] => [
  at(s, { type: 'phase-started', node, phase: p, attempt }),
  at(s + seconds, { type: 'phase-completed', node, phase: p, attempt, durationSeconds: seconds }),
];
const preflight = [...phase(0, 'NODE1', 'scan', 30, 0), ...phase(0, 'NODE2', 'scan', 30, 0), ...phase(30, 'NODE1', 'stage', 300, 0), ...phase(30, 'NODE2', 'stage', 300, 0)];

function boardAfter(events: readonly RunEvent[]): RunBoard {
  const board = new RunBoard(createTheme(false), aPlan());
  for (const e of events) board.apply(e);
  return board;
}

describe('RunBoard: the predicted finish', () => {
  it('is the start plus the plan at the start', () => {
    expect(boardAfter([started]).predictedEndMs(T0)).toBe(T0 + 3710_000);
  });

  it('moves with the phases as they end: a drain 50 s longer than planned ends the run 50 s later', () => {
    const board = boardAfter([started, ...preflight, ...phase(330, 'NODE1', 'drain', 150)]);
    expect(board.predictedEndMs(T0 + 480_000)).toBe(T0 + 3710_000 + 50_000);
  });

  it('is pushed out by a phase under way for longer than its plan, and not before', () => {
    const board = boardAfter([started, ...preflight, at(330, { type: 'phase-started', node: 'NODE1', phase: 'drain', attempt: 1 })]);
    expect(board.predictedEndMs(T0 + 400_000)).toBe(T0 + 3710_000);
    expect(board.predictedEndMs(T0 + 530_000)).toBe(T0 + 3710_000 + 100_000);
  });

  it('puts the node back ahead after a failed attempt that will be retried', () => {
    const failed = at(430, { type: 'attempt-failed', node: 'NODE1', phase: 'install', attempt: 1, code: 'InstallFailed', message: '0x80240022', willRetry: true });
    const board = boardAfter([started, ...preflight, ...phase(330, 'NODE1', 'drain', 100), at(430, { type: 'phase-started', node: 'NODE1', phase: 'install', attempt: 1 }), failed]);
    // NODE1 whole again (1690) and NODE2 (1690) from the failure on.
    expect(board.predictedEndMs(T0 + 430_000)).toBe(T0 + 430_000 + 3380_000);
    expect(board.retries).toBe(1);
  });

  it('drops a node that ended, and is the end once the run completed', () => {
    const nodeDone = at(2020, { type: 'node-completed', node: 'NODE1', status: 'Failed', attempts: 4, numberOfSucceededUpdates: 0, numberOfFailedUpdates: 1 });
    const board = boardAfter([started, ...preflight, ...phase(330, 'NODE1', 'drain', 100), nodeDone]);
    expect(board.predictedEndMs(T0 + 2020_000)).toBe(T0 + 2020_000 + 1690_000);
    expect(board.failedNodes()).toBe(1);
    board.apply(at(2100, { type: 'run-completed', status: 'Failed', errorCode: 'MaxFailedNodesExceeded' }));
    expect(board.predictedEndMs(T0 + 9999_000)).toBe(T0 + 2100_000);
  });

  it('says the node under way: 1/2 while the first node is drained, 2/2 on the second', () => {
    expect(boardAfter([started, ...preflight]).position()).toEqual({ at: 0, of: 2 });
    expect(boardAfter([started, ...preflight, at(330, { type: 'phase-started', node: 'NODE1', phase: 'drain', attempt: 1 })]).position()).toEqual({ at: 1, of: 2 });
    const second = [...phase(330, 'NODE1', 'drain', 100), at(430, { type: 'node-completed', node: 'NODE1', status: 'Succeeded', attempts: 1, numberOfSucceededUpdates: 1, numberOfFailedUpdates: 0 }), at(430, { type: 'phase-started', node: 'NODE2', phase: 'drain', attempt: 1 })];
    expect(boardAfter([started, ...preflight, ...second]).position()).toEqual({ at: 2, of: 2 });
  });
});

describe('renderBoard', () => {
  const midRun = [
    started,
    ...preflight,
    ...phase(330, 'NODE1', 'drain', 100),
    at(430, { type: 'attempt-failed', node: 'NODE1', phase: 'install', attempt: 1, code: 'InstallFailed', message: 'the install failed with 0x80240022 on a very long line that does not fit', willRetry: true }),
    at(440, { type: 'phase-started', node: 'NODE1', phase: 'install', attempt: 2 }),
  ];

  it.each([40, 80, 160])('keeps every line within %i columns and names every node', (width) => {
    const lines = renderBoard(boardAfter(midRun), { width, rows: 30, nowMs: T0 + 500_000, zone: 'UTC' });
    for (const line of lines) expect(visibleWidth(line)).toBeLessThanOrEqual(width);
    const text = lines.join('\n');
    expect(text).toContain('NODE1');
    expect(text).toContain('NODE2');
  });

  it('shows n/N, the elapsed time, the finish, the retries, the budget, the phase with its time, and the last events with local times', () => {
    const lines = renderBoard(boardAfter(midRun), { width: 160, rows: 30, nowMs: T0 + 500_000, zone: 'Europe/Paris' });
    expect(lines[0]).toBe('HCI01 · node 1/2 · elapsed 8m 20s · finish ~02:03:30 +01:00 (in 55m 10s)');
    expect(lines[1]).toBe('1 retry · failed nodes 0 of MaxFailedNodes 1 (1 left)');
    expect(lines[2]).toBe('  ▶ NODE1  install 1m 00s (attempt 2)');
    expect(lines[3]).toBe('  · NODE2  waiting · ~28m 10s planned');
    expect(lines.slice(4)).toEqual([
      '  01:00:30  NODE2  scan done in 30s',
      '  01:05:30  NODE1  stage done in 5m 00s',
      '  01:05:30  NODE2  stage done in 5m 00s',
      '  01:07:10  NODE1  drain done in 1m 40s',
      '  01:07:10  NODE1  attempt 1 failed in install: the install failed with 0x80240022 on a very long line that does not fit — retrying',
    ]);
  });

  it('keeps its height while the events come in, so that a redraw never scrolls the screen', () => {
    const frame = { width: 80, rows: 30, nowMs: T0 + 500_000, zone: 'UTC' };
    expect(renderBoard(boardAfter([started]), frame)).toHaveLength(renderBoard(boardAfter(midRun), frame).length);
  });

  it('shows a run watched from elsewhere (get-run): done, current and waiting nodes, the latest changes, no finish predicted', () => {
    const board = RunBoard.fromPublished(createTheme(false), {
      clusterName: 'HCI01',
      runId: 'r1',
      startTime: '2026-01-01T00:00:00.000Z',
      currentNode: 'NODE2',
      stopRequested: true,
      nodes: [
        { node: 'NODE1', status: 'Succeeded', since: '2026-01-01T00:40:00.000Z' },
        { node: 'NODE2', status: 'wait-node', since: '2026-01-01T00:50:00.000Z' },
        { node: 'NODE3', status: 'Waiting', since: null },
      ],
    });
    expect(board.latestMs()).toBe(T0 + 3000_000);
    expect(renderBoard(board, { width: 160, rows: 30, nowMs: T0 + 3060_000, zone: 'UTC' }).filter((l) => l !== '')).toEqual([
      'HCI01 · node 2/3 · elapsed 51m 00s · finish: not predicted here · stop requested',
      '0 retries · failed nodes 0',
      '  ✓ NODE1  Succeeded',
      '  ▶ NODE2  restart 1m 00s',
      '  · NODE3  waiting',
      '  00:40:00  NODE1  Succeeded',
      '  00:50:00  NODE2  restart',
    ]);
  });

  it('shows the resync progress a node reports', () => {
    const board = boardAfter([
      started,
      ...preflight,
      at(330, { type: 'phase-started', node: 'NODE1', phase: 'resync', attempt: 1 }),
      at(390, { type: 'storage-progress', node: 'NODE1', percentComplete: 42, bytesLeft: 12.5 * 1024 ** 3 }),
    ]);
    expect(renderBoard(board, { width: 80, rows: 30, nowMs: T0 + 390_000, zone: 'UTC' })[2]).toBe('  ▶ NODE1  resync 1m 00s · 42%, 12.5 GiB left');
  });

  it('stays within the rows of a small terminal: fewer events first, then the waiting nodes counted', () => {
    const names = Array.from({ length: 12 }, (_, i) => `NODE${i + 1}`);
    const board = new RunBoard(createTheme(false));
    board.apply(at(0, { type: 'run-started', clusterName: 'BIG', nodes: names, plugins: [], resumed: false }));
    board.apply(at(10, { type: 'phase-started', node: 'NODE1', phase: 'drain', attempt: 1 }));
    const lines = renderBoard(board, { width: 80, rows: 10, nowMs: T0 + 20_000, zone: 'UTC' });
    expect(lines).toHaveLength(9);
    expect(lines[0]).toContain('node 1/12');
    expect(lines[0]).toContain('finish: not predicted here');
    expect(lines[8]).toBe('  · 6 more nodes: NODE7, NODE8, NODE9, NODE10, NODE11, NODE12');
  });
});

function fakeTty(columns = 80, rows = 30): OutStream & { text: string } {
  return { isTTY: true, columns, rows, text: '', write(t: string) { this.text += t; } };
}

describe('LiveBlock', () => {
  it('redraws in place: back to its first line, each line cleared to its end, the rest of the screen cleared', () => {
    const stream = fakeTty();
    const block = new LiveBlock(stream);
    block.draw(['a', 'b']);
    expect(stream.text).toBe('a\u001b[K\nb\u001b[K\n\u001b[J');
    stream.text = '';
    block.draw(['a', 'b']);
    expect(stream.text).toBe('');
    block.draw(['c']);
    expect(stream.text).toBe('\u001b[2Fc\u001b[K\n\u001b[J');
  });

  it('puts what is said where the block was; the block is drawn again below it', () => {
    const stream = fakeTty();
    const block = new LiveBlock(stream);
    block.draw(['a', 'b', 'c']);
    stream.text = '';
    block.say('stopping');
    block.draw(['a', 'b', 'c']);
    expect(stream.text).toBe('\u001b[3F\u001b[Jstopping\na\u001b[K\nb\u001b[K\nc\u001b[K\n\u001b[J');
  });
});

describe('LiveView', () => {
  function aView() {
    const stream = fakeTty(80, 30);
    const ticks: Array<() => void> = [];
    let stopped = 0;
    const ticker: Ticker = (_ms, fn) => {
      ticks.push(fn);
      return () => {
        stopped += 1;
      };
    };
    let now = T0;
    const view = new LiveView({ stream, theme: createTheme(false), plan: aPlan(), now: () => now, ticker, zone: 'UTC', size: () => ({ width: 80, rows: 30 }) });
    return { stream, ticks, view, setNow: (ms: number) => (now = ms), stopped: () => stopped };
  }

  it('draws on the ticker, not on every event, and stops with the last frame when the run completes', () => {
    const { stream, ticks, view, setNow, stopped } = aView();
    view.emit(started);
    for (const e of preflight) view.emit(e);
    expect(stream.text).toBe('');
    expect(ticks).toHaveLength(1);
    setNow(T0 + 330_000);
    ticks[0]!();
    expect(stripVTControlCharacters(stream.text)).toContain('HCI01 · node 0/2 · elapsed 5m 30s · finish ~01:01:50 +00:00');
    view.emit(at(3710, { type: 'run-completed', status: 'Succeeded', errorCode: null }));
    expect(stopped()).toBe(1);
    expect(stripVTControlCharacters(stream.text)).toContain('HCI01 · node 0/2 · took 1h 01m 50s · Succeeded at 01:01:50 +00:00');
    view.close();
    expect(stopped()).toBe(1);
  });
});

describe('RunBoard of an offline update: cluster-wide steps, every node at once (issue 15)', () => {
  const plan = { clusterName: 'OFF4', nodes: ['NODE1', 'NODE2'], steps: [{ step: 'stop-cluster', seconds: 60 }, { step: 'update', seconds: 1000 }, { step: 'start-cluster', seconds: 90 }] };
  const offlineStarted = at(0, { type: 'run-started', clusterName: 'OFF4', nodes: ['NODE1', 'NODE2'], plugins: [], resumed: false });
  const step = (s: number, name: string, seconds: number): RunEvent[] => [
    at(s, { type: 'cluster-step-started', step: name }),
    at(s + seconds, { type: 'cluster-step-completed', step: name, durationSeconds: seconds }),
  ];
  const board = (events: readonly RunEvent[]): RunBoard => {
    const b = RunBoard.forClusterSteps(createTheme(false), plan);
    for (const e of events) b.apply(e);
    return b;
  };

  it('predicts the sum of the steps, moved as steps end and by a step that overruns its plan', () => {
    expect(board([offlineStarted]).predictedEndMs(T0)).toBe(T0 + 1150_000);
    // The stop took 100 s (40 more than planned): what is left starts from its end.
    const stopped = [offlineStarted, ...step(0, 'stop-cluster', 100)];
    expect(board(stopped).predictedEndMs(T0 + 100_000)).toBe(T0 + 1190_000);
    // The nodes' own phases inside `update` do not move it; the update step running 200 s past its plan does.
    const updating = [...stopped, at(100, { type: 'cluster-step-started', step: 'update' }), at(100, { type: 'phase-started', node: 'NODE1', phase: 'install', attempt: 1 }), at(100, { type: 'phase-started', node: 'NODE2', phase: 'install', attempt: 1 })];
    expect(board(updating).predictedEndMs(T0 + 500_000)).toBe(T0 + 1190_000);
    expect(board(updating).predictedEndMs(T0 + 1300_000)).toBe(T0 + 1390_000);
  });

  it('leaves out the steps an interrupted update did before its resume', () => {
    const b = board([]);
    b.clusterStepsDone(['stop-cluster', 'update']);
    b.apply({ ...offlineStarted, resumed: true } as RunEvent);
    expect(b.predictedEndMs(T0)).toBe(T0 + 90_000);
  });

  it('shows how many nodes are done while they work at once, and the cluster step under way', () => {
    const updating = [offlineStarted, ...step(0, 'stop-cluster', 60), at(60, { type: 'cluster-step-started', step: 'update' }), at(60, { type: 'phase-started', node: 'NODE1', phase: 'install', attempt: 1 }), at(60, { type: 'phase-started', node: 'NODE2', phase: 'install', attempt: 1 })];
    const lines = renderBoard(board(updating), { width: 80, rows: 30, nowMs: T0 + 360_000, zone: 'UTC' }).map(stripVTControlCharacters);
    expect(lines[0]).toMatch(/^OFF4 · nodes 0\/2 done · elapsed 6m 00s · finish ~/);
    expect(lines[1]).toMatch(/^cluster: install on every node 5m 00s · /);
    expect(lines.filter((l) => /▶ NODE[12]\s+install 5m 00s/.test(l))).toHaveLength(2);
  });
});
