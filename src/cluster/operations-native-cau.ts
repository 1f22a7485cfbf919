/**
 * Operations about native Cluster-Aware Updating, read and changed from a node's own session without network
 * credentials (docs/windows-requirements.md, "Native CAU"): whether a native Updating Run holds this node (its
 * MSFT_CAURun object, local CIM), and the CAU clustered role's group, taken offline and brought back online
 * through the cluster API (Stop-/Start-ClusterGroup, which the cluster service carries out) to hold
 * self-updating off while cauctl runs. Same shape as the entries of `operations`, which spreads this in.
 * Depends on zod only.
 */
import { z } from 'zod';

/** Get-ClusterGroup's State, by name. */
export const ClusterGroupState = z.enum(['Online', 'Offline', 'Failed', 'PartialOnline', 'Pending', 'Unknown']);
export type ClusterGroupState = z.infer<typeof ClusterGroupState>;

/** The CAU clustered role's cluster group as the cluster API shows it. */
export const cauRoleGroup = z.object({
  /** The owner group of the resource of type ClusterAwareUpdatingResource. */
  groupName: z.string().min(1),
  /** Online: self-updating may start Updating Runs on its schedule; Offline: it cannot (Disable-CauClusterRole's state). */
  state: ClusterGroupState,
  /** The node hosting the role, where its coordinator runs a self-updating run. */
  ownerNode: z.string(),
});
export type CauRoleGroup = z.infer<typeof cauRoleGroup>;

export const getNativeCauParams = z.object({});
export const getNativeCauResult = z.object({
  node: z.string(),
  /** An MSFT_CAURun object exists on this node: a native Updating Run (or its leftover) holds the cluster. */
  runInProgress: z.boolean(),
  /** That object's OrchestratorGuid: which native coordinator. */
  orchestratorGuid: z.string().nullable(),
  /** The CAU WMI provider answered; false where the CAU feature is absent (no native run can exist then). */
  providerPresent: z.boolean(),
  /** The CAU clustered role, or null when the cluster has none. */
  role: cauRoleGroup.nullable(),
});
export type NativeCauView = z.infer<typeof getNativeCauResult>;

export const holdCauRoleParams = z.object({ groupName: z.string().min(1), state: z.enum(['Offline', 'Online']) });
export const holdCauRoleResult = cauRoleGroup;

/** Script error codes of these operations. */
export const NativeCauErrorCode = {
  /** The role's group is not (or no longer) the owner group of a ClusterAwareUpdatingResource. */
  roleNotFound: 'CAU_ROLE_NOT_FOUND',
  /**
   * MSFT_CAURun could not be read (access denied, or any failure but an absent CAU provider): whether a native
   * run is in progress is unknown. get-native-cau and get-cluster both refuse to answer "no run" then.
   */
  unreadable: 'NATIVE_CAU_UNREADABLE',
} as const;

export const nativeCauOperations = {
  'get-native-cau': { params: getNativeCauParams, result: getNativeCauResult, idempotent: true, readOnly: true },
  'hold-cau-role': { params: holdCauRoleParams, result: holdCauRoleResult, idempotent: true },
} as const;
