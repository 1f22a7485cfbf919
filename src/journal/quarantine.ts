/**
 * `run --force-recovery --clear-corrupt-reports` (CAU's ClearCorruptReports): damaged run journals and history
 * files are moved aside into a `quarantine/` folder beside them, never deleted, so that recovery and the
 * reports can go on and the files stay for a post-mortem. A journal is damaged when it does not read
 * (JOURNAL_CORRUPT: a bad line before its last); a history file when it is not a report. A journal's sidecars
 * (`.meta.json`, `.profile.json`) go with it. Depends on platform/fs and the journal and history readers.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../errors.js';
import { fsUserError } from '../platform/fs.js';
import { historyDir } from './history.js';
import { journalDir, readJournal } from './journal.js';

export interface QuarantinedFile {
  readonly from: string;
  readonly to: string;
  /** Why the file was judged damaged. */
  readonly reason: string;
}

export const QUARANTINE_DIR = 'quarantine';

function damagedJournal(path: string): string | undefined {
  try {
    readJournal(path);
    return undefined;
  } catch (error) {
    if (error instanceof AppError && error.code === 'JOURNAL_CORRUPT') return error.message;
    throw error;
  }
}

function damagedReport(path: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return `not JSON (${error instanceof Error ? error.message : String(error)})`;
  }
  const report = parsed as { runId?: unknown; startTime?: unknown } | null;
  return typeof report?.runId === 'string' && typeof report.startTime === 'string' ? undefined : 'not a run report (no runId or startTime)';
}

/** Moves `file` of `dir` into `dir/quarantine/`, never over an existing file. */
function moveAside(dir: string, file: string): string {
  const target = join(dir, QUARANTINE_DIR);
  mkdirSync(target, { recursive: true, mode: 0o700 });
  let to = join(target, file);
  for (let n = 2; existsSync(to); n++) to = join(target, `${file}.${n}`);
  const from = join(dir, file);
  try {
    renameSync(from, to);
  } catch (error) {
    throw fsUserError(error, from) ?? error;
  }
  return to;
}

/** Quarantines the damaged journals and history files of one cluster; returns what moved, and why. */
export function quarantineCorruptReports(stateDir: string, clusterName: string): QuarantinedFile[] {
  const moved: QuarantinedFile[] = [];
  const journals = journalDir(stateDir, clusterName);
  if (existsSync(journals)) {
    for (const file of readdirSync(journals).filter((f) => f.endsWith('.jsonl')).sort()) {
      const reason = damagedJournal(join(journals, file));
      if (reason === undefined) continue;
      moved.push({ from: join(journals, file), to: moveAside(journals, file), reason });
      const base = file.replace(/\.jsonl$/, '');
      for (const sidecar of [`${base}.meta.json`, `${base}.profile.json`]) {
        if (existsSync(join(journals, sidecar))) moved.push({ from: join(journals, sidecar), to: moveAside(journals, sidecar), reason: `belongs to ${file}` });
      }
    }
  }
  const history = historyDir(stateDir, clusterName);
  if (existsSync(history)) {
    for (const file of readdirSync(history).filter((f) => f.endsWith('.json')).sort()) {
      const reason = damagedReport(join(history, file));
      if (reason !== undefined) moved.push({ from: join(history, file), to: moveAside(history, file), reason });
    }
  }
  return moved;
}
