/**
 * The first read of a command that needs a failover cluster (get-cluster on the entry) found none running there
 * (CLUSTER_UNAVAILABLE): standalone servers, or a cluster whose service is stopped. Refused before anything is
 * touched (exit 5) with both ways out, instead of a failed operation (exit 3).
 * Depends on the gateway's error type and errors.ts only.
 */
import { OperationFailedError } from '../cluster/gateway.js';
import { ScriptErrorCode } from '../cluster/operations.js';
import { refusedError, type AppError } from '../errors.js';

/** `error` as the refusal when it says no cluster runs at `entry`; undefined for any other error. */
export function clusterUnavailableRefusal(entry: string, error: unknown): AppError | undefined {
  if (!(error instanceof OperationFailedError) || error.scriptCode !== ScriptErrorCode.clusterUnavailable) return undefined;
  return refusedError('CLUSTER_UNAVAILABLE', `No failover cluster answers at ${entry}: ${error.message.replace(/\s*$/, '')} Nothing was touched.`, {
    hint: `If ${entry} is a cluster, start its cluster service (Get-Service ClusSvc; Start-Cluster) and try again. If these are standalone servers in no cluster, update them with: cauctl clusterless-run --computer-name <server1,server2,...>`,
    details: { operation: error.operation, node: error.node, scriptCode: error.scriptCode },
  });
}
