/**
 * The run profile a run was started with, kept beside its journal as `<run>.profile.json`, so that a debug
 * trace (save-debug-trace) can say with which options a run went. Diagnostics only: nothing reads it to decide
 * anything, and a run never fails because it could not be saved. Depends on platform/fs only.
 */
import { writeFileAtomic } from '../platform/fs.js';

export function runProfilePath(journal: string): string {
  return journal.replace(/\.jsonl$/, '') + '.profile.json';
}

/** Saves the profile beside the journal (0600, like the journal). Throws the file-system error as it is. */
export function saveRunProfile(journal: string, profile: unknown): void {
  writeFileAtomic(runProfilePath(journal), `${JSON.stringify(profile, null, 2)}\n`);
}

