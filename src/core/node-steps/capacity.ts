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

/**
 * The drain gate's capacity half, on the cluster as it is now, as a gate verdict with the catalogue's code.
 * With `acceptDowntime` (a force switch was given), a shortfall is handed to it (the VMs that will go down)
 * and the gate opens: the switch is the operator's explicit acceptance of that downtime.
 */
export async function capacityGate(ctx: Pick<StepContext, 'gateway'>, cluster: ClusterInfo, node: string, acceptDowntime?: (vms: string[]) => void): Promise<GateVerdict> {
  const verdict = checkCapacity(await readCapacityInput(ctx.gateway, cluster, [node]));
  if (verdict.ok) return { ok: true };
  if (acceptDowntime !== undefined) {
    acceptDowntime([...new Set([...verdict.unplaced, ...verdict.notMigratable])]);
    return { ok: true };
  }
  return { ok: false, code: verdict.code, message: verdict.message };
}

/** The running VMs of `node` that no node staying in service could take live now (empty when all fit). */
export async function capacityShortfall(ctx: Pick<StepContext, 'gateway'>, cluster: ClusterInfo, node: string): Promise<string[]> {
  const verdict = checkCapacity(await readCapacityInput(ctx.gateway, cluster, [node]));
  return verdict.ok ? [] : [...new Set([...verdict.unplaced, ...verdict.notMigratable])];
}
