// The drain gate's capacity half (invariant 9) as the node steps see it: the capacity reports read over each
// node's session, the verdict as a gate verdict, and a force switch's acceptance of the VMs that will go down.
import type { CallOptions, Gateway } from '../../cluster/gateway.js';
import type { ClusterInfo, NodeCapacity, OperationName, OperationParams, OperationResult } from '../../cluster/operations.js';
import { capacityGate, capacityShortfall } from './capacity.js';

/** Answers get-node-capacity from the reports given, per node; any other call is a bug of the test. */
function reportsGateway(reports: Record<string, NodeCapacity>): Gateway & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async call<N extends OperationName>(node: string, name: N, _params: OperationParams<N>, _options?: CallOptions): Promise<OperationResult<N>> {
      if (name !== 'get-node-capacity') throw new Error(`unexpected call: ${name}`);
      asked.push(node);
      const report = reports[node];
      if (report === undefined) throw new Error(`no report for ${node}`);
      return report as OperationResult<N>;
    },
  };
}

const cluster = (nodes: Array<[string, string[]]>): ClusterInfo => ({
  name: 'C1',
  nodes: nodes.map(([name, roles]) => ({ name, state: 'Up' as const, drainStatus: 'NotInitiated' as const, roles })),
  quorum: { healthy: true, witnessType: 'Cloud', witnessState: 'Online' },
  functionalLevel: 12,
  s2dEnabled: true,
  nativeCauRunInProgress: false,
});

const vm = (name: string, liveMigratable: boolean, memoryMB = 1024) => ({ name, role: name, state: 'Running', memoryMB, liveMigratable });

describe('capacityGate and capacityShortfall', () => {
  it('room for every running VM: the gate opens, nothing falls short', async () => {
    const gateway = reportsGateway({
      N1: { node: 'N1', memoryMB: 16384, vms: [vm('VM1', true)] },
      N2: { node: 'N2', memoryMB: 16384, vms: [] },
    });
    const two = cluster([['N1', ['VM1']], ['N2', []]]);
    expect(await capacityGate({ gateway }, two, 'N1')).toEqual({ ok: true });
    expect(await capacityShortfall({ gateway }, two, 'N1')).toEqual([]);
    expect(gateway.asked.sort()).toEqual(['N1', 'N1', 'N2', 'N2']);
  });

  it('the only node: the gate stays shut with the verdict; under a force switch it opens, handing over each VM once', async () => {
    const gateway = reportsGateway({ N1: { node: 'N1', memoryMB: 16384, vms: [vm('VM1', false), vm('VM2', true)] } });
    const alone = cluster([['N1', ['VM1', 'VM2']]]);
    expect(await capacityGate({ gateway }, alone, 'N1')).toEqual({
      ok: false,
      code: 'NoNodeForRoles',
      message:
        'The roles of N1 have nowhere to go: N1 is the only node of the cluster. A drain would fail, or VM1, VM2 would go down ' +
        "(running VMs: VM1, VM2). Bring another node into service first, or plan the downtime: CAU's switch that pauses a node " +
        'without draining it, accepting that its roles go down, is ForcePauseNoDrain.',
    });
    const accepted: string[][] = [];
    expect(await capacityGate({ gateway }, alone, 'N1', (vms) => accepted.push(vms))).toEqual({ ok: true });
    // VM1 is both stranded and not live-migratable: named once.
    expect(accepted).toEqual([['VM1', 'VM2']]);
    expect(await capacityShortfall({ gateway }, alone, 'N1')).toEqual(['VM1', 'VM2']);
  });
});
