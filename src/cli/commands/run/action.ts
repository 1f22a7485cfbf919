/**
 * The body of `cauctl run`: confirmation, --what-if, --force-recovery, --resume, then the rolling run with
 * live progress, the JSON document, the summary table and the saved report.
 */
import { randomUUID } from 'node:crypto';
import { describeOwner } from '../../../core/cluster-lock.js';
import { RollingRun } from '../../../core/coordinator.js';
import { exitCodeFor } from '../../../core/error-codes.js';
import { publishClusterSummary, summarizeForCluster } from '../../../core/run-history.js';
import type { RunProfile, RunResult } from '../../../core/types.js';
import { ExitCode, usageError, type AppError } from '../../../errors.js';
import { HistoryWriteError, saveReport } from '../../../journal/history.js';
import { journalDir, journalPath } from '../../../journal/journal.js';
import { fanOut, nullSink, type EventSink } from '../../../core/events.js';
import { describeAudit } from '../../../output/format.js';
import { describePlan } from '../../../output/plan-summary.js';
import { terminalWidth } from '../../../output/table.js';
import { hostTimeZone } from '../../../platform/zone.js';
import { printNodeResults } from '../../../output/node-results.js';
import { writeResult, type HumanPrinter } from '../../../output/result.js';
import { saveRunProfile } from '../../../journal/run-profile-file.js';
import { createWebhookSink, DEFAULT_WEBHOOK_DRAIN_MS, webhookWarning, type WebhookSink } from '../../../output/webhook-sink.js';
import { systemClock } from '../../../platform/clock.js';
import { assertWritableDir } from '../../../platform/fs.js';
import { VERSION } from '../../../version.js';
import type { RunMode } from '../../../profiles/run-profile.js';
import type { CommandEnv } from '../../command-env.js';
import { heartbeatObservations, isProcessAlive, openJournal, openCluster, progressFor, resultEnvFor, type ClusterContext } from '../../context.js';
import type { GlobalProfile } from '../../global-options.js';
import { withFeatureResumeHint, withJournalResumeHint } from '../../feature-journals.js';
import { interruptName } from '../../interrupts.js';
import { LEASE_SECONDS, coordinatorDeps, createProgressSinks, type ProgressSinks } from '../../run-deps.js';
import { checkResumePlugins, commandFor, recoverAndAbandon, resumeNodeHint, selectRunToResume } from './resume.js';
import type { RunNotifyOptions } from './index.js';
import { ownScanPlan } from './own-scan-plan.js';
import { buildWhatIf, runWhatIf } from './what-if.js';

function printSummary(result: RunResult, out: HumanPrinter): void {
  printNodeResults(out, result.nodeResults);
  out.line(`Run ${result.runId} on ${result.clusterName}: ${out.theme.status(result.status)}${result.errorRecord ? ` — ${result.errorRecord.code}: ${result.errorRecord.message}` : ''}`);
}

async function confirm(env: CommandEnv, question: string): Promise<boolean> {
  const answer = (await env.io.promptLine(question)).trim().toLowerCase();
  return answer === 'y' || answer === 'yes';
}

/**
 * The same run over another target: clusterless-run (standalone servers, src/core/clusterless.ts) opens its own
 * context (its lock in the state directory) and names itself in hints; everything else is this command's body.
 */
export interface RunVariant {
  readonly command: string;
  readonly open: () => Promise<ClusterContext>;
  readonly clusterless: { readonly servers: readonly string[] };
}

export async function runRunCommand(profile: RunProfile, mode: RunMode, globals: GlobalProfile, env: CommandEnv, notify: RunNotifyOptions = {}, variant?: RunVariant): Promise<number> {
  const command = variant?.command ?? 'run';
  if (!mode.whatIf && !mode.force && !env.io.stdinIsTty) {
    throw usageError('CONFIRMATION_REQUIRED', `${command} changes ${variant ? 'the servers' : 'the cluster'} and asks for confirmation, but stdin is not a terminal; nothing was touched.`, {
      hint: 'Add --force to run without asking (scheduled tasks, pipelines), or --what-if to see the plan.',
    });
  }
  const ctx = variant ? await variant.open() : await openCluster(globals, env.io);
  if (mode.suspendNode !== undefined || mode.resumeNode !== undefined) {
    try {
      const { runSingleNode } = await import('./single-node.js');
      return await runSingleNode(profile, mode, globals, env, ctx);
    } finally {
      await ctx.close();
    }
  }
  let progress: ProgressSinks | undefined;
  let webhook: WebhookSink | undefined;
  let unsubscribe = (): void => undefined;
  try {
    if (mode.whatIf) return await runWhatIf(profile, globals, env, ctx);
    const lockCtx = { gateway: ctx.gateway, entryNode: ctx.entry, wallClock: ctx.wallClock, owner: ctx.owner, isProcessAlive, leaseSeconds: LEASE_SECONDS, observations: heartbeatObservations(ctx.stateDir, ctx.entry) };
    if (mode.forceRecovery && !mode.resume) {
      if (!mode.force && !(await confirm(env, `Clear a dead cauctl lock on ${ctx.entry}? [y/N] `))) return ExitCode.refused;
      // First, so that a damaged journal does not stop the recovery that reads the journals.
      const quarantined = mode.clearCorruptReports === true ? (await import('../../../journal/quarantine.js')).quarantineCorruptReports(ctx.stateDir, ctx.entry) : undefined;
      const recovered = await recoverAndAbandon(ctx, lockCtx);
      // A clusterless run never pauses a server: nothing of it can be left paused.
      const { cleared, paused } = variant ? { ...recovered, paused: [] } : recovered;
      const message =
        cleared === null
          ? `No cauctl lock on ${ctx.entry}; nothing to recover.`
          : `Cleared the dead lock of ${describeOwner(cleared)}; that run is abandoned and --resume will not revive it${paused.length > 0 ? `; ${resumeNodeHint(globals, paused)}` : ''}.`;
      const result = { schemaVersion: 1, recovered: cleared !== null, clearedLock: cleared, abandonedRunId: cleared?.runId ?? null, possiblyPaused: paused, ...(quarantined !== undefined ? { quarantined } : {}) };
      writeResult(resultEnvFor(globals, env.io), result, (out) => {
        if (quarantined !== undefined) {
          out.line(quarantined.length === 0 ? 'No damaged journal or history file: nothing was moved aside.' : `Moved ${quarantined.length} damaged file(s) aside (nothing deleted):`);
          for (const q of quarantined) out.line(`  ${q.from} -> ${q.to} (${q.reason})`);
        }
        out.line(message);
      });
      return ExitCode.ok;
    }
    const resume = mode.resume ? await selectRunToResume(ctx, globals, lockCtx, mode.runId, command) : undefined;
    if (resume) checkResumePlugins(resume, profile.plugins.map((p) => p.plugin), ctx, globals, command);
    // The journal must be writable before anything is touched: a run keeps its write-ahead promise or does not start.
    assertWritableDir(journalDir(ctx.stateDir, ctx.entry));
    const interrupted = resume?.journal;
    // A new run's plan: said before the question, and the live view's prediction on a terminal.
    // No plan over standalone servers: the plan reads the cluster.
    const planned = !resume && !variant && (!mode.force || (globals.output === 'human' && env.io.stderr.isTTY)) ? await buildWhatIf(ctx, profile) : undefined;
    if (!mode.force && planned) {
      env.io.stderr.write(describePlan(planned.plan, { theme: ctx.theme, width: terminalWidth(env.io.stderr.columns, env.io.env), nowMs: ctx.clock.now(), zone: hostTimeZone(), refusals: planned.refusals, ...(planned.mode !== undefined ? { mode: planned.mode } : {}) }));
    }
    const question = variant
      ? resume
        ? `Resume run ${resume.runId}? Its remaining servers will be updated and restarted one at a time. [y/N] `
        : `Update and restart ${variant.clusterless.servers.join(', ')} one at a time, in this order? [y/N] `
      : resume
        ? `Resume run ${resume.runId} on ${ctx.entry}? Nodes will be drained and restarted one at a time. [y/N] `
        : `Start this run on ${ctx.entry}? [y/N] `;
    if (!mode.force && !(await confirm(env, question))) {
      env.io.stderr.write('Nothing was touched.\n');
      return ExitCode.refused;
    }
    const runId = resume?.runId || randomUUID();
    const journal = openJournal(ctx, interrupted?.path ?? journalPath(ctx.stateDir, ctx.entry, runId), {
      wallClock: ctx.wallClock,
      ...(globals.verbose ? { onNotice: (message: string) => env.io.stderr.write(`${message}\n`) } : {}),
    });
    if (resume === undefined && journal.path !== undefined) {
      // Diagnostics for save-debug-trace: the options this run started with, beside its journal. Never fatal.
      try {
        saveRunProfile(journal.path, profile);
      } catch (error) {
        env.io.stderr.write(`cauctl: warning: the run profile could not be saved beside the journal (${(error as NodeJS.ErrnoException).code ?? String(error)}); a debug trace of this run will lack it.\n`);
      }
    }
    // Without a plan before it (no terminal, or --resume), a run over a cluster plans from its own scan.
    progress = await createProgressSinks(globals, env, ctx, planned ? { plan: planned.plan, ...(planned.mode !== undefined ? { mode: planned.mode } : {}) } : { planAfterScan: variant === undefined });
    const say = progress.say;
    const planAfterScan = progress.adoptPlan !== undefined ? ownScanPlan(ctx, profile, progress.adoptPlan, say, interrupted) : undefined;
    // After the progress sinks: a resumed run's plan comes at its run-started, which their board must have seen.
    const sinks: EventSink[] = [...progress.sinks, ...(planAfterScan ? [planAfterScan.sink] : [])];
    if (notify.webhook) {
      // Real time, not the simulator's clock: the posts and their backoff happen on this host's network.
      webhook = createWebhookSink({ url: notify.webhook, clusterName: ctx.entry, clock: systemClock, userAgent: `cauctl/${VERSION}` });
      sinks.push(webhook);
    }
    const stop = { requested: false };
    const run = new RollingRun(
      profile,
      coordinatorDeps(ctx, { sink: sinks.length > 0 ? fanOut(...sinks) : nullSink, journal, stop, runId, predictedEnd: progress.predictedEnd, planAfterScan }),
      {
        entry: ctx.entry,
        ...(interrupted ? { resumeFrom: { records: interrupted.records, path: interrupted.path } } : {}),
        forceRecovery: mode.forceRecovery,
        takeOverDeadLocalLock: resume?.takeOverDeadLocal === true,
        ...(variant ? { clusterless: variant.clusterless } : {}),
      },
    );
    unsubscribe = env.interrupts.onInterrupt((count, signal) => {
      stop.requested = true;
      const name = interruptName(signal);
      if (count === 1) {
        say(`\ncauctl: ${name}: stopping at the next safe point: ${variant ? 'the current server is finished, no further server is touched' : 'the current node is finished and resumed, no further node is touched'}. Interrupt again (Ctrl-C or SIGTERM) to see what is paused.\n`);
      } else if (count === 2) {
        const paused = run.pausedNodes();
        say(`\ncauctl: still paused by this run: ${paused.length > 0 ? paused.join(', ') : 'nothing'}. A third interrupt abandons the run now; continue it later with: cauctl ${command} --resume\n`);
      } else {
        unsubscribe();
        say(`\ncauctl: abandoned. The journal is at ${journal.path}; run "cauctl ${command} --resume" to continue.\n`);
        env.abandon(130);
      }
    });
    const result = await run.execute().catch((error: unknown) => {
      // A stale lock of a feature update's rolling run: the way on is feature-update --resume.
      throw withJournalResumeHint(withFeatureResumeHint(error, ctx, globals), commandFor(globals, `${variant?.command ?? 'run'} --resume --force`));
    });
    let simulation: ReturnType<NonNullable<typeof ctx.sim>['audit']> | undefined;
    if (ctx.sim) {
      ctx.sim.noteRunEnd();
      simulation = ctx.sim.audit();
    }
    const document = { ...result, journalPath: journal.path ?? null, ...(simulation ? { simulation } : {}) };
    let historyFailure: AppError | undefined;
    try {
      saveReport(ctx.stateDir, document);
    } catch (error) {
      if (!(error instanceof HistoryWriteError)) throw error;
      historyFailure = error;
      // The run itself is over; the failed save is said in the result (--json's warnings) and in the exit code.
      document.warnings = [...document.warnings, `${error.code}: ${error.message}`];
      env.io.stderr.write(`cauctl: warning: ${error.message}\n  try: ${error.hint ?? ''}\n`);
    }
    // The cluster carries a compact summary too, so get-report on other hosts can list this run (standalone
    // servers have no cluster to carry it: their runs are in this host's history only).
    if (!variant) {
      try {
        await publishClusterSummary(ctx.gateway, ctx.entry, summarizeForCluster(result, ctx.owner));
      } catch (error) {
        env.io.stderr.write(`cauctl: warning: the run summary could not be written to the cluster: ${(error as Error).message}\n`);
      }
    }
    progress?.close();
    // ndjson: the events were the output; the run-completed event ends them.
    writeResult(
      resultEnvFor(globals, env.io),
      document,
      (out) => {
        printSummary(result, out);
        if (simulation) out.line(describeAudit(simulation));
        for (const v of simulation?.violations ?? []) out.line(out.theme.err(`  violation: ${v}`));
        progressFor(globals, env.io)(`journal: ${journal.path}`);
      },
      { records: [] },
    );
    const exitCode = exitCodeFor(result);
    return historyFailure !== undefined && exitCode === ExitCode.ok ? historyFailure.exitCode : exitCode;
  } finally {
    unsubscribe();
    progress?.close();
    if (webhook && notify.webhook) {
      const warning = webhookWarning(notify.webhook, await webhook.drain(DEFAULT_WEBHOOK_DRAIN_MS));
      if (warning) env.io.stderr.write(warning);
    }
    await ctx.close();
  }
}
