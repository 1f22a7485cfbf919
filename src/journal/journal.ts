/**
 * The write-ahead run journal (invariant 6): one JSON line per step, fsync'd before the step acts, in the
 * user's state directory. A crash leaves at worst a torn last line, which readers ignore and the next writer
 * cuts before its first append. A failed append is truncated back and raised as JournalWriteError.
 *
 * Beside each journal `<run>.jsonl`, a small sidecar `<run>.meta.json` holds what is about the journal rather
 * than a step of the run: when the run really started (wall clock, also in simulation, so runs sort as they
 * happened) and whether `--force-recovery` abandoned it (then `--resume` never revives it). It is a separate
 * file so that the journal's record kinds stay the coordinator's.
 * Depends on platform/fs and platform/clock only.
 */
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, ExitCode } from '../errors.js';
import { systemClock, type Clock } from '../platform/clock.js';
import { appendLineDurable, encodePathSegment, readTextIfExists, repairLineTail, writeFileAtomic } from '../platform/fs.js';

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

export interface FileJournalOptions {
  /** Told what was repaired before the first append (a torn tail cut): shown with --verbose. */
  readonly onNotice?: (message: string) => void;
  /** The wall clock that dates a new journal's sidecar. @default systemClock */
  readonly wallClock?: Clock;
  /**
   * What a record must survive once appended. `power-cut` (the default, every real cluster): each record is
   * fsync'd before the step it records acts. `process-crash`: written but not fsync'd, for a rehearsal, whose
   * simulated cluster is itself kept only against a killed process (src/sim/model-store.ts): an fsync of its
   * journal would protect nothing that a power cut leaves of the cluster it records.
   */
  readonly durability?: 'power-cut' | 'process-crash';
}

export class FileJournal implements RunJournal {
  private readonly list: JournalRecord[];
  private prepared = false;

  constructor(
    readonly path: string,
    private readonly options: FileJournalOptions = {},
  ) {
    this.list = existsSync(path) ? readJournal(path) : [];
  }

  append(entry: JournalEntry, time: string): JournalRecord {
    const record: JournalRecord = { ...entry, seq: this.list.length + 1, time };
    try {
      if (!this.prepared) this.prepare();
      appendLineDurable(this.path, JSON.stringify(record), { fsync: this.options.durability !== 'process-crash' });
    } catch (error) {
      if (error instanceof JournalWriteError) throw error;
      throw new JournalWriteError(this.path, error);
    }
    this.list.push(record);
    return record;
  }

  records(): readonly JournalRecord[] {
    return this.list;
  }

  /**
   * Before the first append: a resumed journal loses its torn tail (appending after it would damage the line
   * in the middle, and every later reader would refuse the file); a new one gets its sidecar.
   */
  private prepare(): void {
    if (existsSync(this.path)) {
      const cut = repairLineTail(this.path, isJsonLine);
      if (cut > 0) this.options.onNotice?.(`journal: cut a torn last record (${cut} bytes, a write interrupted by a crash) from ${this.path} before appending.`);
    } else if (readJournalMeta(this.path) === undefined) {
      writeJournalMeta(this.path, { version: 1, startedAt: new Date((this.options.wallClock ?? systemClock).now()).toISOString() });
    }
    this.prepared = true;
  }
}

function isJsonLine(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

/** The sidecar of a journal: facts about the journal file, not steps of the run. */
export interface JournalMeta {
  readonly version: 1;
  /** Wall-clock ISO time the journal was created (real time, also in simulation). */
  readonly startedAt: string;
  /** Set by --force-recovery: this run was given up; --resume never revives it. */
  readonly abandoned?: { readonly at: string; readonly reason: string };
}

function metaPath(journal: string): string {
  return journal.replace(/\.jsonl$/, '') + '.meta.json';
}

export function readJournalMeta(journal: string): JournalMeta | undefined {
  const text = readTextIfExists(metaPath(journal));
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as JournalMeta;
    return typeof parsed.startedAt === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function writeJournalMeta(journal: string, meta: JournalMeta): void {
  writeFileAtomic(metaPath(journal), `${JSON.stringify(meta)}\n`, { durable: true });
}

/** Marks a run abandoned (by --force-recovery), so that --resume never revives it. */
export function markAbandoned(journal: string, reason: string, wallClock: Clock = systemClock): void {
  const at = new Date(wallClock.now()).toISOString();
  try {
    // Inside the try: a journal folder that is a file (ENOTDIR) or unreadable fails the read as it fails the write.
    const meta = readJournalMeta(journal) ?? { version: 1 as const, startedAt: at };
    writeJournalMeta(journal, { ...meta, abandoned: { at, reason } });
  } catch (error) {
    throw new JournalWriteError(metaPath(journal), error);
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
      throw new AppError('JOURNAL_CORRUPT', ExitCode.usage, `Run journal ${path} is damaged at line ${i + 1}.`, {
        cause: error,
        hint: 'Move the file aside to start over; the cluster itself is re-read by --resume.',
      });
    }
  }
  return records;
}

export function journalDir(stateDir: string, clusterName: string): string {
  return join(stateDir, 'runs', encodePathSegment(clusterName.toUpperCase()));
}

export function journalPath(stateDir: string, clusterName: string, runId: string): string {
  return join(journalDir(stateDir, clusterName), `${encodePathSegment(runId)}.jsonl`);
}

export interface JournalSummary {
  readonly runId: string;
  readonly path: string;
  readonly records: readonly JournalRecord[];
  readonly completed: boolean;
  /** The run's own clock (virtual in simulation), from its run-started record. */
  readonly startTime: string;
  /** Wall-clock creation of the journal (its sidecar); the run's own start time for older journals. */
  readonly startedAt: string;
  /** Given up by --force-recovery: never resumed. */
  readonly abandoned: boolean;
}

/** Which journals a list is about: the record types that open and close one kind of run. */
export interface JournalKind {
  readonly started: string;
  readonly completed: string;
}

/** A rolling run's journal (`run`, and the rolling part of `feature-update`). */
export const ROLLING_JOURNAL: JournalKind = { started: 'run-started', completed: 'run-completed' };

/** Every journal of a cluster of one kind, newest first by real (wall-clock) start, also in simulation. */
export function listJournals(stateDir: string, clusterName: string, kind: JournalKind = ROLLING_JOURNAL): JournalSummary[] {
  const dir = journalDir(stateDir, clusterName);
  if (!existsSync(dir)) return [];
  const out: JournalSummary[] = [];
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.jsonl')) continue;
    const path = join(dir, file);
    const records = readJournal(path);
    const started = records.find((r) => r.type === kind.started);
    if (started === undefined) continue;
    const meta = readJournalMeta(path);
    out.push({
      runId: String(started.runId),
      path,
      records,
      completed: records.some((r) => r.type === kind.completed),
      startTime: started.time,
      startedAt: meta?.startedAt ?? started.time,
      abandoned: meta?.abandoned !== undefined,
    });
  }
  return out.sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
}

/** The newest run of this cluster that never recorded its end and was not abandoned. */
export function findInterruptedRun(stateDir: string, clusterName: string): JournalSummary | undefined {
  return listJournals(stateDir, clusterName).find((j) => !j.completed && !j.abandoned);
}

/** The journal of one run, when this state directory has it. */
export function findRun(stateDir: string, clusterName: string, runId: string): JournalSummary | undefined {
  return listJournals(stateDir, clusterName).find((j) => j.runId === runId);
}
