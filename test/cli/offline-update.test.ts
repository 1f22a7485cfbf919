/**
 * Issue 7 acceptance: `offline-update` end to end on the simulator (the built CLI). Every scenario checks the
 * exit code, the JSON result and the model's own end state: the cluster started, the cluster service
 * Automatic on every reachable node, and every virtual disk that was online before online again.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { aCluster, parseJson, sandbox, type Sandbox } from '../support/cli.js';

interface OfflineDoc {
  schemaVersion: number;
  runId: string;
  clusterName: string;
  status: string;
  startTime: string;
  endTime: string;
  errorRecord: { code: string; message: string } | null;
  resumed: boolean;
  nodeResults: Array<{ node: string; status: string; rebooted: boolean; bootTime: string | null; rebootSeconds: number | null; numberOfSucceededUpdates: number; errorRecord: { code: string; message: string } | null }>;
  downtime: { start: string; end: string | null; seconds: number | null } | null;
  predictedDowntimeSeconds: number;
  preState: { onlineDisks: Array<{ name: string; virtualDisk: string }>; missingNodes: string[] };
  restore: { abortedBecause: string | null; complete: boolean; problems: string[] };
  simulation: { virtualSeconds: number; violations: string[] };
}

interface ModelDoc {
  clusterStopped?: boolean;
  offlineVirtualDisks?: string[];
  nodes: Array<{ name: string; clusterState: string; power: string; reachable: boolean; setup: { clusterServiceStartMode: string } }>;
}

const TIMING = {
  scanSeconds: 30,
  downloadSeconds: 300,
  drainSecondsPerRole: 15,
  installSeconds: 600,
  rebootSeconds: 300,
  servicesStartSeconds: 60,
  resyncSeconds: 600,
  stopClusterSeconds: 60,
  startClusterSeconds: 90,
  diskStateSeconds: 10,
};
/** What the model's timing predicts: stop, the slowest node (install, rescan, reboot, services), start, disks. */
const PREDICTED = 60 + (600 + 30 + 300 + 60) + 90 + 10;

function cluster(nodeOverrides: Record<string, Record<string, unknown>> = {}): Record<string, unknown> {
  return aCluster('OFF4', [2, 1, 2, 1], nodeOverrides, { timing: TIMING, storage: { s2d: true, virtualDisks: ['Infra', 'Data1', 'Data2'] } });
}

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

function model(): ModelDoc {
  return JSON.parse(readFileSync(join(box.stateDir, 'sim', 'OFF4', 'model.json'), 'utf8')) as ModelDoc;
}

/** The end state every scenario must reach, read from the model itself. */
function expectRestored(doc: OfflineDoc): void {
  const m = model();
  expect(m.clusterStopped ?? false).toBe(false);
  expect(m.offlineVirtualDisks ?? []).toEqual([]);
  const reachable = m.nodes.filter((n) => n.reachable && n.power === 'on');
  expect(reachable.map((n) => [n.name, n.setup.clusterServiceStartMode])).toEqual(reachable.map((n) => [n.name, 'Auto']));
  expect(reachable.every((n) => n.clusterState === 'Up')).toBe(true);
  expect(doc.preState.onlineDisks.map((d) => d.virtualDisk)).toEqual(['Infra', 'Data1', 'Data2']);
  expect(doc.restore.complete).toBe(true);
  expect(doc.simulation.violations).toEqual([]);
}

function offline(fixture: unknown, ...args: string[]): { code: number | null; doc: OfflineDoc; stderr: string } {
  const path = box.fixture(fixture, 'off4.json');
  const result = box.run(['offline-update', '--simulate', path, '--sim-reset', '--force', '--json', ...args]);
  return { code: result.code, doc: parseJson<OfflineDoc>(result), stderr: result.stderr };
}

describe('offline-update on a 4-node model', () => {
  it('updates every node at once, reports the downtime the timing predicts, and restores everything', () => {
    const { code, doc, stderr } = offline(cluster());
    expect({ code, status: doc.status, error: doc.errorRecord }).toEqual({ code: 0, status: 'Succeeded', error: null });
    expect(doc.schemaVersion).toBe(1);
    expect(doc.clusterName).toBe('OFF4');
    expect(doc.nodeResults.map((r) => [r.node, r.status, r.rebooted, r.numberOfSucceededUpdates])).toEqual([
      ['NODE1', 'Succeeded', true, 1],
      ['NODE2', 'Succeeded', true, 1],
      ['NODE3', 'Succeeded', true, 1],
      ['NODE4', 'Succeeded', true, 1],
    ]);
    for (const r of doc.nodeResults) {
      expect(r.bootTime).not.toBeNull();
      // Reboot plus services, polled: never less than the model's timing, a little more at most.
      expect(r.rebootSeconds!).toBeGreaterThanOrEqual(360);
      expect(r.rebootSeconds!).toBeLessThan(400);
    }
    expect(doc.predictedDowntimeSeconds).toBe(PREDICTED);
    const downtime = doc.downtime!.seconds!;
    expect(Math.abs(downtime - PREDICTED) / PREDICTED).toBeLessThan(0.04);
    expect(stderr).toBe('');
    expectRestored(doc);
  });

  it("one node's install fails: the others are updated, the cluster is back, exit 6", () => {
    const { code, doc } = offline(cluster({ NODE2: { faults: [{ kind: 'installFails', times: 1, errorCode: '0x80240022' }] } }));
    expect({ code, status: doc.status }).toEqual({ code: 6, status: 'PartiallyFailed' });
    expect(doc.nodeResults.map((r) => [r.node, r.status, r.errorRecord?.code ?? null])).toEqual([
      ['NODE1', 'Succeeded', null],
      ['NODE2', 'Failed', 'InstallFailed'],
      ['NODE3', 'Succeeded', null],
      ['NODE4', 'Succeeded', null],
    ]);
    expect(doc.errorRecord!.message).toContain('0x80240022');
    expect(doc.nodeResults[1]!.rebooted).toBe(false);
    expectRestored(doc);
  });

  it('one node hangs at reboot: the cluster starts without it after the reboot timeout, exit 6', () => {
    const { code, doc } = offline(cluster({ NODE3: { faults: [{ kind: 'rebootHangs' }] } }), '--reboot-timeout-minutes', '20');
    expect({ code, status: doc.status }).toEqual({ code: 6, status: 'PartiallyFailed' });
    expect(doc.nodeResults.map((r) => [r.node, r.status, r.errorRecord?.code ?? null])).toEqual([
      ['NODE1', 'Succeeded', null],
      ['NODE2', 'Succeeded', null],
      ['NODE3', 'Failed', 'RebootTimeout'],
      ['NODE4', 'Succeeded', null],
    ]);
    expect(doc.errorRecord!.message).toContain('NODE3 did not come back within 20 minute(s)');
    // The hung node cannot be reached, so its service stays Disabled: said, not hidden.
    expect(model().nodes.find((n) => n.name === 'NODE3')!.setup.clusterServiceStartMode).toBe('Disabled');
    expectRestored(doc);
  });

  it('refuses (exit 5) when a node is unreachable, touching nothing; --allow-missing-nodes leaves it out', () => {
    const fixture = cluster({ NODE4: { reachable: false } });
    const refused = box.run(['offline-update', '--simulate', box.fixture(fixture, 'off4.json'), '--sim-reset', '--force']);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain('NODE4 cannot be reached; nothing was touched');
    expect(model().nodes.every((n) => n.setup.clusterServiceStartMode === 'Auto')).toBe(true);

    const { code, doc } = offline(fixture, '--allow-missing-nodes');
    expect({ code, status: doc.status }).toEqual({ code: 6, status: 'PartiallyFailed' });
    expect(doc.preState.missingNodes).toEqual(['NODE4']);
    expect(doc.nodeResults.find((r) => r.node === 'NODE4')!.errorRecord!.code).toBe('NodeNotReachable');
    expectRestored(doc);
  });

  it('off a terminal it needs --force or a window (exit 2); outside the window it refuses (exit 5)', () => {
    const path = box.fixture(cluster(), 'off4.json');
    const noForce = box.run(['offline-update', '--simulate', path, '--sim-reset']);
    expect(noForce.code).toBe(2);
    expect(noForce.stderr).toContain('--maintenance-window');
    const outside = box.run(['offline-update', '--simulate', path, '--sim-reset', '--maintenance-window', '2020-01-04T22:00Z/2020-01-05T04:00Z']);
    expect(outside.code).toBe(5);
    expect(outside.stderr).toContain('outside the maintenance window');
    const bad = box.run(['offline-update', '--simulate', path, '--maintenance-window', '25:00-04:00']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('maintenanceWindow:');
  });
});

function journalRecords(): Array<{ type: string; step?: string; event?: string; phase?: string }> {
  const dir = join(box.stateDir, 'runs', 'OFF4');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as { type: string; step?: string; event?: string }];
      } catch {
        return [];
      }
    });
}

/** Polls the journal in real time (a real child process runs) until a record matches, up to 20 s. */
async function waitForRecord(match: (r: { type: string; step?: string; event?: string; phase?: string }) => boolean): Promise<void> {
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    if (journalRecords().some(match)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('the journal never reached the kill point');
}

describe('offline-update killed midway and resumed', () => {
  const points: Array<[string, (r: { type: string; step?: string; event?: string; phase?: string }) => boolean]> = [
    ['after the stop was journaled', (r) => r.step === 'stop-cluster' && r.phase === 'begin'],
    ['during the installs', (r) => r.type === 'step' && r.step === 'task-started'],
    ['after a restart was requested', (r) => r.type === 'step' && r.step === 'restart-requested'],
    ['during the restore', (r) => r.step === 'restore'],
  ];

  it.each(points)('SIGKILL %s: --resume completes and restores everything', async (_name, match) => {
    const path = box.fixture(cluster(), 'off4.json');
    const child = box.start(['offline-update', '--simulate', path, '--sim-reset', '--force', '--json', '--sim-speed', '300']);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitForRecord(match);
    child.kill('SIGKILL');
    await exited;
    const resumed = box.run(['offline-update', '--simulate', path, '--resume', '--force', '--json']);
    const doc = parseJson<OfflineDoc>(resumed);
    expect({ code: resumed.code, status: doc.status, error: doc.errorRecord, stderr: resumed.stderr }).toEqual({ code: 0, status: 'Succeeded', error: null, stderr: '' });
    expect(doc.resumed).toBe(true);
    expect(doc.nodeResults.every((r) => r.status === 'Succeeded')).toBe(true);
    expectRestored(doc);
  }, 60_000);

  it('Ctrl-C during the installs restores the cluster and says the update was canceled (exit 3)', async () => {
    const path = box.fixture(cluster(), 'off4.json');
    const child = box.start(['offline-update', '--simulate', path, '--sim-reset', '--force', '--json', '--sim-speed', '300']);
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitForRecord((r) => r.type === 'step' && r.step === 'task-started');
    child.kill('SIGINT');
    const code = await exited;
    const doc = JSON.parse(stdout) as OfflineDoc;
    expect({ code, status: doc.status, errorCode: doc.errorRecord?.code }).toEqual({ code: 3, status: 'Canceled', errorCode: 'UserCanceled' });
    expect(doc.restore.abortedBecause).toContain('Interrupted');
    expect(doc.nodeResults.every((r) => r.status === 'Canceled')).toBe(true);
    expectRestored(doc);
  }, 60_000);
});
