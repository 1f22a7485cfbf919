/**
 * What a `--resume` of a journaled flow other than `run` continues (offline-update, feature-update), decided in
 * one place as `run --resume` decides it (issue 14 §4): the one interrupted run of that kind on this cluster, or
 * the one `--run-id` names. With none it refuses (exit 5) and touches nothing; with several it names them, newest
 * first by real start time (also in simulation), and asks for --run-id. Every refusal's hint is a command that
 * works in that state.
 */
import { refusedError } from '../errors.js';
import { listJournals, type JournalKind, type JournalSummary } from '../journal/journal.js';
import type { ClusterContext } from './context.js';
import type { GlobalProfile } from './global-options.js';
import { commandFor } from './commands/run/resume.js';

/** What one kind of journaled flow is called, and how to start a new one, for the refusals' words and hints. */
export interface ResumableKind {
  readonly kind: JournalKind;
  /** 'offline update' */
  readonly what: string;
  /** 'offline-update' */
  readonly command: string;
  /** The hint's way to start a new one, e.g. `to start a new update (it stops the cluster): cauctl offline-update --force`. */
  readonly startNew: (globals: GlobalProfile) => string;
  /** Whether `--run-id` names this journal: its own id, or one it records (a feature update's rolling run). */
  readonly named?: (journal: JournalSummary, runId: string) => boolean;
}

/** `RUNID (started 2026-12-03T13:04:44Z)`, for lists of runs in messages. */
function describeRun(journal: JournalSummary): string {
  return `${journal.runId} (started ${journal.startedAt})`;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function selectJournalToResume(ctx: ClusterContext, globals: GlobalProfile, runIdOption: string | undefined, k: ResumableKind): JournalSummary {
  const all = listJournals(ctx.stateDir, ctx.entry, k.kind);
  const interrupted = all.filter((j) => !j.completed && !j.abandoned);
  const resumeOne = (runId: string): string => commandFor(globals, `${k.command} --resume --run-id ${runId} --force`);
  if (runIdOption !== undefined) {
    const journal = all.find((j) => j.runId === runIdOption) ?? all.find((j) => k.named?.(j, runIdOption) === true);
    if (journal === undefined) {
      const rolling = listJournals(ctx.stateDir, ctx.entry).some((j) => j.runId === runIdOption);
      throw refusedError('NOTHING_TO_RESUME', `${rolling ? `Run ${runIdOption} of ${ctx.entry} is a rolling run, not an ${k.what}` : `No ${k.what} ${runIdOption} of ${ctx.entry} in this state directory`}; nothing was touched.`, {
        hint: rolling
          ? commandFor(globals, `run --resume --run-id ${runIdOption} --force`)
          : interrupted.length > 0
            ? resumeOne(interrupted[0]!.runId)
            : `see the runs with ${commandFor(globals, 'get-report')}`,
      });
    }
    if (journal.completed) {
      throw refusedError('RUN_ALREADY_ENDED', `${capitalized(k.what)} ${journal.runId} of ${ctx.entry} already ended; nothing to resume, nothing was touched.`, {
        hint: `see it with ${commandFor(globals, `get-report --run-id ${journal.runId} --detailed`)}`,
      });
    }
    if (journal.abandoned) {
      throw refusedError('RUN_ABANDONED', `${capitalized(k.what)} ${journal.runId} of ${ctx.entry} was abandoned and is never resumed; nothing was touched.`, {
        hint: `check the cluster with ${commandFor(globals, 'get-run --show-cluster-node-state')}, or ${k.startNew(globals)}`,
      });
    }
    return journal;
  }
  if (interrupted.length === 0) {
    throw refusedError('NOTHING_TO_RESUME', `No interrupted ${k.what} of ${ctx.entry} in this state directory, so there is nothing to resume; nothing was touched.`, {
      hint: `check the cluster with ${commandFor(globals, 'get-run --show-cluster-node-state')}; ${k.startNew(globals)}`,
    });
  }
  if (interrupted.length > 1) {
    throw refusedError('RESUME_AMBIGUOUS', `${interrupted.length} ${k.what}s of ${ctx.entry} were interrupted: ${interrupted.map(describeRun).join(', ')}; nothing was touched.`, {
      hint: `name the one to continue (the newest is first): ${resumeOne(interrupted[0]!.runId)}`,
      details: { runIds: interrupted.map((j) => j.runId) },
    });
  }
  return interrupted[0]!;
}
