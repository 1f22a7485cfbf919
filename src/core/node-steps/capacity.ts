/**
 * The capacity gate before each drain (invariant 9): every Up node reports its memory and VMs over its own
 * session (get-node-capacity, read-only), and the pure check (src/core/capacity.ts) says whether the nodes
 * that stay in service can host the leaving node's running VMs. Depends on the step context only.
 */
import type { ClusterInfo } from '../../cluster/operations.js';
import { capacityInputFrom, checkCapacity, type CapacityVerdict } from '../capacity.js';
import type { GateVerdict } from '../policy.js';
import type { StepContext } from './context.js';

/** Reads every Up node's capacity and judges `leaving` against it. */
export async function readCapacity(ctx: Pick<StepContext, 'gateway'>, cluster: ClusterInfo, leaving: readonly string[]): Promise<CapacityVerdict> {
  const up = cluster.nodes.filter((n) => n.state === 'Up');
  const reports = await Promise.all(up.map((n) => ctx.gateway.call(n.name, 'get-node-capacity', {})));
  return checkCapacity(capacityInputFrom(cluster, reports, leaving));
}

/** The drain gate's capacity half, as a gate verdict with the catalogue's code. */
export async function capacityGate(ctx: Pick<StepContext, 'gateway'>, cluster: ClusterInfo, node: string): Promise<GateVerdict> {
  const verdict = await readCapacity(ctx, cluster, [node]);
  return verdict.ok ? { ok: true } : { ok: false, code: verdict.code, message: verdict.message };
}
