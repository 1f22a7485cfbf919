/**
 * The body of `cauctl offline-update`: the guards (window, typed confirmation, resume), the journal, Ctrl-C,
 * the procedure, then the JSON document or the summary. The procedure itself is core/offline-update.ts.
 */
import { randomUUID } from 'node:crypto';
import { lockLiveness, readLock, describeOwner } from '../../../core/cluster-lock.js';
import { saveReport } from '../../../journal/history.js';
import { DEFAULT_TIMING } from '../../../core/plan.js';
import { exitCodeFor } from '../../../core/error-codes.js';
import {
  OfflineUpdate,
  offlineTiming,
  predictOfflineDowntime,
  readOfflineCluster,
  replayOfflineJournal,
  type DowntimePrediction,
  type OfflineProfile,
  type OfflineTiming,
  type OfflineResult,
} from '../../../core/offline-update.js';
import { ExitCode, refusedError, usageError } from '../../../errors.js';
import { journalDir, journalPath, type JournalSummary } from '../../../journal/journal.js';
import { assertWritableDir } from '../../../platform/fs.js';
import { describeAudit, formatDuration, formatTime } from '../../../output/format.js';
import { writeResult, type HumanPrinter } from '../../../output/result.js';
import { fanOut } from '../../../core/events.js';
import { OfflineEventJournal, offlineStepsDone } from '../../../output/offline-events.js';
import { RunBoard, type ClusterStepPlan } from '../../../output/run-board.js';
import { hostTimeZone } from '../../../platform/zone.js';
import { windowContains, windowSecondsLeft, type OfflineMode } from '../../../profiles/offline-profile.js';
import type { CommandEnv } from '../../command-env.js';
import { isProcessAlive, openJournal, openCluster, progressFor, resultEnvFor, type ClusterContext } from '../../context.js';
import type { GlobalProfile } from '../../global-options.js';
import { createProgressSinks, type ProgressSinks } from '../../run-deps.js';
import { selectOfflineToResume } from './resume.js';

/**
 * The live view's plan of an offline update: its cluster-wide steps in order, with the seconds the downtime
 * prediction gives them (the slowest node's install and restart is the `update` step; nodes work at once).
 */
function offlineStepPlan(clusterName: string, nodes: readonly string[], timing: OfflineTiming, prediction: DowntimePrediction): ClusterStepPlan {
  const { parts } = prediction;
  const steps: Array<[string, number]> = [
    ['stage', prediction.slowestNode === null ? 0 : timing.downloadSeconds],
    ['disks-offline', timing.diskStateSeconds],
    ['stop-cluster', parts.stopCluster],
    ['services-disabled', 0],
    ['update', parts.slowestNode],
    ['services-automatic', 0],
    ['start-cluster', parts.startCluster],
    ['disks-online', parts.disksOnline],
    ['watch', 0],
  ];
  return { clusterName, nodes, steps: steps.map(([step, seconds]) => ({ step, seconds })) };
}

/**
 * The nodes the downtime prediction and the live view count: the cluster's own list (get-cluster, on a real
 * cluster as on a model), or, when an interrupted update is continued (its cluster may be stopped), the nodes
 * its journal recorded before it touched anything. Refused (exit 5) when a new update finds no running cluster.
 */
async function nodesToPredict(ctx: ClusterContext, interrupted: JournalSummary | undefined): Promise<readonly string[]> {
  const pre = interrupted === undefined ? null : replayOfflineJournal(interrupted.records, interrupted.path).preState;
  if (pre !== null) return pre.nodes.filter((n) => !pre.missingNodes.includes(n));
  return (await readOfflineCluster(ctx.gateway, ctx.entry)).nodes.map((n) => n.name);
}

function checkWindow(mode: OfflineMode, nowMs: number, predictedSeconds: number, env: CommandEnv): void {
  if (mode.window === undefined) return;
  const local = new Date(nowMs);
  const minute = local.getHours() * 60 + local.getMinutes();
  if (!windowContains(mode.window, nowMs, minute)) {
    throw refusedError('OUTSIDE_MAINTENANCE_WINDOW', `It is ${formatTime(nowMs, hostTimeZone())}, outside the maintenance window ${mode.window.text}; nothing was touched.`, {
      hint: 'Start inside the window, or give the window you mean.',
    });
  }
  const left = windowSecondsLeft(mode.window, nowMs, minute, local.getSeconds());
  if (left < predictedSeconds) {
    env.io.stderr.write(`cauctl: warning: ${formatDuration(left)} of the maintenance window is left; the downtime is predicted at ${formatDuration(predictedSeconds)}.\n`);
  }
}

async function refuseLiveLock(ctx: ClusterContext): Promise<void> {
  const { lock } = await readLock({ gateway: ctx.gateway, entryNode: ctx.entry });
  if (lock === null) return;
  const liveness = lockLiveness(lock, ctx.wallClock.now(), { owner: ctx.owner, isProcessAlive });
  if (liveness.live) {
    throw refusedError('LOCK_HELD', `A cauctl run of ${describeOwner(lock)} holds the lock of ${ctx.entry}; nothing was touched.`, {
      hint: 'Wait for that run to end, or stop it with: cauctl stop-run',
    });
  }
}

function printSummary(doc: OfflineResult & { predictedDowntimeSeconds: number }, out: HumanPrinter): void {
  const { theme } = out;
  const rows = doc.nodeResults.map((r) => [
    r.node,
    theme.status(r.status),
    String(r.numberOfSucceededUpdates),
    String(r.numberOfFailedUpdates),
    r.bootTime === null ? '-' : formatTime(r.bootTime, hostTimeZone()),
    r.rebootSeconds === null ? '-' : formatDuration(r.rebootSeconds),
    r.errorRecord ? `${r.errorRecord.code}: ${r.errorRecord.message}` : '',
  ]);
  out.table(['Node', 'Status', 'Updated', 'Failed', 'Boot time', 'Restart', 'Error'], rows);
  const downtime = doc.downtime?.seconds;
  out.line(`Downtime: ${downtime === null || downtime === undefined ? 'cluster not back' : formatDuration(downtime)} (predicted ${formatDuration(doc.predictedDowntimeSeconds)})`);
  for (const w of doc.warnings) out.line(`  warning: ${w}`);
  for (const p of doc.restore.problems) out.line(theme.err(`  restore: ${p}`));
  out.line(`Offline update ${doc.runId} on ${doc.clusterName}: ${theme.status(doc.status)}${doc.errorRecord ? ` — ${doc.errorRecord.code}: ${doc.errorRecord.message}` : ''}`);
}

export async function runOfflineUpdateCommand(profile: OfflineProfile, mode: OfflineMode, globals: GlobalProfile, env: CommandEnv): Promise<number> {
  if (!mode.force && !env.io.stdinIsTty && (mode.resume || mode.window === undefined)) {
    throw usageError('CONFIRMATION_REQUIRED', 'offline-update stops the whole cluster and asks for a typed confirmation, but stdin is not a terminal; nothing was touched.', {
      hint: 'Add --maintenance-window <start-end> (scheduled tasks) or --force.',
    });
  }
  const ctx = await openCluster(globals, env.io);
  let unsubscribe = (): void => undefined;
  let progress: ProgressSinks | undefined;
  try {
    const interrupted = mode.resume ? selectOfflineToResume(ctx, globals, mode.runId) : undefined;
    // The journal must be writable before anything is touched: the restore depends on it.
    assertWritableDir(journalDir(ctx.stateDir, ctx.entry));
    const timing = offlineTiming(ctx.sim?.timing ?? DEFAULT_TIMING);
    const nodes = await nodesToPredict(ctx, interrupted);
    const prediction = predictOfflineDowntime(timing, Object.fromEntries(nodes.map((n) => [n, 1])));
    if (interrupted === undefined) {
      // The restore of an interrupted update must never wait for a window.
      checkWindow(mode, ctx.clock.now(), prediction.seconds, env);
      await refuseLiveLock(ctx);
    }
    if (!mode.force && env.io.stdinIsTty) {
      const what = interrupted
        ? `Continue the interrupted offline update ${interrupted.runId} of ${ctx.entry}`
        : `Every node of ${ctx.entry} will be updated and restarted at once; the cluster will be down for about ${formatDuration(prediction.seconds)} (${ctx.sim ? "the model's timing" : 'default timings'})`;
      const answer = (await env.io.promptLine(`${what}.\nType the cluster name (${ctx.entry}) to go on: `)).trim();
      if (answer.toUpperCase() !== ctx.entry.toUpperCase()) {
        env.io.stderr.write('Nothing was touched.\n');
        return ExitCode.refused;
      }
    }
    const runId = interrupted?.runId ?? randomUUID();
    const fileJournal = openJournal(ctx, interrupted?.path ?? journalPath(ctx.stateDir, ctx.entry, runId));
    // The events (live view, lines, --output ndjson) are read from the journal as the procedure writes it.
    const board = RunBoard.forClusterSteps(ctx.theme, offlineStepPlan(ctx.entry, nodes, timing, prediction));
    if (interrupted) board.clusterStepsDone(offlineStepsDone(interrupted.records));
    progress = await createProgressSinks(globals, env, ctx, { board });
    const plugins = profile.plugins.map((p) => p.plugin);
    const journal = new OfflineEventJournal(fileJournal, fanOut(...progress.sinks), { runId, clusterName: ctx.entry, plugins, resumed: interrupted !== undefined });
    if (interrupted) journal.resumedFrom(interrupted.records, ctx.clock.now());
    const stop = { requested: false };
    const procedure = new OfflineUpdate(
      profile,
      { gateway: ctx.gateway, clock: ctx.clock, journal, stop, notice: (warning) => journal.warning(warning, ctx.clock.now()) },
      { entry: ctx.entry, runId, ...(interrupted ? { resumeFrom: interrupted.records, resumePath: interrupted.path } : {}) },
    );
    const say = progress.say;
    unsubscribe = env.interrupts.onInterrupt((count) => {
      stop.requested = true;
      if (count < 3) {
        say('\ncauctl: stopping the update work and restoring the cluster (service Automatic, Start-Cluster, disks online). Ctrl-C twice more abandons it.\n');
      } else {
        unsubscribe();
        say(`\ncauctl: abandoned. The cluster may be stopped. The journal is at ${journal.path}; run "cauctl offline-update --resume" to bring it back.\n`);
        env.abandon(130);
      }
    });
    const result = await procedure.execute();
    journal.finish(result);
    progress.close();
    const simulation = ctx.sim && result.preState ? ctx.sim.auditOffline(result.preState.onlineDisks.map((d) => d.virtualDisk)) : undefined;
    const document = { ...result, predictedDowntimeSeconds: prediction.seconds, journalPath: journal.path ?? null, ...(simulation ? { simulation } : {}) };
    // Into the same history as rolling runs (get-report, export-report); its `mode` tells them apart.
    try {
      saveReport(ctx.stateDir, document);
    } catch (error) {
      env.io.stderr.write(`cauctl: warning: the report could not be saved: ${(error as Error).message}\n`);
    }
    // ndjson: the events were the output; the run-completed event ends them.
    writeResult(
      resultEnvFor(globals, env.io),
      document,
      (out) => {
        printSummary(document, out);
        if (simulation) {
          out.line(describeAudit({ virtualSeconds: simulation.virtualSeconds, violations: simulation.violations, kind: 'end-state' }));
          for (const v of simulation.violations) out.line(out.theme.err(`  violation: ${v}`));
        }
        progressFor(globals, env.io)(`journal: ${journal.path}`);
      },
      { records: [] },
    );
    return exitCodeFor(result);
  } finally {
    unsubscribe();
    progress?.close();
    await ctx.close();
  }
}
