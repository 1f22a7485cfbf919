/**
 * The reads groups.ts judges on, written once for the run and `--what-if`: storage health and the storage
 * fault domains (get-fault-domains) on S2D, and every node's memory and VMs. Depends on the gateway interface,
 * policy and preflight's capacity read only.
 */
import type { Gateway } from '../cluster/gateway.js';
import type { ClusterInfo } from '../cluster/operations.js';
import { capacityInputFrom, type CapacityInput } from './capacity.js';
import type { GroupStorage } from './groups.js';
import { judgeStorage } from './policy.js';
import { readCapacityReports } from './preflight.js';

/**
 * Storage as groups.ts needs it. Fault domains that cannot be read (an older node without
 * Get-ClusterFaultDomain, an access denial) are `null`: S2D then stays at one node, never guessed.
 */
export async function readGroupStorage(gateway: Gateway, entry: string, cluster: Pick<ClusterInfo, 's2dEnabled'>): Promise<GroupStorage> {
  if (!cluster.s2dEnabled) return { s2d: false };
  const healthy = judgeStorage(await gateway.call(entry, 'get-storage-health', {})).healthy;
  const faultDomains = await gateway.call(entry, 'get-fault-domains', {}).catch(() => null);
  return { s2d: true, healthy, faultDomains };
}

/** Every node's memory and VMs, as the capacity check of a group reads them. */
export async function readGroupCapacity(gateway: Gateway, cluster: ClusterInfo): Promise<Omit<CapacityInput, 'leaving'>> {
  const { nodes, vms } = capacityInputFrom(cluster, (await readCapacityReports(gateway, cluster)).capacity);
  return { nodes, vms };
}
