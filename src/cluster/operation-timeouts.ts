/**
 * The default deadline of one gateway call, from the operation's kind, so that no operation waits as long as
 * its command lives (a hung cmdlet, a half-open connection). The caller may pass its own `timeoutMs`; a call
 * that runs past its deadline fails with OPERATION_TIMEOUT (exit 4, transient: the retrying gateway repeats
 * an idempotent one within its own deadline). Documented in docs/error-codes.md ("Operation deadlines").
 * Pure; depends on the catalogue's names only.
 */
import type { OperationName } from './operations.js';

/**
 * - `query`: reads state and returns (Get-ClusterNode, Get-StorageSubSystem, a cluster property).
 * - `change`: changes state and returns once it is done (resume, a role change, scheduling a restart).
 * - `long-poll`: waits on the node up to its own `timeoutSeconds` parameter (times the number of `names`, for
 *   a call that waits for each in turn), then returns where things stand.
 * - `long-running`: work whose length the node decides (a Windows Update search, Test-Cluster, a node-side
 *   script, installing features, a live migration).
 */
export type OperationKind = 'query' | 'change' | 'long-poll' | 'long-running';

/** The default deadline of each kind, in ms. `long-poll` is its own wait plus LONG_POLL_MARGIN_MS. */
export const KIND_TIMEOUT_MS: Readonly<Record<Exclude<OperationKind, 'long-poll'>, number>> = {
  /** @default 120000 (2 min) */
  query: 2 * 60_000,
  /** @default 300000 (5 min) */
  change: 5 * 60_000,
  /** @default 3600000 (60 min) */
  'long-running': 60 * 60_000,
};

/** What a long poll may take beyond the wait it was asked for: connection, start of PowerShell, the reply. @default 300000 */
export const LONG_POLL_MARGIN_MS = 5 * 60_000;

/**
 * Every operation's kind. A mapped type over the catalogue: an operation added without a kind is a compile
 * error, so no operation falls back to an unbounded wait.
 */
export const OPERATION_KINDS: { readonly [N in OperationName]: OperationKind } = {
  'get-cluster': 'query',
  'get-storage-health': 'query',
  'get-fault-domains': 'query',
  'wait-storage-healthy': 'long-poll',
  'get-cluster-property': 'query',
  'set-cluster-property': 'change',
  'get-node-setup': 'query',
  'repair-setup': 'long-running',
  'scan-updates': 'long-running',
  'start-update-task': 'change',
  'wait-update-task': 'long-poll',
  'get-node-status': 'query',
  'suspend-node': 'long-poll',
  'get-node-capacity': 'query',
  'resume-node': 'change',
  'restart-node': 'change',
  'invoke-node-script': 'long-running',
  'get-cluster-service': 'query',
  'set-cluster-service': 'change',
  'get-cluster-disks': 'query',
  'set-cluster-disks': 'long-poll',
  'stop-cluster': 'long-poll',
  'start-cluster': 'long-poll',
  'get-cau-role': 'query',
  'add-cau-role': 'change',
  'set-cau-role': 'change',
  'change-cau-role': 'change',
  'update-cau-role-now': 'change',
  'prepare-remoting': 'change',
  'test-cluster': 'long-running',
  'update-functional-level': 'change',
  'get-storage-pools': 'query',
  'update-storage-pool': 'change',
  'get-vms': 'query',
  'set-vm-state': 'change',
  'update-vm-version': 'change',
  'move-vm': 'long-running',
  'get-storage-replica': 'query',
  'get-native-cau': 'query',
  'hold-cau-role': 'change',
};

/** The default `timeoutMs` of a call of `name` with `params` (pure). */
export function defaultTimeoutMs(name: OperationName, params: unknown): number {
  const kind = OPERATION_KINDS[name];
  if (kind !== 'long-poll') return KIND_TIMEOUT_MS[kind];
  const p = (params ?? {}) as { timeoutSeconds?: unknown; names?: unknown };
  const waitSeconds = typeof p.timeoutSeconds === 'number' ? p.timeoutSeconds : 0;
  const each = Array.isArray(p.names) ? Math.max(1, p.names.length) : 1;
  return waitSeconds * each * 1000 + LONG_POLL_MARGIN_MS;
}
