/**
 * What `offline-update --resume` continues (src/cli/resume-selection.ts): the one interrupted offline update of
 * this cluster, or the one `--run-id` names; with none it refuses (exit 5) instead of starting a new update that
 * stops the cluster.
 */
import { OFFLINE_JOURNAL_TYPES } from '../../../core/offline-update.js';
import type { JournalKind, JournalSummary } from '../../../journal/journal.js';
import type { ClusterContext } from '../../context.js';
import type { GlobalProfile } from '../../global-options.js';
import { selectJournalToResume } from '../../resume-selection.js';
import { commandFor } from '../run/resume.js';

export const OFFLINE_JOURNAL: JournalKind = { started: OFFLINE_JOURNAL_TYPES.started, completed: OFFLINE_JOURNAL_TYPES.completed };

export function selectOfflineToResume(ctx: ClusterContext, globals: GlobalProfile, runIdOption: string | undefined): JournalSummary {
  return selectJournalToResume(ctx, globals, runIdOption, {
    kind: OFFLINE_JOURNAL,
    what: 'offline update',
    command: 'offline-update',
    startNew: (g) => `to start a new update (it stops the cluster): ${commandFor(g, 'offline-update --force')}`,
  });
}
