/**
 * The body of `cauctl feature-update`: confirmation, then the guided flow of core/feature-update.ts with the
 * rolling run built as `run` builds it (journal, progress sinks, lock), the JSON document or a summary, and
 * the saved report.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { RollingRun } from '../../../core/coordinator.js';
import { exitCodeFor } from '../../../core/error-codes.js';
import { runFeatureUpdate, type FeatureUpdateProfile, type FeatureUpdateResult } from '../../../core/feature-update.js';
import type { RunPlan } from '../../../core/plan.js';
import type { RunProfile, RunResult } from '../../../core/types.js';
import { ExitCode, usageError } from '../../../errors.js';
import { saveReport } from '../../../journal/history.js';
import { FileJournal, journalDir, journalPath } from '../../../journal/journal.js';
import { assertWritableDir } from '../../../platform/fs.js';
import { fanOut, nullSink } from '../../../core/events.js';
import { describeAudit } from '../../../output/format.js';
import { writeResult, type HumanPrinter } from '../../../output/result.js';
import type { FeatureUpdateMode } from '../../../profiles/feature-profile.js';
import type { CommandEnv } from '../../command-env.js';
import { isProcessAlive, openCluster, progressFor, resultEnvFor, type ClusterContext } from '../../context.js';
import type { GlobalProfile } from '../../global-options.js';
import { coordinatorDeps, createProgressSinks } from '../../run-deps.js';
import { buildWhatIf } from '../run/what-if.js';

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

export async function runFeatureUpdateCommand(profile: FeatureUpdateProfile, mode: FeatureUpdateMode, globals: GlobalProfile, env: CommandEnv): Promise<number> {
  if (!mode.force && !env.io.stdinIsTty) {
    throw usageError('CONFIRMATION_REQUIRED', 'feature-update upgrades every node and asks for confirmation, but stdin is not a terminal; nothing was touched.', {
      hint: 'Add --force to run without asking (scheduled tasks, pipelines).',
    });
  }
  const ctx = await openCluster(globals, env.io);
  const closers: Array<{ close(): void }> = [];
  try {
    // The journals (the rolling run's, the Storage Replica restarts') must be writable before anything is touched.
    assertWritableDir(journalDir(ctx.stateDir, ctx.entry));
    if (!mode.force && !(await yes(env, `Upgrade every node of ${ctx.entry}, one at a time? Each node is drained and restarted into the new OS. [y/N] `))) {
      env.io.stderr.write('Nothing was touched.\n');
      return ExitCode.refused;
    }
    const stop = { requested: false };
    // Said above the live view while the rolling run has one up.
    let say = (text: string): void => void env.io.stderr.write(text);
    const unsubscribe = env.interrupts.onInterrupt(() => {
      stop.requested = true;
      say('\ncauctl: stopping at the next safe point; no further node is touched.\n');
    });
    let rollingResult: (RunResult & { journalPath: string }) | undefined;
    const rolling = async (runProfile: RunProfile): Promise<RunResult> => {
      const runId = randomUUID();
      const journal = new FileJournal(journalPath(ctx.stateDir, ctx.entry, runId));
      // On a terminal, the live view of the rolling run, as `run` shows it, with the finish predicted from its plan.
      const plan = globals.output === 'human' && env.io.stderr.isTTY ? await planFor(ctx, runProfile) : undefined;
      const progress = await createProgressSinks(globals, env, ctx, plan ? { plan } : {});
      closers.push(progress);
      say = progress.say;
      const sinks = progress.sinks;
      const run = new RollingRun(
        runProfile,
        coordinatorDeps(ctx, { sink: sinks.length > 0 ? fanOut(...sinks) : nullSink, journal, stop, runId, predictedEnd: progress.predictedEnd }),
        { entry: ctx.entry, forceRecovery: false },
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
      result = await runFeatureUpdate(profile, {
        gateway: ctx.gateway,
        entry: ctx.entry,
        clock: ctx.clock,
        wallClock: ctx.wallClock,
        owner: ctx.owner,
        isProcessAlive,
        newRunId: () => randomUUID(),
        // The Storage Replica restarts are journaled beside the runs.
        journal: new FileJournal(journalPath(ctx.stateDir, ctx.entry, `maintenance-${randomUUID()}`)),
        // In simulation this host is never a node of the model.
        coordinatorHost: ctx.sim ? null : hostname(),
        rolling,
        confirm: (question) => yes(env, question),
        progress: progressFor(globals, env.io),
      });
    } finally {
      unsubscribe();
    }
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
