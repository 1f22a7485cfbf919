/**
 * What a run will do, said before the admin confirms it: the nodes in their order with the number of updates
 * on each and its predicted time, the capacity check of each drain, the predicted duration and finish time,
 * the failure budget, and what would make the run refuse. Depends on core's plan type and output/ only.
 */
import type { ModePrediction } from '../core/mode-plan.js';
import type { RunPlan } from '../core/plan.js';
import { formatClock, formatDuration, formatZoneOffset, plural } from './format.js';
import { renderTable } from './table.js';
import type { Theme } from './theme.js';
import { wrapText } from './wrap.js';

export interface PlanSummaryOptions {
  readonly theme: Theme;
  /** Columns of the terminal: the table fits them. */
  readonly width: number;
  readonly nowMs: number;
  readonly zone: string;
  /** What would make the run refuse before touching anything (the preflight's verdict). */
  readonly refusals?: ReadonlyArray<{ readonly code: string; readonly message: string }>;
  /** The run's mode (--pre-install, --max-concurrent-nodes), when it has one: its order and total are said. */
  readonly mode?: ModePrediction;
}

/** Why the first group that holds fewer than k nodes does (groups.ts's reason), when one does for a reason. */
function fewerWhy(mode: ModePrediction): string {
  const first = mode.groups.find((g) => g.nodes.length < mode.maxConcurrentNodes && g.limit !== 'k' && g.limit !== 'order');
  return first === undefined ? '' : `; group ${mode.groups.indexOf(first) + 1} holds ${first.reason}`;
}

/** How the run takes its nodes, in words: one at a time, or the mode's canary and groups. */
function howTaken(mode: ModePrediction | undefined): string {
  if (mode === undefined || (!mode.preInstall && mode.maxConcurrentNodes <= 1)) return 'one at a time';
  const parts = [
    ...(mode.canary !== null ? [`${mode.canary} first (the canary), then the others pre-install while they serve`] : []),
    ...(mode.maxConcurrentNodes > 1 ? [`up to ${mode.maxConcurrentNodes} at once where capacity, quorum and storage allow (${plural(mode.groups.length, 'group')}: ${mode.groups.map((g) => g.nodes.join(' + ')).join(', ')}${fewerWhy(mode)})`] : []),
  ];
  return parts.join('; ');
}

/** The text (whole lines) shown above the confirmation question. */
export function describePlan(plan: RunPlan, options: PlanSummaryOptions): string {
  const { theme } = options;
  const rows = plan.nodes.map((n) => {
    const followUps = n.followUps.reduce((s, round) => s + round.length, 0);
    const updates = n.updates.length === 0 ? '0' : followUps > 0 ? `${n.updates.length} + ${followUps} follow-up` : String(n.updates.length);
    const v = n.capacity;
    const moves = v?.ok ? (v.moves.length > 0 ? v.moves.map((m) => `${m.vm} → ${m.to}`).join(', ') : 'nothing to move') : '';
    const capacity = v === undefined ? '-' : v.ok ? `${theme.status('Pass')}: ${moves}` : `${theme.status('Fail')} ${v.code}: ${v.message}`;
    return [`${n.position}. ${n.node}`, updates, n.seconds > 0 ? formatDuration(n.seconds) : (n.note ?? '-'), capacity];
  });
  const mode = options.mode !== undefined && (options.mode.preInstall || options.mode.maxConcurrentNodes > 1) ? options.mode : undefined;
  const total = mode?.predictedSeconds ?? plan.totalSeconds;
  const finish = options.nowMs + total * 1000;
  const say = (text: string): string => wrapText(text, options.width);
  const lines = [
    say(`Rolling run of ${plan.clusterName}: ${plural(plan.nodes.length, 'node')}, ${howTaken(mode)}, in this order:`),
    renderTable(['Node', 'Updates', 'Predicted', 'Capacity check of its drain'], rows, { tty: true, width: options.width }).trimEnd(),
    say(`Predicted duration ${formatDuration(total)} (${mode !== undefined ? `one node at a time: ${formatDuration(plan.totalSeconds)}; ` : ''}durations from ${plan.timingSource === 'model' ? "the model's timing" : 'defaults'}): finish ~${formatClock(finish, options.zone, options.nowMs)} ${formatZoneOffset(finish, options.zone)}.`),
    ...(plan.nodes.some((n) => n.capacity?.ok === true && n.capacity.basis === 'placement') ? [say('Capacity judged on placement only where a node reports no memory figures.')] : []),
    ...(plan.followUpsKnown ? [] : [say('Follow-up updates show only once their parent is installed: each adds an install and a rescan to its node, not counted above.')]),
    `MaxFailedNodes: ${plan.maxFailedNodes}.`,
    ...(options.refusals ?? []).map((r) => say(theme.err(`The run will refuse before touching anything: ${r.code}: ${r.message}`))),
  ];
  return `${lines.join('\n')}\n`;
}
