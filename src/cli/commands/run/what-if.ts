/**
 * `cauctl run --what-if`: the run's own preflight and plan (core/preflight.ts, core/plan.ts), printed, with
 * nothing touched. It validates as the run does (an unknown node in --node-order is exit 2 in both), orders as
 * the run does, shows the capacity check of every drain, and exits 5 when the run would be refused.
 * Durations come from the model's timing block in a rehearsal, from defaults on a real cluster.
 */
import type { UpdateInfo } from '../../../cluster/operations.js';
import { gatherPreflight, judgePreflight, type Refusal } from '../../../core/preflight.js';
import { planRun, type RunPlan } from '../../../core/plan.js';
import { scanNode } from '../../../core/node-steps/scan.js';
import { readGroupStorage } from '../../../core/group-facts.js';
import type { ModePrediction } from '../../../core/mode-plan.js';
import type { RunProfile } from '../../../core/types.js';
import { ExitCode, describeError } from '../../../errors.js';
import { formatDuration } from '../../../output/format.js';
import { renderTable } from '../../../output/table.js';
import type { CommandEnv } from '../../command-env.js';
import type { ClusterContext } from '../../context.js';
import type { GlobalProfile } from '../../global-options.js';
import { modeFromScan, oneAtATime, planFromScan } from './scan-plan.js';

export interface WhatIf {
  readonly plan: RunPlan;
  /** --pre-install and --max-concurrent-nodes: the canary, the groups and the predicted total; absent in a serial run. */
  readonly mode?: ModePrediction;
  readonly refusals: readonly Refusal[];
  /** Online nodes that did not answer the preflight's read. */
  readonly unanswered: readonly string[];
}

/** Reads, validates, scans and predicts, touching nothing. Throws PROFILE_INVALID (exit 2) as the run does. */
export async function buildWhatIf(ctx: ClusterContext, profile: RunProfile): Promise<WhatIf> {
  const facts = await gatherPreflight(ctx.gateway, ctx.entry);
  // Validate before the scan, as the run does, so a typo fails at once.
  const target = planRun(facts.cluster, profile);
  // The run's own scan of a node (node-steps), on the nodes the run scans. Through the plain gateway, one try
  // each: the run's wait for a node that does not answer is predicted below, not spent here.
  const updates = new Map<string, UpdateInfo[]>();
  const scanFailures = new Map<string, string>();
  const down = new Set(facts.cluster.nodes.filter((n) => n.state === 'Down' || n.state === 'Unknown').map((n) => n.name));
  await Promise.all(
    target.order
      .filter((node) => !down.has(node))
      .map(async (node) => {
        try {
          updates.set(node, await scanNode(ctx.gateway, node, profile.plugins));
        } catch (error) {
          scanFailures.set(node, describeError(error));
        }
      }),
  );
  // Judged as the run judges it: before its scan, so every Up node's drain is checked, updates or not.
  const verdict = judgePreflight(facts, { profile });
  const storage = await ctx.gateway.call(ctx.entry, 'get-storage-health', {});
  const plan = planFromScan({
    facts,
    capacity: verdict.capacity,
    scan: { target: verdict.target, down, updates, scanFailures },
    s2d: storage.s2dEnabled,
    profile,
    model: ctx.sim,
  });
  // The storage read is for a mode's groups only.
  const mode = oneAtATime(profile)
    ? undefined
    : modeFromScan({ plan, facts, maxFailedNodes: verdict.target.maxFailedNodes, storage: await readGroupStorage(ctx.gateway, ctx.entry, facts.cluster), profile, model: ctx.sim });
  return { plan, ...(mode !== undefined ? { mode } : {}), refusals: verdict.refusals, unanswered: [...facts.unanswered.keys()] };
}

function printMode(mode: ModePrediction, env: CommandEnv): void {
  const out = env.io.stdout;
  const name = [mode.preInstall ? 'canary, then pre-install' : undefined, mode.maxConcurrentNodes > 1 ? `up to ${mode.maxConcurrentNodes} nodes at once` : undefined].filter(Boolean).join('; ');
  out.write(`Mode: ${name}.\n`);
  if (mode.canary !== null) {
    out.write(`  canary: ${mode.canary} goes through the whole cycle first; then the others pre-install while they serve (${formatDuration(mode.preInstallSeconds)}), and each window holds the drain, the restart, a rescan, the resume and, on S2D, the resync.\n`);
  }
  for (const [i, g] of mode.groups.entries()) {
    out.write(`  group ${i + 1}: ${g.nodes.join(', ')}${g.limit !== 'k' && mode.maxConcurrentNodes > 1 ? ` (${g.reason})` : ''}\n`);
  }
  out.write(`Predicted total in this mode: ${formatDuration(mode.predictedSeconds)} (one node at a time: ${formatDuration(mode.serialSeconds)}).\n`);
}

function printWhatIf({ plan, mode, refusals, unanswered }: WhatIf, env: CommandEnv, ctx: ClusterContext): void {
  const rows: string[][] = [];
  const scanNote = unanswered.length > 0 ? `all nodes in parallel; ${unanswered.join(', ')} ${unanswered.length === 1 ? 'does' : 'do'} not answer: retried until the reconnect deadline` : 'all nodes in parallel';
  for (const p of plan.preflight) rows.push(['(all)', '', p.phase, formatDuration(p.seconds), p.phase === 'stage' ? 'all nodes in parallel, before the first drain' : scanNote]);
  for (const n of plan.nodes) {
    if (n.phases.length === 0) rows.push([`${n.position}. ${n.node}`, String(n.roles), '-', formatDuration(0), n.note ?? '']);
    n.phases.forEach((p, i) =>
      rows.push([i === 0 ? `${n.position}. ${n.node}` : '', i === 0 ? String(n.roles) : '', p.phase, formatDuration(p.seconds), i === 0 ? n.updates.map((u) => u.kb || u.title).join(', ') : (p.detail ?? '')]),
    );
  }
  const out = env.io.stdout;
  out.write(`What if: rolling run of ${plan.clusterName} (durations from ${plan.timingSource === 'model' ? "the model's timing" : 'defaults'}). Nothing was touched.\n`);
  out.write(renderTable(['Node', 'Roles', 'Phase', 'Predicted', 'Updates'], rows, { tty: out.isTTY }));
  out.write(`Predicted total${mode !== undefined ? ', one node at a time' : ''}: ${formatDuration(plan.totalSeconds)}\n`);
  if (mode !== undefined) printMode(mode, env);
  if (!plan.followUpsKnown) {
    out.write('Follow-up updates show only once their parent is installed: each one adds an install and a rescan to its node, not counted above.\n');
  }
  out.write(`MaxFailedNodes: ${plan.maxFailedNodes}\n`);
  const checked = plan.nodes.filter((n) => n.capacity !== undefined);
  if (checked.length > 0) {
    out.write('Capacity before each drain:\n');
    for (const n of checked) {
      const v = n.capacity!;
      out.write(v.ok ? `  ${n.node}: ${ctx.theme.status('Pass')} ${v.summary}\n` : `  ${n.node}: ${ctx.theme.status('Fail')} ${v.code}: ${v.message}\n`);
    }
  }
  if (refusals.length > 0) {
    out.write(ctx.theme.err(`The run would be refused before touching anything (exit 5):\n`));
    const short = checked.filter((n) => n.capacity?.ok === false).map((n) => n.node);
    for (const r of refusals) {
      // A capacity refusal repeats the failing lines above; name the nodes instead of printing them twice.
      const capacityRefusal = plan.nodes.some((n) => n.capacity?.ok === false && n.capacity.code === r.code);
      out.write(capacityRefusal ? `  ${r.code}: the capacity check above fails for ${short.join(', ')}\n` : `  ${r.code}: ${r.message}\n  try: ${r.hint}\n`);
    }
  }
}

/** The body of `run --what-if`: 0 when the run would start, 5 when it would be refused. */
export async function runWhatIf(profile: RunProfile, globals: GlobalProfile, env: CommandEnv, ctx: ClusterContext): Promise<number> {
  const whatIf = await buildWhatIf(ctx, profile);
  if (globals.output === 'human') printWhatIf(whatIf, env, ctx);
  else env.io.stdout.write(`${JSON.stringify({ schemaVersion: 1, whatIf: true, ...whatIf.plan, ...(whatIf.mode !== undefined ? { mode: whatIf.mode } : {}), wouldRefuse: whatIf.refusals.length > 0, refusals: whatIf.refusals }, null, 2)}\n`);
  return whatIf.refusals.length > 0 ? ExitCode.refused : ExitCode.ok;
}
