/**
 * Catalogue entries for feature updates and their finishing steps (cau-surface.md §8, §11): remoting
 * preparation, Test-Cluster, the cluster functional level, storage pool versions, VM configuration versions
 * and state, live migration and Storage Replica. Same shape as `operations`; depends on zod only.
 */
import { z } from 'zod';
import { networkCredentialParam } from './operations-credential.js';

/** Set-WSManQuickConfig, Enable-PSRemoting and the Remote Shutdown firewall group, each only when missing. */
export const prepareRemotingParams = z.object({});
export const prepareRemotingResult = z.object({ node: z.string(), applied: z.array(z.string()) });

/**
 * Test-Cluster, one category at a time, so each is classed on its own: an error is `failed`, a warning
 * `warning`, otherwise `passed`. Category names are Test-Cluster's `-Include` names.
 */
export const testClusterParams = z.object({
  include: z.array(z.string().min(1).max(80)).min(1).max(20),
  networkCredential: networkCredentialParam,
});
export const testClusterResult = z.object({
  passed: z.array(z.string()),
  warning: z.array(z.string()),
  failed: z.array(z.string()),
  /** One line per warning or failure, as Test-Cluster wrote it. */
  messages: z.array(z.string()),
  /** Path of the last validation report on the node, or null. */
  reportPath: z.string().nullable(),
});
export type TestClusterSummary = z.infer<typeof testClusterResult>;

/**
 * Update-ClusterFunctionalLevel. `whatIf` only tests feasibility (the cmdlet's -WhatIf). Without it, the
 * level is raised with -Force, and only after the feasibility test passed.
 */
export const updateFunctionalLevelParams = z.object({ whatIf: z.boolean() });
export const updateFunctionalLevelResult = z.object({
  /** ClusterFunctionalLevel after the call. */
  functionalLevel: z.number().int(),
  feasible: z.boolean(),
  updated: z.boolean(),
  /** Whether a raise is pending; null where the node cannot tell (then only a raise shows it). */
  pending: z.boolean().nullable(),
  message: z.string(),
});

const poolView = z.object({
  friendlyName: z.string(),
  /** Get-StoragePool's Version text, such as `Windows Server 2022`. */
  version: z.string(),
  healthStatus: z.string(),
  /** Whether Update-StoragePool would change it; null where the node cannot tell. */
  upgradeAvailable: z.boolean().nullable(),
});
/** Non-primordial storage pools only. */
export const getStoragePoolsParams = z.object({});
export const getStoragePoolsResult = z.object({ pools: z.array(poolView) });

export const updateStoragePoolParams = z.object({ friendlyName: z.string().min(1).max(256) });
export const updateStoragePoolResult = z.object({
  friendlyName: z.string(),
  versionBefore: z.string(),
  versionAfter: z.string(),
  updated: z.boolean(),
});

export const VmState = z.enum(['Running', 'Off', 'Saved', 'Paused', 'Other']);
/** The VMs this node hosts (Get-VM) and the configuration version new VMs get here (Get-VMHostSupportedVersion -Default). */
export const getVmsParams = z.object({});
export const getVmsResult = z.object({
  node: z.string(),
  defaultVersion: z.string(),
  vms: z.array(z.object({ name: z.string(), state: VmState, configurationVersion: z.string() })),
});

/** Stop-VM (guest shutdown) or Start-VM on the VM's host. */
export const setVmStateParams = z.object({ name: z.string().min(1).max(256), state: z.enum(['Off', 'Running']) });
export const setVmStateResult = z.object({ name: z.string(), state: VmState, changed: z.boolean() });

/** Update-VMVersion -Force on a stopped VM. */
export const updateVmVersionParams = z.object({ name: z.string().min(1).max(256) });
export const updateVmVersionResult = z.object({
  name: z.string(),
  versionBefore: z.string(),
  versionAfter: z.string(),
  updated: z.boolean(),
});

/** Move-ClusterVirtualMachineRole -MigrationType Live: a live migration of one clustered VM to `node`. */
export const moveVmParams = z.object({ name: z.string().min(1).max(256), node: z.string().min(1).max(63) });
export const moveVmResult = z.object({ name: z.string(), ownerNode: z.string(), state: z.string() });

/** Storage Replica on the cluster: the feature and its replication groups. */
export const getStorageReplicaParams = z.object({});
export const getStorageReplicaResult = z.object({ present: z.boolean(), groups: z.array(z.string()) });

export const featureOperations = {
  'prepare-remoting': { params: prepareRemotingParams, result: prepareRemotingResult, idempotent: true },
  'test-cluster': { params: testClusterParams, result: testClusterResult, idempotent: true },
  'update-functional-level': { params: updateFunctionalLevelParams, result: updateFunctionalLevelResult, idempotent: false },
  'get-storage-pools': { params: getStoragePoolsParams, result: getStoragePoolsResult, idempotent: true, readOnly: true },
  'update-storage-pool': { params: updateStoragePoolParams, result: updateStoragePoolResult, idempotent: false },
  'get-vms': { params: getVmsParams, result: getVmsResult, idempotent: true, readOnly: true },
  'set-vm-state': { params: setVmStateParams, result: setVmStateResult, idempotent: true },
  'update-vm-version': { params: updateVmVersionParams, result: updateVmVersionResult, idempotent: false },
  'move-vm': { params: moveVmParams, result: moveVmResult, idempotent: false },
  'get-storage-replica': { params: getStorageReplicaParams, result: getStorageReplicaResult, idempotent: true, readOnly: true },
} as const;
