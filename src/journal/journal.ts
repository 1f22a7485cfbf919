/**
 * The write-ahead run journal (invariant 6): one JSON line per step, fsync'd before the step acts, in the
 * user's state directory. A crash leaves at worst a torn last line, which readers ignore.
 * Depends on platform/fs only.
 */
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, ExitCode } from '../errors.js';
import { appendLineDurable, readTextIfExists } from '../platform/fs.js';

export interface JournalRecord {
  readonly seq: number;
  /** ISO-8601, the run's clock (virtual in simulation). */
  readonly time: string;
  readonly type: string;
  readonly [key: string]: unknown;
}

export type JournalEntry = { readonly type: string; readonly [key: string]: unknown };

/**
 * A journal or history record could not be made durable (a full disk, a removed folder, a read-only mount).
 * The run cannot keep its write-ahead promise, so it halts at a safe point: exit 3, never "internal error".
 */
export class JournalWriteError extends AppError {
  constructor(readonly path: string, cause: unknown) {
    const why = (cause as NodeJS.ErrnoException | null)?.code ?? (cause instanceof Error ? cause.message : String(cause));
    super('JOURNAL_WRITE_FAILED', ExitCode.runFailed, `The run journal ${path} could not be written (${why}); the run stopped at a safe point.`, {
      cause,
      hint: 'Free space or fix the state directory (CAUCTL_STATE_DIR), then continue with: cauctl run --resume',
    });
  }
}

export interface RunJournal {
  /** Where the journal lives, or undefined for an in-memory one. */
  readonly path: string | undefined;
  append(entry: JournalEntry, time: string): JournalRecord;
  records(): readonly JournalRecord[];
}

export class MemoryJournal implements RunJournal {
  readonly path = undefined;
  private readonly list: JournalRecord[] = [];

  constructor(initial: readonly JournalRecord[] = []) {
    this.list.push(...initial);
  }

  append(entry: JournalEntry, time: string): JournalRecord {
    const record: JournalRecord = { ...entry, seq: this.list.length + 1, time };
    this.list.push(record);
    return record;
  }

  records(): readonly JournalRecord[] {
    return this.list;
  }
}

export class FileJournal implements RunJournal {
  private readonly list: JournalRecord[];

  constructor(readonly path: string) {
    this.list = existsSync(path) ? readJournal(path) : [];
  }

  append(entry: JournalEntry, time: string): JournalRecord {
    const record: JournalRecord = { ...entry, seq: this.list.length + 1, time };
    appendLineDurable(this.path, JSON.stringify(record));
    this.list.push(record);
    return record;
  }

  records(): readonly JournalRecord[] {
    return this.list;
  }
}

/** Reads a journal. A torn final line (crash mid-write) is dropped; damage anywhere else is an error. */
export function readJournal(path: string): JournalRecord[] {
  const text = readTextIfExists(path);
  if (text === undefined) {
    throw new AppError('JOURNAL_NOT_FOUND', ExitCode.usage, `No run journal at ${path}.`);
  }
  const lines = text.split('\n');
  const records: JournalRecord[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    try {
      records.push(JSON.parse(line) as JournalRecord);
    } catch (error) {
      const isLast = lines.slice(i + 1).every((l) => l.trim() === '');
      if (isLast) break;
      throw new AppError('JOURNAL_CORRUPT', ExitCode.internal, `Run journal ${path} is damaged at line ${i + 1}.`, {
        cause: error,
        hint: 'Move the file aside to start over; the cluster itself is re-read by --resume.',
      });
    }
  }
  return records;
}

function safeSegment(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}

export function journalDir(stateDir: string, clusterName: string): string {
  return join(stateDir, 'runs', safeSegment(clusterName.toUpperCase()));
}

export function journalPath(stateDir: string, clusterName: string, runId: string): string {
  return join(journalDir(stateDir, clusterName), `${safeSegment(runId)}.jsonl`);
}

export interface JournalSummary {
  readonly runId: string;
  readonly path: string;
  readonly records: readonly JournalRecord[];
  readonly completed: boolean;
  readonly startTime: string;
}

/** Every journal of a cluster, newest first. */
export function listJournals(stateDir: string, clusterName: string): JournalSummary[] {
  const dir = journalDir(stateDir, clusterName);
  if (!existsSync(dir)) return [];
  const out: JournalSummary[] = [];
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.jsonl')) continue;
    const path = join(dir, file);
    const records = readJournal(path);
    const started = records.find((r) => r.type === 'run-started');
    if (started === undefined) continue;
    out.push({
      runId: String(started.runId),
      path,
      records,
      completed: records.some((r) => r.type === 'run-completed'),
      startTime: started.time,
    });
  }
  return out.sort((a, b) => b.startTime.localeCompare(a.startTime));
}

/** The newest run of this cluster that never recorded its end. */
export function findInterruptedRun(stateDir: string, clusterName: string): JournalSummary | undefined {
  return listJournals(stateDir, clusterName).find((j) => !j.completed);
}
