/**
 * Operations of the offline (all-at-once) update (cau-surface.md §11 "Offline"): the cluster service's start
 * mode per node, the cluster's virtual disk resources, and the cluster service stopped and started node by
 * node. Same shape as the
 * entries of `operations`, which spreads this in. Depends on zod only.
 */
import { z } from 'zod';

/**
 * Typical durations of the cluster-wide steps, in seconds: what predictions use when nothing better is known,
 * and what the simulator takes unless the fixture's `timing` overrides them.
 */
export const OFFLINE_STEP_SECONDS = {
  /** A node's cluster service stops. */
  stopCluster: 60,
  /** The cluster forms once enough nodes' services have started. */
  startCluster: 90,
  /** Taking the virtual disk resources offline, or bringing them online. */
  diskState: 10,
} as const;

/** Get-Service's StartType for ClusSvc, as cauctl reports it. */
export const ServiceStartMode = z.enum(['Automatic', 'Manual', 'Disabled']);
export type ServiceStartMode = z.infer<typeof ServiceStartMode>;

export const getClusterServiceParams = z.object({});
export const clusterServiceResult = z.object({
  node: z.string(),
  startMode: ServiceStartMode,
  /** Get-Service Status: `Running`, `Stopped`, `StartPending`, ... */
  status: z.string(),
});
export type ClusterServiceInfo = z.infer<typeof clusterServiceResult>;

/** Sets ClusSvc's start mode on the node it runs on (Set-Service); never starts or stops the service. */
export const setClusterServiceParams = z.object({ startMode: z.enum(['Automatic', 'Disabled']) });

/** A virtual disk's cluster resource (Physical Disk resource or Cluster Shared Volume). */
export const ClusterDisk = z.object({
  /** The cluster resource name, e.g. `Cluster Virtual Disk (UserStorage_1)`. */
  name: z.string().min(1),
  /** The virtual disk's FriendlyName (the resource's VirtualDiskName private property). */
  virtualDisk: z.string(),
  /** Resource state: `Online`, `Offline`, `Failed`, `OnlinePending`, `OfflinePending`, `Unknown`. */
  state: z.string(),
  isSharedVolume: z.boolean(),
});
export type ClusterDisk = z.infer<typeof ClusterDisk>;

export const getClusterDisksParams = z.object({});
export const clusterDisksResult = z.object({ disks: z.array(ClusterDisk) });

/** Takes the named disk resources offline or brings them online, waiting up to timeoutSeconds for each. */
export const setClusterDisksParams = z.object({
  names: z.array(z.string().min(1)).min(1),
  state: z.enum(['Online', 'Offline']),
  timeoutSeconds: z.number().int().min(1),
});

/**
 * Stops the cluster service on the node it runs on only (Stop-Service ClusSvc, over that node's own session:
 * Stop-Cluster would reach the other nodes' service managers, a second hop). The coordinator calls it on
 * every node; the cluster stops once too few run. A service already stopped is not an error.
 */
export const stopClusterParams = z.object({ timeoutSeconds: z.number().int().min(1) });
export const stopClusterResult = z.object({ stopped: z.boolean(), alreadyStopped: z.boolean() });

/**
 * Starts the cluster service on the node it runs on only (no Start-Cluster, which would reach the other
 * nodes' service managers) and waits until the cluster has quorum or timeoutSeconds pass; the coordinator
 * calls it on every node at once. Resources come online per their persisted state, so disks taken offline
 * before the stop stay offline.
 */
export const startClusterParams = z.object({ timeoutSeconds: z.number().int().min(1) });
export const startClusterResult = z.object({
  alreadyRunning: z.boolean(),
  quorum: z.boolean(),
  /** Nodes whose cluster node state is Up after the start. */
  nodesUp: z.array(z.string()),
});

export const offlineOperations = {
  'get-cluster-service': { params: getClusterServiceParams, result: clusterServiceResult, idempotent: true, readOnly: true },
  'set-cluster-service': { params: setClusterServiceParams, result: clusterServiceResult, idempotent: true },
  'get-cluster-disks': { params: getClusterDisksParams, result: clusterDisksResult, idempotent: true, readOnly: true },
  'set-cluster-disks': { params: setClusterDisksParams, result: clusterDisksResult, idempotent: true },
  'stop-cluster': { params: stopClusterParams, result: stopClusterResult, idempotent: false },
  'start-cluster': { params: startClusterParams, result: startClusterResult, idempotent: false },
} as const;
