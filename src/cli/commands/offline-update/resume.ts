/**
 * What `offline-update --resume` continues, decided in one place as `run --resume` decides it (issue 14 §4):
 * the one interrupted offline update of this cluster, or the one `--run-id` names. With none it refuses
 * (exit 5) and touches nothing, instead of starting a new update that stops the cluster; with several it
 * names them, newest first by real start time (also in simulation), and asks for --run-id. Every refusal's
 * hint is a command that works in that state.
 */
import { OFFLINE_JOURNAL_TYPES } from '../../../core/offline-update.js';
import { refusedError } from '../../../errors.js';
import { listJournals, type JournalKind, type JournalSummary } from '../../../journal/journal.js';
import type { ClusterContext } from '../../context.js';
import type { GlobalProfile } from '../../global-options.js';
import { commandFor } from '../run/resume.js';

export const OFFLINE_JOURNAL: JournalKind = { started: OFFLINE_JOURNAL_TYPES.started, completed: OFFLINE_JOURNAL_TYPES.completed };

/** `RUNID (started 2026-12-03T13:04:44Z)`, for lists of runs in messages. */
function describeRun(journal: JournalSummary): string {
  return `${journal.runId} (started ${journal.startedAt})`;
}

export function selectOfflineToResume(ctx: ClusterContext, globals: GlobalProfile, runIdOption: string | undefined): JournalSummary {
  const all = listJournals(ctx.stateDir, ctx.entry, OFFLINE_JOURNAL);
  const interrupted = all.filter((j) => !j.completed && !j.abandoned);
  const newUpdate = commandFor(globals, 'offline-update --force');
  if (runIdOption !== undefined) {
    const journal = all.find((j) => j.runId === runIdOption);
    if (journal === undefined) {
      const rolling = listJournals(ctx.stateDir, ctx.entry).some((j) => j.runId === runIdOption);
      throw refusedError('NOTHING_TO_RESUME', `${rolling ? `Run ${runIdOption} of ${ctx.entry} is a rolling run, not an offline update` : `No offline update ${runIdOption} of ${ctx.entry} in this state directory`}; nothing was touched.`, {
        hint: rolling
          ? commandFor(globals, `run --resume --run-id ${runIdOption} --force`)
          : interrupted.length > 0
            ? commandFor(globals, `offline-update --resume --run-id ${interrupted[0]!.runId} --force`)
            : `see the runs with ${commandFor(globals, 'get-report')}`,
      });
    }
    if (journal.completed) {
      throw refusedError('RUN_ALREADY_ENDED', `Offline update ${journal.runId} of ${ctx.entry} already ended; nothing to resume, nothing was touched.`, {
        hint: `see it with ${commandFor(globals, `get-report --run-id ${journal.runId} --detailed`)}`,
      });
    }
    if (journal.abandoned) {
      throw refusedError('RUN_ABANDONED', `Offline update ${journal.runId} of ${ctx.entry} was abandoned and is never resumed; nothing was touched.`, {
        hint: `check the cluster with ${commandFor(globals, 'get-run --show-cluster-node-state')}, or start a new update: ${newUpdate}`,
      });
    }
    return journal;
  }
  if (interrupted.length === 0) {
    throw refusedError('NOTHING_TO_RESUME', `No interrupted offline update of ${ctx.entry} in this state directory, so there is nothing to resume; nothing was touched.`, {
      hint: `check the cluster with ${commandFor(globals, 'get-run --show-cluster-node-state')}; to start a new update (it stops the cluster): ${newUpdate}`,
    });
  }
  if (interrupted.length > 1) {
    throw refusedError('RESUME_AMBIGUOUS', `${interrupted.length} offline updates of ${ctx.entry} were interrupted: ${interrupted.map(describeRun).join(', ')}; nothing was touched.`, {
      hint: `name the one to continue (the newest is first): ${commandFor(globals, `offline-update --resume --run-id ${interrupted[0]!.runId} --force`)}`,
      details: { runIds: interrupted.map((j) => j.runId) },
    });
  }
  return interrupted[0]!;
}
