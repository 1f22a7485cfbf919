/**
 * The simulated cluster's feature-update facts: the build the functional level belongs to, the storage pool
 * version, VM state and configuration versions, Storage Replica and the Test-Cluster outcome. Plain data,
 * created from a fixture. Depends on the fixture types only.
 */
import type { ClusterFixture } from './fixture.js';

export interface SimVmState {
  state: 'Running' | 'Off';
  configurationVersion: string;
  /** Memory it holds when running, MB (fixture `vms.<role>.memoryMB`); absent: unknown. */
  memoryMB?: number;
  /** false: it cannot live-migrate (fixture `vms.<role>.liveMigratable`); absent: it can. */
  liveMigratable?: boolean;
}

export interface SimFeatureState {
  /** The OS build the functional level and pool version belong to (the lowest node build at creation). */
  clusterBuild: number;
  poolVersion: string;
  storageReplica: boolean;
  validation: { warning: string[]; failed: string[] };
  /** By role name; a role not listed is a Running VM at the version of `clusterBuild`. */
  vms: Record<string, SimVmState>;
}

/**
 * Rehearsal values per OS build: the pool version text and the default VM configuration version a host of
 * that build reports. They make the model's upgrade path visible; they are not a table of Windows releases.
 */
const BUILD_FACTS: ReadonlyArray<{ build: number; pool: string; vm: string }> = [
  { build: 14393, pool: 'Windows Server 2016', vm: '8.0' },
  { build: 17763, pool: 'Windows Server 2019', vm: '9.0' },
  { build: 20348, pool: 'Windows Server 2022', vm: '10.0' },
  { build: 25398, pool: 'Azure Stack HCI 23H2', vm: '11.0' },
  { build: 26100, pool: 'Windows Server 2025', vm: '12.0' },
];

function factsFor(build: number): { pool: string; vm: string } {
  let chosen = BUILD_FACTS[0]!;
  for (const f of BUILD_FACTS) if (f.build <= build) chosen = f;
  return chosen;
}

/** The pool version Update-StoragePool reaches on nodes of this build. */
export function poolVersionFor(build: number): string {
  return factsFor(build).pool;
}

/** Get-VMHostSupportedVersion -Default on a host of this build. */
export function vmVersionFor(build: number): string {
  return factsFor(build).vm;
}

export function createFeatureState(fx: ClusterFixture): SimFeatureState {
  const clusterBuild = Math.min(...fx.nodes.map((n) => n.osBuild));
  const vms: Record<string, SimVmState> = {};
  // Every role is a VM unless listed otherwise; its version is fixed now, before any node is upgraded.
  for (const role of fx.nodes.flatMap((n) => n.roles)) vms[role] = { state: 'Running', configurationVersion: vmVersionFor(clusterBuild) };
  for (const [name, vm] of Object.entries(fx.vms ?? {})) {
    vms[name] = {
      state: vm.state ?? 'Running',
      configurationVersion: vm.configurationVersion ?? vmVersionFor(clusterBuild),
      ...(vm.memoryMB !== undefined ? { memoryMB: vm.memoryMB } : {}),
      ...(vm.liveMigratable !== undefined ? { liveMigratable: vm.liveMigratable } : {}),
    };
  }
  return {
    clusterBuild,
    poolVersion: fx.storage.poolVersion ?? poolVersionFor(clusterBuild),
    storageReplica: fx.storage.storageReplica ?? false,
    validation: { warning: [...(fx.validation?.warning ?? [])], failed: [...(fx.validation?.failed ?? [])] },
    vms,
  };
}
