import { ClusterGateway } from '../cluster/gateway.js';
import type { ScriptInvocation, ScriptOutcome, Transport } from '../transport/transport.js';
import { CLUSTER_HISTORY_LIMIT, CLUSTER_HISTORY_PROPERTY, publishClusterSummary, readClusterSummaries, summarizeForCluster } from './run-history.js';
import type { RunResult } from './types.js';

/** A transport holding cluster properties in memory, with compare-and-set as the scripts do it. */
function propertyTransport(): Transport & { props: Map<string, string>; interfere?: () => void } {
  const props = new Map<string, string>();
  const t = {
    name: 'memory',
    props,
    interfere: undefined as (() => void) | undefined,
    async run(_node: string, inv: ScriptInvocation): Promise<ScriptOutcome> {
      const p = inv.params as { name: string; value?: string | null; expected?: string | null };
      if (inv.name === 'get-cluster-property') return { ok: true, data: { value: props.get(p.name) ?? null } };
      t.interfere?.();
      t.interfere = undefined;
      const current = props.get(p.name) ?? null;
      if (p.expected !== undefined && p.expected !== current) return { ok: true, data: { applied: false, current } };
      if (p.value === null || p.value === undefined) props.delete(p.name);
      else props.set(p.name, p.value);
      return { ok: true, data: { applied: true, current: p.value ?? null } };
    },
    async close() {},
  };
  return t;
}

function aResult(runId: string, startTime: string): RunResult {
  return {
    schemaVersion: 1,
    runId,
    clusterName: 'HCI01',
    status: 'PartiallyFailed',
    startTime,
    endTime: startTime,
    errorRecord: { code: 'NodesFailed', message: 'x'.repeat(1000) },
    plugins: ['Microsoft.WindowsUpdatePlugin'],
    maxFailedNodes: 1,
    nodeResults: [{ node: 'N1', status: 'Failed', attempts: 4, numberOfSucceededUpdates: 0, numberOfFailedUpdates: 1, installResults: [{ updateId: 'u', kb: 'KB1', title: 't', resultCode: 'Failed', errorCode: '0x1', rebootRequired: false }], rebooted: false, nodeRebootResult: { bootType: 'None', reboots: 0 }, errorRecord: { code: 'InstallFailed', message: 'boom' }, nodeSuspendedTimestamp: null, nodeSuspendedDurationSeconds: null, phases: [] }],
    warnings: [],
    resumed: false,
  };
}

const owner = { host: 'mgmt01', user: 'admin', pid: 1 };

describe('run summaries on the cluster', () => {
  it('keeps a compact summary of each run, newest last, at most the limit', async () => {
    const transport = propertyTransport();
    const gateway = new ClusterGateway(transport);
    for (let i = 0; i < CLUSTER_HISTORY_LIMIT + 3; i++) {
      await publishClusterSummary(gateway, 'HCI01', summarizeForCluster(aResult(`r${i}`, new Date(Date.UTC(2026, 0, 1 + i)).toISOString()), owner));
    }
    const list = await readClusterSummaries(gateway, 'HCI01');
    expect(list).toHaveLength(CLUSTER_HISTORY_LIMIT);
    expect(list[0]!.runId).toBe('r3');
    expect(list.at(-1)).toMatchObject({ runId: `r${CLUSTER_HISTORY_LIMIT + 2}`, coordinator: 'admin@mgmt01', source: 'cluster' });
    expect(list.at(-1)!.errorRecord!.message.length).toBeLessThanOrEqual(300);
    expect(list.at(-1)!.nodeResults[0]).not.toHaveProperty('installResults');
  });

  it('retries when another writer changed the property in between, keeping both', async () => {
    const transport = propertyTransport();
    const gateway = new ClusterGateway(transport);
    await publishClusterSummary(gateway, 'HCI01', summarizeForCluster(aResult('a', '2026-01-01T00:00:00.000Z'), owner));
    transport.interfere = () => transport.props.set(CLUSTER_HISTORY_PROPERTY, JSON.stringify([summarizeForCluster(aResult('other', '2026-01-02T00:00:00.000Z'), owner)]));
    await publishClusterSummary(gateway, 'HCI01', summarizeForCluster(aResult('b', '2026-01-03T00:00:00.000Z'), owner));
    expect((await readClusterSummaries(gateway, 'HCI01')).map((s) => s.runId)).toEqual(['other', 'b']);
  });

  it('reads nothing from an absent or damaged property', async () => {
    const transport = propertyTransport();
    const gateway = new ClusterGateway(transport);
    expect(await readClusterSummaries(gateway, 'HCI01')).toEqual([]);
    transport.props.set(CLUSTER_HISTORY_PROPERTY, '{not json');
    expect(await readClusterSummaries(gateway, 'HCI01')).toEqual([]);
  });
});
