/**
 * The table of node results, the same in `run`'s finished output and `get-report --detailed`: one row per node
 * with its status, attempts, updates, restart, time paused and error. Depends on core/report-query's node type
 * and output/.
 */
import type { NodeReport } from '../core/report-query.js';
import { formatDuration } from './format.js';
import type { HumanPrinter } from './result.js';

/** What the table reads of a node result: a stored report's node, which the run's own result also is. */
export type NodeResultView = Pick<
  NodeReport,
  'node' | 'status' | 'attempts' | 'numberOfSucceededUpdates' | 'numberOfFailedUpdates' | 'rebooted' | 'nodeRebootResult' | 'nodeSuspendedDurationSeconds' | 'errorRecord'
>;

/** `3 ok, 1 failed`, or `2 ok` when none failed. */
export function okAndFailed(ok: number, failed: number): string {
  return failed > 0 ? `${ok} ok, ${failed} failed` : `${ok} ok`;
}

export function printNodeResults(out: HumanPrinter, nodes: readonly NodeResultView[]): void {
  out.table(
    ['Node', 'Status', 'Attempts', 'Updates', 'Restart', 'Paused for', 'Error'],
    nodes.map((n) => [
      n.node,
      out.theme.status(n.status),
      String(n.attempts),
      okAndFailed(n.numberOfSucceededUpdates, n.numberOfFailedUpdates),
      n.rebooted ? (n.nodeRebootResult?.bootType ?? 'yes') : 'no',
      n.nodeSuspendedDurationSeconds === null ? '' : formatDuration(n.nodeSuspendedDurationSeconds),
      n.errorRecord ? `${n.errorRecord.code}: ${n.errorRecord.message}` : '',
    ]),
  );
}
