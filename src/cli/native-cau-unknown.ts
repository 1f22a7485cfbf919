/**
 * What read-only commands say when a node's MSFT_CAURun could not be read (get-cluster's nativeCauUnreadable):
 * they go on, and the commands that change the cluster refuse until it can be read. Depends on output only.
 */
import type { ClusterInfo } from '../cluster/operations.js';
import { lineSafe } from '../output/sanitize.js';

/** The warning line (without the `cauctl: warning:` prefix), or undefined when the native state was read. */
export function nativeCauUnknown(cluster: Pick<ClusterInfo, 'name' | 'nativeCauUnreadable'>): string | undefined {
  const why = cluster.nativeCauUnreadable;
  if (typeof why !== 'string') return undefined;
  return `native CAU state of ${cluster.name} unknown: ${lineSafe(why).replace(/\s*$/, '')} Until it can be read, run and the other commands that change the cluster refuse.`;
}
