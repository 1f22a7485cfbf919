/**
 * The capacity gate before each drain (invariant 9): every online node reports its memory and VMs over its
 * own session (preflight.ts's readCapacityInput, read-only), and the pure check (capacity.ts) says whether the
 * nodes that stay in service can host the leaving node's running VMs. Depends on the step context only.
 */
import type { ClusterInfo } from '../../cluster/operations.js';
import { checkCapacity } from '../capacity.js';
import type { GateVerdict } from '../policy.js';
import { readCapacityInput } from '../preflight.js';
import type { StepContext } from './context.js';

/** The drain gate's capacity half, on the cluster as it is now, as a gate verdict with the catalogue's code. */
export async function capacityGate(ctx: Pick<StepContext, 'gateway'>, cluster: ClusterInfo, node: string): Promise<GateVerdict> {
  const verdict = checkCapacity(await readCapacityInput(ctx.gateway, cluster, [node]));
  return verdict.ok ? { ok: true } : { ok: false, code: verdict.code, message: verdict.message };
}
