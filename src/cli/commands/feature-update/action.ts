/**
 * The body of `cauctl feature-update`: confirmation, then the guided flow of core/feature-update.ts with the
 * rolling run built as `run` builds it (journal, progress sinks, lock), the JSON document or a summary, and
 * the saved report. With --resume: the interrupted feature update (its own journal, chosen as offline-update
 * --resume chooses), its rolling run continued with `run --resume`'s machinery (RollingRun from the journal).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { RollingRun } from '../../../core/coordinator.js';
import { exitCodeFor } from '../../../core/error-codes.js';
import {
  featureResumePoint,
  resumeFeatureUpdate,
  resumedProfile,
  runFeatureUpdate,
  type FeatureResumePoint,
  type FeatureUpdateProfile,
  type FeatureUpdateResult,
  type RollingStart,
} from '../../../core/feature-update.js';
import type { RunPlan } from '../../../core/plan.js';
import type { RunProfile, RunResult } from '../../../core/types.js';
import { ExitCode, refusedError, usageError } from '../../../errors.js';
import { readLock } from '../../../core/cluster-lock.js';
import { saveReport } from '../../../journal/history.js';
import type { FileJournal } from '../../../journal/journal.js';
import { findRun, journalDir, journalPath, listJournals, markAbandoned, type JournalSummary } from '../../../journal/journal.js';
import { assertWritableDir } from '../../../platform/fs.js';
import { fanOut, nullSink } from '../../../core/events.js';
import { describeAudit } from '../../../output/format.js';
import { writeResult, type HumanPrinter } from '../../../output/result.js';
import type { FeatureResumeMode, FeatureUpdateMode } from '../../../profiles/feature-profile.js';
import type { CommandEnv } from '../../command-env.js';
import { isProcessAlive, openJournal, openCluster, progressFor, resultEnvFor, type ClusterContext } from '../../context.js';
import type { GlobalProfile } from '../../global-options.js';
import { FEATURE_JOURNAL, featureResumeCommand, namesRollingRun, openFeatureUpdates, withFeatureResumeHint, withJournalResumeHint } from '../../feature-journals.js';
import { selectJournalToResume } from '../../resume-selection.js';
import { coordinatorDeps, createProgressSinks } from '../../run-deps.js';
import { ownScanPlan } from '../run/own-scan-plan.js';
import { commandFor } from '../run/resume.js';
import { buildWhatIf } from '../run/what-if.js';

/** `cauctl feature-update --resume`, with --run-id when several feature updates are open. */
function resumeCommand(ctx: ClusterContext, globals: GlobalProfile, id: string): string {
  return openFeatureUpdates(ctx).length > 1 ? featureResumeCommand(globals, id) : commandFor(globals, 'feature-update --resume --force');
}

/**
 * A new feature update while another is open (interrupted, or its rolling run failed) is refused before the
 * pre-checks: its nodes are half upgraded, and the way on is --resume, which also does the steps after the
 * rolling run. A rehearsal with --sim-reset starts from the fixture again, so the open ones are abandoned.
 */
function refuseWhileOneIsOpen(ctx: ClusterContext, globals: GlobalProfile): void {
  const open = openFeatureUpdates(ctx);
  if (open.length === 0) return;
  if (ctx.sim !== undefined && globals.simReset) {
    // The simulated cluster starts again from its fixture: what those feature updates left is gone with it.
    for (const j of open) markAbandoned(j.path, 'the simulated cluster was reset (--sim-reset)', ctx.wallClock);
    return;
  }
  throw refusedError('FEATURE_UPDATE_INTERRUPTED', `Feature update ${open[0]!.runId} of ${ctx.entry} (started ${open[0]!.startedAt}) did not finish; a new one would not do its remaining steps. Nothing was touched.`, {
    hint: `continue it with ${featureResumeCommand(globals, open[0]!.runId)}`,
    details: { runIds: open.map((j) => j.runId) },
  });
}

/**
 * A new feature update refused before its rolling run wrote anything (the lock of another, dead run): nothing
 * was touched, so its journal is closed as abandoned and never offered to --resume.
 */
function forgetIfUntouched(ctx: ClusterContext, feature: { readonly journal: FileJournal }): void {
  const records = feature.journal.records();
  if (records.length === 0) return;
  const rolling = records.filter((r) => r.type === 'feature-update-rolling').map((r) => String(r['runId']));
  if (rolling.some((runId) => findRun(ctx.stateDir, ctx.entry, runId) !== undefined)) return;
  markAbandoned(feature.journal.path, 'refused before its rolling run touched the cluster', ctx.wallClock);
}

/** The interrupted feature update that --resume continues (resume-selection.ts: none → exit 5, several → --run-id). */
function selectFeatureToResume(ctx: ClusterContext, globals: GlobalProfile, runIdOption: string | undefined): { journal: JournalSummary; point: FeatureResumePoint } {
  const journal = selectJournalToResume(ctx, globals, runIdOption, {
    kind: FEATURE_JOURNAL,
    what: 'feature update',
    command: 'feature-update',
    startNew: (g) => `to start a new feature update: ${commandFor(g, 'feature-update --wu-connected --force')} (or --path-to-setup-media)`,
    // The id the user saw may be the rolling run's ("rolling-run: run <id>").
    named: namesRollingRun,
  });
  return { journal, point: featureResumePoint(journal.records, journal.path) };
}

async function yes(env: CommandEnv, question: string): Promise<boolean> {
  if (!env.io.stdinIsTty) return false;
  const answer = (await env.io.promptLine(question)).trim().toLowerCase();
  return answer === 'y' || answer === 'yes';
}

function printSummary(result: FeatureUpdateResult, out: HumanPrinter, env: CommandEnv): void {
  const { theme } = out;
  out.table(['Step', 'Status', 'Detail'], result.steps.map((s) => [s.step, theme.status(s.status), s.detail]));
  const builds = Object.keys(result.buildsBefore).map((n) => [n, String(result.buildsBefore[n]), String(result.buildsAfter[n] ?? ''), result.nodeResults.find((r) => r.node === n)?.status ?? '-']);
  out.table(['Node', 'Build before', 'Build after', 'Status'], builds);
  out.line(`Feature update of ${result.clusterName}${result.featureUpdate ? ` to ${result.featureUpdate}` : ''}: ${theme.status(result.status)}${result.errorRecord ? ` — ${result.errorRecord.code}: ${result.errorRecord.message}` : ''}`);
  for (const w of result.warnings) env.io.stderr.write(`warning: ${w}\n`);
}

/**
 * The rolling run's plan for the live view's prediction, read as `run --what-if` reads it. Without one (the
 * read failed) the view is the spinner's lines; the run itself says what is wrong.
 */
async function planFor(ctx: ClusterContext, profile: RunProfile): Promise<RunPlan | undefined> {
  try {
    return (await buildWhatIf(ctx, profile)).plan;
  } catch {
    return undefined;
  }
}

/** A new feature update (`profile` with its source), or the resumption of an interrupted one. */
export type FeatureUpdateRequest =
  | { readonly resume: false; readonly profile: FeatureUpdateProfile; readonly mode: FeatureUpdateMode }
  | { readonly resume: true; readonly profile: Omit<FeatureUpdateProfile, 'source'>; readonly mode: FeatureResumeMode };

export async function runFeatureUpdateCommand(request: FeatureUpdateRequest, globals: GlobalProfile, env: CommandEnv): Promise<number> {
  const { mode } = request;
  if (!mode.force && !env.io.stdinIsTty) {
    throw usageError('CONFIRMATION_REQUIRED', `feature-update${request.resume ? ' --resume' : ''} upgrades every node and asks for confirmation, but stdin is not a terminal; nothing was touched.`, {
      hint: 'Add --force to run without asking (scheduled tasks, pipelines).',
    });
  }
  const ctx = await openCluster(globals, env.io);
  const closers: Array<{ close(): void }> = [];
  try {
    const resuming = request.resume ? selectFeatureToResume(ctx, globals, request.mode.runId) : undefined;
    if (!request.resume) refuseWhileOneIsOpen(ctx, globals);
    const profile = request.resume ? resumedProfile(request.profile, resuming!.point, { storageReplicaRestart: request.mode.storageReplicaRestartGiven }) : request.profile;
    // The journals (the rolling run's, the Storage Replica restarts') must be writable before anything is touched.
    assertWritableDir(journalDir(ctx.stateDir, ctx.entry));
    const question = resuming
      ? `Continue feature update ${resuming.point.id} of ${ctx.entry} (to ${resuming.point.offer})? The nodes still on the old build are drained and restarted into the new OS, one at a time. [y/N] `
      : `Upgrade every node of ${ctx.entry}, one at a time? Each node is drained and restarted into the new OS. [y/N] `;
    if (!mode.force && !(await yes(env, question))) {
      env.io.stderr.write('Nothing was touched.\n');
      return ExitCode.refused;
    }
    const featureId = resuming?.point.id ?? randomUUID();
    const feature = { id: featureId, journal: openJournal(ctx, resuming?.journal.path ?? journalPath(ctx.stateDir, ctx.entry, `feature-${featureId}`), { wallClock: ctx.wallClock }) };
    const stop = { requested: false };
    // Said above the live view while the rolling run has one up.
    let say = (text: string): void => void env.io.stderr.write(text);
    const unsubscribe = env.interrupts.onInterrupt(() => {
      stop.requested = true;
      say(`\ncauctl: stopping at the next safe point; no further node is touched. Continue later with: ${resumeCommand(ctx, globals, featureId)}\n`);
    });
    let rollingResult: (RunResult & { journalPath: string }) | undefined;
    const rolling = async (runProfile: RunProfile, start?: RollingStart): Promise<RunResult> => {
      // A resumed feature update continues its rolling run from that run's journal, as `run --resume` does;
      // a rolling run that ended (a stop at a safe point, a failed node) is followed by a new one.
      const previous = start?.previousRunId !== undefined ? findRun(ctx.stateDir, ctx.entry, start.previousRunId) : undefined;
      const open = previous !== undefined && !previous.completed && !previous.abandoned ? previous : undefined;
      // Named in the feature update's journal but died before its own first record: its dead lock is taken over.
      const unwritten = start?.previousRunId !== undefined && previous === undefined && (await readLock({ gateway: ctx.gateway, entryNode: ctx.entry })).lock?.runId === start.previousRunId;
      const runId = open?.runId ?? (unwritten ? start!.previousRunId! : randomUUID());
      start?.onRunId(runId);
      const journal = openJournal(ctx, open?.path ?? journalPath(ctx.stateDir, ctx.entry, runId), {
        wallClock: ctx.wallClock,
        ...(globals.verbose ? { onNotice: (message: string) => env.io.stderr.write(`${message}\n`) } : {}),
      });
      // On a terminal, the live view of the rolling run, as `run` shows it, with the finish predicted from its plan.
      // Off one (--force in a scheduled task, --json), the run plans from its own scan, as `run --force` does, so
      // that get-run predicts its finish.
      const plan = globals.output === 'human' && env.io.stderr.isTTY ? await planFor(ctx, runProfile) : undefined;
      const progress = await createProgressSinks(globals, env, ctx, plan ? { plan } : { planAfterScan: true });
      closers.push(progress);
      say = progress.say;
      const planAfterScan = progress.adoptPlan !== undefined ? ownScanPlan(ctx, runProfile, progress.adoptPlan, (text) => say(text), open ? { records: open.records, path: open.path } : undefined) : undefined;
      const sinks = [...progress.sinks, ...(planAfterScan ? [planAfterScan.sink] : [])];
      const run = new RollingRun(
        runProfile,
        coordinatorDeps(ctx, { sink: sinks.length > 0 ? fanOut(...sinks) : nullSink, journal, stop, runId, predictedEnd: progress.predictedEnd, planAfterScan }),
        {
          entry: ctx.entry,
          ...(open ? { resumeFrom: { records: open.records, path: open.path } } : {}),
          forceRecovery: false,
          takeOverDeadLocalLock: unwritten,
        },
      );
      try {
        const runResult = await run.execute();
        rollingResult = { ...runResult, journalPath: journal.path };
        return runResult;
      } finally {
        progress.close();
        say = (text) => void env.io.stderr.write(text);
      }
    };
    let result: FeatureUpdateResult;
    try {
      const deps = {
        gateway: ctx.gateway,
        entry: ctx.entry,
        clock: ctx.clock,
        wallClock: ctx.wallClock,
        owner: ctx.owner,
        isProcessAlive,
        newRunId: () => randomUUID(),
        // The Storage Replica restarts are journaled beside the runs.
        journal: openJournal(ctx, journalPath(ctx.stateDir, ctx.entry, `maintenance-${randomUUID()}`)),
        // In simulation this host is never a node of the model.
        coordinatorHost: ctx.sim ? null : hostname(),
        rolling,
        confirm: (q: string) => yes(env, q),
        progress: progressFor(globals, env.io),
        feature,
      };
      result = resuming ? await resumeFeatureUpdate(profile, deps, resuming.point) : await runFeatureUpdate(profile, deps);
    } catch (error) {
      if (!resuming) forgetIfUntouched(ctx, feature);
      throw withJournalResumeHint(withFeatureResumeHint(error, ctx, globals), resumeCommand(ctx, globals, featureId));
    } finally {
      unsubscribe();
    }
    // Not finished (a stop, a failed node): its journal stays open, and the way on is --resume.
    const open = listJournals(ctx.stateDir, ctx.entry, FEATURE_JOURNAL).find((j) => j.runId === featureId && !j.completed);
    if (open !== undefined) result = { ...result, warnings: [...result.warnings, `The feature update is not finished; once the cause is fixed, continue it with: ${resumeCommand(ctx, globals, featureId)}`] };
    let simulation: ReturnType<NonNullable<typeof ctx.sim>['audit']> | undefined;
    if (ctx.sim) {
      ctx.sim.noteRunEnd();
      simulation = ctx.sim.audit();
    }
    const document = { ...result, ...(simulation ? { simulation } : {}) };
    if (rollingResult !== undefined) {
      try {
        // The rolling run's own result is what get-report reads; the flow's steps are in the JSON document.
        saveReport(ctx.stateDir, { ...rollingResult, ...(simulation ? { simulation } : {}) });
      } catch (error) {
        env.io.stderr.write(`cauctl: warning: the report could not be saved: ${(error as Error).message}\n`);
      }
    }
    for (const c of closers) c.close();
    // ndjson: the rolling run's events were the output.
    writeResult(
      resultEnvFor(globals, env.io),
      document,
      (out) => {
        printSummary(result, out, env);
        if (simulation) out.line(describeAudit({ maxNodesOutOfService: simulation.maxNodesOutOfService, violations: simulation.violations }));
      },
      { records: [] },
    );
    return exitCodeFor(result);
  } finally {
    for (const c of closers) c.close();
    await ctx.close();
  }
}
