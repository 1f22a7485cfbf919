/**
 * The feature updates' journals as the commands see them (core/feature-update.ts writes them): which feature
 * update a rolling run belongs to, and the command that continues one. Shared by feature-update and by
 * `run --resume`, whose hints point a feature update's rolling run to `feature-update --resume`.
 */
import { FEATURE_JOURNAL_TYPES } from '../core/feature-update.js';
import { AppError } from '../errors.js';
import { JournalWriteError, listJournals, type JournalKind, type JournalSummary } from '../journal/journal.js';
import type { ClusterContext } from './context.js';
import type { GlobalProfile } from './global-options.js';
import { commandFor } from './commands/run/resume.js';

export const FEATURE_JOURNAL: JournalKind = FEATURE_JOURNAL_TYPES;

/** Whether this feature update started (or continued) the rolling run `runId`. */
export function namesRollingRun(journal: JournalSummary, runId: string): boolean {
  return journal.records.some((r) => r.type === 'feature-update-rolling' && r['runId'] === runId);
}

/** The feature updates of this cluster that did not finish and were not abandoned, newest first. */
export function openFeatureUpdates(ctx: Pick<ClusterContext, 'stateDir' | 'entry'>): JournalSummary[] {
  return listJournals(ctx.stateDir, ctx.entry, FEATURE_JOURNAL).filter((j) => !j.completed && !j.abandoned);
}

/** The open feature update whose journal names this rolling run. */
export function openFeatureOfRollingRun(ctx: Pick<ClusterContext, 'stateDir' | 'entry'>, runId: string): JournalSummary | undefined {
  return openFeatureUpdates(ctx).find((j) => namesRollingRun(j, runId));
}

/** `cauctl feature-update --resume --run-id ID --force` for this cluster. */
export function featureResumeCommand(globals: GlobalProfile, id: string): string {
  return commandFor(globals, `feature-update --resume --run-id ${id} --force`);
}

/**
 * A stale lock met by a rolling run: when the dead run is an open feature update's rolling run, the way on is
 * `feature-update --resume` (which also does the steps after the rolling run), not `run --resume`.
 */
export function withFeatureResumeHint(error: unknown, ctx: Pick<ClusterContext, 'stateDir' | 'entry'>, globals: GlobalProfile): unknown {
  if (!(error instanceof AppError) || error.code !== 'LOCK_STALE' || typeof error.details?.['runId'] !== 'string') return error;
  const feature = openFeatureOfRollingRun(ctx, error.details['runId']);
  if (feature === undefined) return error;
  return new AppError(error.code, error.exitCode, error.message, {
    hint: `It is the rolling run of feature update ${feature.runId}: continue it with ${featureResumeCommand(globals, feature.runId)}, or clear the lock with ${commandFor(globals, 'run --force-recovery --force')}`,
    details: error.details,
    cause: error,
  });
}

/**
 * A journal write that failed (a safe halt, JOURNAL_WRITE_FAILED): its hint names the command that continues
 * this run (`resumeCommand`: feature-update --resume inside a feature update, clusterless-run --resume for
 * standalone servers), not always `run --resume`. A halt that kept the lock has its own hint and stays as is.
 */
export function withJournalResumeHint(error: unknown, resumeCommand: string): unknown {
  if (!(error instanceof JournalWriteError)) return error;
  return new AppError(error.code, error.exitCode, error.message, {
    hint: `Free space or fix the state directory (CAUCTL_STATE_DIR), then continue with: ${resumeCommand}`,
    ...(error.details ? { details: error.details } : {}),
    cause: error,
  });
}
