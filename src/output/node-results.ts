/**
 * The table of node results, the same in `run`'s finished output and `get-report --detailed`: one row per node
 * with its status, attempts, updates, restart (one entry, however many phases it took), time paused and error. Depends on core/report-query's node type
 * and output/.
 */
import type { NodeReport } from '../core/report-query.js';
import { formatDuration } from './format.js';
import type { HumanPrinter } from './result.js';

/** What the table reads of a node result: a stored report's node, which the run's own result also is. */
export type NodeResultView = Pick<
  NodeReport,
  'node' | 'status' | 'attempts' | 'numberOfSucceededUpdates' | 'numberOfFailedUpdates' | 'rebooted' | 'nodeRebootResult' | 'nodeSuspendedDurationSeconds' | 'errorRecord'
> & { readonly phases: ReadonlyArray<Pick<NodeReport['phases'][number], 'phase' | 'start' | 'end'>> };

/** The two recorded halves of a restart: the restart call, then the wait until the node is back. */
const RESTART_PHASES = new Set(['reboot', 'wait-node']);

/**
 * A restart as a person sees it: its kind, how many, and its real duration (the restart call plus the wait for
 * the node, summed over every restart): `FullReboot, 6m 06s`, `2 × FullReboot, 12m 12s`; `no` without one.
 */
export function describeRestart(n: NodeResultView): string {
  if (!n.rebooted) return 'no';
  const kind = n.nodeRebootResult?.bootType ?? 'yes';
  const count = n.nodeRebootResult?.reboots ?? 1;
  const ms = n.phases.filter((p) => RESTART_PHASES.has(p.phase)).reduce((sum, p) => sum + Math.max(0, Date.parse(p.end) - Date.parse(p.start) || 0), 0);
  return `${count > 1 ? `${count} × ` : ''}${kind}${ms > 0 ? `, ${formatDuration(ms / 1000)}` : ''}`;
}

/** `3 ok, 1 failed`, or `2 ok` when none failed. */
export function okAndFailed(ok: number, failed: number): string {
  return failed > 0 ? `${ok} ok, ${failed} failed` : `${ok} ok`;
}

/**
 * One row per node. "Paused for" only when some node was paused: standalone servers (clusterless-run) are never
 * paused, and a column that is always empty reads as missing data.
 */
export function printNodeResults(out: HumanPrinter, nodes: readonly NodeResultView[]): void {
  const paused = nodes.some((n) => n.nodeSuspendedDurationSeconds !== null);
  out.table(
    ['Node', 'Status', 'Attempts', 'Updates', 'Restart', ...(paused ? ['Paused for'] : []), 'Error'],
    nodes.map((n) => [
      n.node,
      out.theme.status(n.status),
      String(n.attempts),
      okAndFailed(n.numberOfSucceededUpdates, n.numberOfFailedUpdates),
      describeRestart(n),
      ...(paused ? [n.nodeSuspendedDurationSeconds === null ? '' : formatDuration(n.nodeSuspendedDurationSeconds)] : []),
      n.errorRecord ? `${n.errorRecord.code}: ${n.errorRecord.message}` : '',
    ]),
  );
}
