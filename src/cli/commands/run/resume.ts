/**
 * What `run --resume` continues, decided in one place (issue 14 §4): the run that holds this cluster's lock,
 * or the interrupted run named by `--run-id`. With nothing to resume it refuses (exit 5) and touches nothing.
 * A run abandoned by `--force-recovery` is never revived. Every refusal's hint is a command that works in
 * that state. Also `--force-recovery`'s marking of the run it abandons.
 */
import { describeOwner, forceRecoverLock, isSameMachine, readLock, type LockContext, type LockRecord } from '../../../core/cluster-lock.js';
import { replayJournal } from '../../../core/journal-replay.js';
import { refusedError, usageError } from '../../../errors.js';
import { findInterruptedRun, findRun, markAbandoned, type JournalSummary } from '../../../journal/journal.js';
import type { ClusterContext } from '../../context.js';
import type { GlobalProfile } from '../../global-options.js';
import { featureResumeCommand, openFeatureOfRollingRun } from '../../feature-journals.js';

export interface ResumeTarget {
  readonly runId: string;
  /** Its journal here; absent when the run died before its first record (it then starts under its own id). */
  readonly journal?: JournalSummary;
  /** The lock names a run of this machine that never wrote its journal: take that dead lock over. */
  readonly takeOverDeadLocal: boolean;
}

/** `cauctl <args>` as the user must type it for this cluster (the same --simulate or --cluster-name). */
export function commandFor(globals: GlobalProfile, args: string): string {
  const target =
    globals.simulate === true ? ' --simulate' : typeof globals.simulate === 'string' ? ` --simulate ${quoteArg(globals.simulate)}` : globals.clusterName !== undefined ? ` --cluster-name ${quoteArg(globals.clusterName)}` : '';
  return `cauctl ${args.split(' ')[0]}${target}${args.includes(' ') ? args.slice(args.indexOf(' ')) : ''}`;
}

function quoteArg(value: string): string {
  return /^[A-Za-z0-9_./:=@-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The nodes an interrupted run had paused (from its journal), for the hints that follow an abandonment. */
function pausedBy(journal: JournalSummary | undefined): string[] {
  if (journal === undefined) return [];
  const inFlight = replayJournal(journal.records, journal.path).inFlight;
  return inFlight === null ? [] : [inFlight.node];
}

function resumeNodeHint(globals: GlobalProfile, nodes: readonly string[]): string {
  return nodes.length > 0
    ? `its run may have left ${nodes.join(', ')} paused: check with ${commandFor(globals, 'get-run --show-cluster-node-state')}, resume it with ${commandFor(globals, `run --resume-node ${nodes[0]!} --force`)}`
    : `check the nodes with ${commandFor(globals, 'get-run --show-cluster-node-state')}`;
}

/** `commandFor` for the command resuming (run, or clusterless-run): hints name the command the user typed. */
function asCommand(globals: GlobalProfile, command: string): (args: string) => string {
  return (args) => commandFor(globals, args.replace(/^run\b/, command));
}

export async function selectRunToResume(ctx: ClusterContext, globals: GlobalProfile, lockCtx: Pick<LockContext, 'gateway' | 'entryNode'>, runIdOption: string | undefined, command = 'run'): Promise<ResumeTarget> {
  const cmd = asCommand(globals, command);
  // clusterless-run names its servers; the others find theirs in the cluster.
  const newRun = cmd(command === 'run' ? 'run --force' : 'run --computer-name <servers> --force');
  if (runIdOption !== undefined) {
    const journal = findRun(ctx.stateDir, ctx.entry, runIdOption);
    if (journal === undefined) {
      const other = findInterruptedRun(ctx.stateDir, ctx.entry);
      throw refusedError('NOTHING_TO_RESUME', `No run ${runIdOption} of ${ctx.entry} in this state directory; nothing was touched.`, {
        hint: other ? cmd(`run --resume --run-id ${other.runId} --force`) : `start a new run: ${newRun}`,
      });
    }
    if (journal.abandoned) {
      throw refusedError('RUN_ABANDONED', `Run ${journal.runId} of ${ctx.entry} was abandoned by --force-recovery and is never resumed; nothing was touched.`, {
        hint: `start a new run: ${newRun} (${resumeNodeHint(globals, pausedBy(journal))})`,
      });
    }
    if (journal.completed) {
      throw refusedError('RUN_ALREADY_ENDED', `Run ${journal.runId} of ${ctx.entry} already ended; nothing to resume, nothing was touched.`, {
        hint: `see it with ${cmd(`get-report --run-id ${journal.runId} --detailed`)}, or start a new run: ${newRun}`,
      });
    }
    return { runId: journal.runId, journal, takeOverDeadLocal: false };
  }
  const { raw, lock } = await readLock(lockCtx);
  if (raw === null) {
    const interrupted = findInterruptedRun(ctx.stateDir, ctx.entry);
    throw refusedError('NOTHING_TO_RESUME', `No run holds the lock of ${ctx.entry}, so there is nothing to resume; nothing was touched.`, {
      hint: interrupted
        ? `run ${interrupted.runId} ended without recording its end; continue it with ${cmd(`run --resume --run-id ${interrupted.runId} --force`)}, or start a new run: ${newRun}`
        : `start a new run: ${newRun}`,
    });
  }
  if (lock === null) return { runId: '', takeOverDeadLocal: false }; // acquire() refuses an unreadable lock with its own message
  const journal = findRun(ctx.stateDir, ctx.entry, lock.runId);
  if (journal === undefined) {
    if (sameMachine(lock, ctx)) return { runId: lock.runId, takeOverDeadLocal: true };
    throw refusedError('LOCK_ELSEWHERE', `The lock of ${ctx.entry} belongs to ${describeOwner(lock)}; its journal is on that host, so it cannot be resumed from here. Nothing was touched.`, {
      hint: `resume it on ${lock.owner.host} with cauctl ${command} --resume, or, if that coordinator is dead, clear its lock with ${cmd('run --force-recovery --force')}`,
    });
  }
  if (journal.abandoned || journal.completed) {
    throw refusedError('LOCK_STALE', `The lock of ${ctx.entry} names run ${journal.runId}, which ${journal.abandoned ? 'was abandoned' : 'already ended'}; nothing was touched.`, {
      hint: `clear the lock with ${cmd('run --force-recovery --force')}`,
    });
  }
  return { runId: journal.runId, journal, takeOverDeadLocal: false };
}

/**
 * A run goes on with the plug-ins it started with: the coordinator scans and installs the remaining nodes with
 * the command's plug-ins, so `run --resume` with others (the default Windows Update on a feature update's
 * rolling run) would update them differently from the nodes already done. Refused before anything is touched.
 */
export function checkResumePlugins(target: ResumeTarget, asked: readonly string[], ctx: ClusterContext, globals: GlobalProfile, command = 'run'): void {
  const cmd = asCommand(globals, command);
  const started = target.journal?.records.find((r) => r.type === 'run-started');
  const journaled = Array.isArray(started?.['plugins']) ? (started['plugins'] as unknown[]).map(String) : undefined;
  if (journaled === undefined || journaled.join('\n') === asked.join('\n')) return;
  const feature = journaled.includes('Microsoft.RollingUpgradePlugin');
  const names = journaled.map((name) => `--cau-plugin-name ${name}`).join(' ');
  // A feature update's rolling run goes on with feature-update --resume, which also does the steps after it.
  const owner = feature ? openFeatureOfRollingRun(ctx, target.runId) : undefined;
  throw usageError('RESUME_PLUGINS_DIFFER', `Run ${target.runId} of ${ctx.entry} was started with ${journaled.join(', ')}; this command names ${asked.join(', ')}. Going on with other plug-ins would update the remaining nodes differently from those done; nothing was touched.`, {
    hint: owner
      ? `it is the rolling run of feature update ${owner.runId}, which also has steps after it: continue it with ${featureResumeCommand(globals, owner.runId)}`
      : feature
        ? `it is a feature update's rolling run: resume it with the same plug-in and arguments, for example ${cmd(`run --resume ${names} --cau-plugin-arguments "@{ WuConnected='true' }" --force`)}`
        : `resume it with the same plug-ins: ${cmd(`run --resume ${names} --force`)}`,
    details: { runId: target.runId, plugins: journaled },
  });
}

function sameMachine(lock: LockRecord, ctx: ClusterContext): boolean {
  return isSameMachine(lock.owner, ctx.owner);
}

/**
 * `--force-recovery` alone: clears a dead lock (never a live one) and marks the run it held abandoned, so
 * `--resume` never revives it. Returns what was cleared and what that run may have left paused.
 */
export async function recoverAndAbandon(ctx: ClusterContext, lockCtx: LockContext): Promise<{ cleared: LockRecord | null; paused: string[] }> {
  const cleared = await forceRecoverLock(lockCtx);
  if (cleared === null) return { cleared, paused: [] };
  const journal = findRun(ctx.stateDir, ctx.entry, cleared.runId);
  if (journal !== undefined && !journal.completed) markAbandoned(journal.path, `lock cleared by --force-recovery (was ${describeOwner(cleared)})`, ctx.wallClock);
  return { cleared, paused: pausedBy(journal) };
}

export { resumeNodeHint };
