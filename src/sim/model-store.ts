/**
 * How the simulated cluster's model lives on disk: a whole snapshot (`model.json`) plus an append-only log of
 * changes (`model.log`), so that an operation costs a short append of what it changed, not a rewrite of the
 * whole model (which grows with the nodes and the tasks of a run).
 *
 * Each log entry is one JSON line `{"g": generation, "len": {...}, "set": {...}, "del": [...]}`: the top-level
 * fields that changed since the previous entry, and for the big arrays (nodes, tasks, roles) only the elements
 * that changed plus the new length; of a node that changed, only its fields that did (`nodes.3.power`; a
 * removed field is in `del`). An entry is complete or it is not there: a process killed in the middle of
 * an append leaves a torn line, which readers skip (every append starts with a newline, so the next entry never
 * runs into it). The snapshot is rewritten, and the log emptied, at a command's end (`compact`), and whenever
 * the log grows past a bound. The snapshot carries its generation; entries at or below it are skipped, so a
 * crash between the snapshot's rename and the log's removal loses nothing.
 *
 * The operation counters (opCounts, recentOps) are bookkeeping that no operation reads: they are written with
 * the snapshot only (SNAPSHOT_ONLY), and a finished task is never compared again (SETTLED).
 *
 * The caller holds the model's mutex around every write. Nothing is fsync'd: the store must survive a killed
 * process (the page cache keeps what was written), not a power cut. Depends on node:fs and platform/fs only.
 */
import { appendFileSync, rmSync, statSync, type BigIntStats } from 'node:fs';
import { readTextIfExists, writeFileAtomic } from '../platform/fs.js';

/** Arrays whose elements are logged one by one; the other top-level fields are logged whole. */
const ELEMENT_LOGGED = new Set(['nodes', 'tasks', 'roles']);
/** Element-logged arrays whose changed elements are logged field by field (a node is 1.5 KB; an operation changes a few of its fields). */
const FIELD_LOGGED = new Set(['nodes']);
/**
 * Bookkeeping that no operation reads (how many operations of each kind ran, the last 50 of them): written
 * with the snapshot, at a command's end and at each compaction, never logged. It changes with every operation,
 * and logged it was two thirds of every log entry. A killed process loses the counts since the last snapshot;
 * the cluster's own state is all logged.
 */
const SNAPSHOT_ONLY = new Set(['opCounts', 'recentOps']);

/**
 * Elements that never change again once saved in this state, so a save does not compare them: a task that is
 * no longer Running (the model only ever writes a Running task: its end, or its abort by a restart). Tasks are
 * a third of the model and most of them are finished. Checked in tests (`checking`): there every element is
 * compared, and a settled one that changed throws.
 */
const SETTLED: Record<string, ((element: Json) => boolean) | undefined> = {
  tasks: (task) => typeof task === 'object' && task !== null && !Array.isArray(task) && task.state !== undefined && task.state !== 'Running',
};

/**
 * What was written since the last save, by identity. For an element-logged array given here only the marked
 * elements (and those past the saved length) are compared, the rest are taken as unchanged; for another key
 * given here its value is compared only when marked (or new). The model marks each write (ClusterModel.touch
 * and its kin); in tests an unmarked one that changed throws.
 */
export type WrittenElements = Readonly<Record<string, ReadonlySet<unknown>>>;

/**
 * Settled and unmarked elements are compared after all: in tests (NODE_ENV=test, which jest sets and the CLI it
 * starts inherits), or by hand.
 */
function checking(): boolean {
  return process.env.CAUCTL_SIM_STORE_CHECK === '1' || process.env.NODE_ENV === 'test';
}

/** The log is folded into the snapshot once it is this many times the snapshot's size (and at least 256 KiB). */
const COMPACT_FACTOR = 4;
const COMPACT_MIN_BYTES = 256 * 1024;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Doc = Record<string, Json>;

interface LogEntry {
  g: number;
  len?: Record<string, number>;
  set?: Record<string, Json>;
  del?: string[];
}

/** The saved text could not be read back as a model (the caller names the file and the way out). */
export class ModelStoreCorrupt extends Error {}

/** Equality as JSON sees it: an own property set to undefined is the same as an absent one. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let defined = 0;
  for (const key in x) {
    if (x[key] === undefined) continue;
    defined += 1;
    if (!sameJson(x[key], y[key])) return false;
  }
  for (const key in y) if (y[key] !== undefined) defined -= 1;
  return defined === 0;
}

function applyEntry(doc: Doc, entry: LogEntry): void {
  for (const [key, length] of Object.entries(entry.len ?? {})) {
    const list = doc[key];
    if (Array.isArray(list)) list.length = length;
    else doc[key] = new Array<Json>(length).fill(null);
  }
  for (const [path, value] of Object.entries(entry.set ?? {})) {
    const [key, index, field] = path.split('.');
    if (index === undefined) {
      doc[key!] = value;
      continue;
    }
    const list = doc[key!];
    if (!Array.isArray(list)) continue;
    if (field === undefined) {
      list[Number(index)] = value;
      continue;
    }
    const element = list[Number(index)];
    if (typeof element === 'object' && element !== null && !Array.isArray(element)) element[field] = value;
  }
  for (const path of entry.del ?? []) {
    const [key, index, field] = path.split('.');
    if (index === undefined || field === undefined) {
      delete doc[key!];
      continue;
    }
    const list = doc[key!];
    const element = Array.isArray(list) ? list[Number(index)] : undefined;
    if (typeof element === 'object' && element !== null && !Array.isArray(element)) delete element[field];
  }
}

/** Logs, into `set` and `del`, the fields of element `path` (`nodes.3`) that differ; whether any did. */
function diffFields(path: string, before: Json, now: Json, set: Record<string, Json>, del: string[]): boolean {
  if (typeof before !== 'object' || before === null || Array.isArray(before) || typeof now !== 'object' || now === null || Array.isArray(now)) {
    if (sameJson(before, now)) return false;
    set[path] = now;
    return true;
  }
  let changed = false;
  for (const field of Object.keys(now)) {
    const value = now[field];
    if (value === undefined) continue;
    if (!sameJson(before[field], value)) {
      set[`${path}.${field}`] = value;
      changed = true;
    }
  }
  for (const field of Object.keys(before)) {
    if (before[field] !== undefined && now[field] === undefined) {
      del.push(`${path}.${field}`);
      changed = true;
    }
  }
  return changed;
}

/** What of `now` differs from `saved`, as a log entry body; undefined when nothing does. */
function diff(saved: Doc, now: Doc, written: WrittenElements): Omit<LogEntry, 'g'> | undefined {
  const set: Record<string, Json> = {};
  const len: Record<string, number> = {};
  const del: string[] = [];
  let changed = false;
  const check = checking();
  for (const key of Object.keys(now)) {
    const value = now[key];
    if (value === undefined || SNAPSHOT_ONLY.has(key)) continue;
    const before = saved[key];
    const marked = written[key];
    if (ELEMENT_LOGGED.has(key) && Array.isArray(value) && Array.isArray(before)) {
      if (before.length !== value.length) {
        len[key] = value.length;
        changed = true;
      }
      const settled = SETTLED[key];
      const byField = FIELD_LOGGED.has(key);
      const compare = (i: number): void => {
        const done = i < before.length && settled !== undefined && settled(before[i]!);
        const unmarked = i < before.length && marked !== undefined && !marked.has(value[i]);
        if ((done || unmarked) && !check) return;
        if (byField && i < before.length && !done && !unmarked) {
          if (diffFields(`${key}.${i}`, before[i]!, value[i]!, set, del)) changed = true;
          return;
        }
        if (i >= before.length || !sameJson(before[i], value[i])) {
          if (done) throw new Error(`model store: ${key}[${i}] changed after it was settled; this is a bug in src/sim (model-store.ts, SETTLED).`);
          if (unmarked) throw new Error(`model store: ${key}[${i}] changed with no mark of its write; this is a bug in src/sim (a write to it lacks ClusterModel.touch).`);
          set[`${key}.${i}`] = value[i]!;
          changed = true;
        }
      };
      if (marked !== undefined && !check) {
        // Only the marked elements, and those past the saved length: the others are as saved (checked in tests).
        for (const element of marked) {
          const i = value.indexOf(element as Json);
          if (i >= 0 && i < before.length) compare(i);
        }
        for (let i = before.length; i < value.length; i++) compare(i);
      } else {
        for (let i = 0; i < value.length; i++) compare(i);
      }
    } else {
      const unmarked = before !== undefined && marked !== undefined && !marked.has(value);
      if (unmarked && !check) continue;
      if (!sameJson(before, value)) {
        if (unmarked) throw new Error(`model store: ${key} changed with no mark of its write; this is a bug in src/sim (a write to it lacks its ClusterModel mark).`);
        set[key] = value;
        changed = true;
      }
    }
  }
  for (const key of Object.keys(saved)) {
    if (now[key] === undefined && !SNAPSHOT_ONLY.has(key)) {
      del.push(key);
      changed = true;
    }
  }
  if (!changed) return undefined;
  return { ...(Object.keys(len).length > 0 ? { len } : {}), ...(Object.keys(set).length > 0 ? { set } : {}), ...(del.length > 0 ? { del } : {}) };
}

/** A file's identity and size, to notice another process's write without reading the file. */
function fingerprint(path: string): string {
  let s: BigIntStats | undefined;
  try {
    s = statSync(path, { bigint: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw error;
  }
  return `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
}

export class ModelStore {
  /** The model as this process last read or wrote it (a private copy), to diff the next write against. */
  private saved: Doc | undefined;
  /** The files as this process last saw them. */
  private seen = '';
  /** This process appended since `seen` was taken (it still holds the mutex; see settle). */
  private unseenOwnWrite = false;
  private logBytes = 0;
  private snapshotBytes = 0;

  constructor(
    readonly snapshotPath: string,
    readonly logPath: string = snapshotPath.replace(/\.json$/, '.log'),
  ) {}

  private fingerprints(): string {
    return `${fingerprint(this.snapshotPath)}|${fingerprint(this.logPath)}`;
  }

  /**
   * Whether another process wrote the model since this one last read or wrote it (a stat, no read). Asked
   * while the caller holds the mutex; after an append of its own, nobody else can have written until it lets
   * go, and it calls `settle` before it does.
   */
  changedOnDisk(): boolean {
    if (this.unseenOwnWrite) {
      this.settle();
      return false;
    }
    return this.fingerprints() !== this.seen;
  }

  /**
   * Takes the files' fingerprints after this process's own appends: called before it lets go of the mutex
   * (a stat per append cost more than the append's diff), so that a later write by another process shows.
   */
  settle(): void {
    if (!this.unseenOwnWrite) return;
    this.seen = this.fingerprints();
    this.unseenOwnWrite = false;
  }

  /**
   * The saved model (snapshot plus log), or undefined when there is none. Throws ModelStoreCorrupt when the
   * snapshot is not JSON. The result is the caller's to change; the store keeps its own copy.
   */
  read(): Record<string, unknown> | undefined {
    const before = this.fingerprints();
    const text = readTextIfExists(this.snapshotPath);
    if (text === undefined) {
      this.saved = undefined;
      this.seen = before;
      return undefined;
    }
    let doc: Doc;
    try {
      doc = JSON.parse(text) as Doc;
    } catch (cause) {
      throw new ModelStoreCorrupt('not valid JSON', { cause });
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new ModelStoreCorrupt('not a JSON object');
    const base = typeof doc.storeGeneration === 'number' ? doc.storeGeneration : 0;
    const log = readTextIfExists(this.logPath) ?? '';
    for (const line of log.split('\n')) {
      if (line === '') continue;
      let entry: LogEntry;
      try {
        entry = JSON.parse(line) as LogEntry;
      } catch {
        continue; // torn by a killed process: that append never happened
      }
      if (typeof entry.g !== 'number' || entry.g <= base) continue;
      applyEntry(doc, entry);
      doc.storeGeneration = entry.g;
    }
    this.saved = structuredClone(doc);
    this.snapshotBytes = text.length;
    this.logBytes = log.length;
    this.seen = before === this.fingerprints() ? before : '';
    return doc;
  }

  /**
   * Saves what changed in `state` since this process last read or wrote the model, as generation
   * `generation` (which the caller has already put in `state.storeGeneration`). For a key of `written`, only
   * its marked elements are compared. Folds the log into the snapshot when it has grown past its bound.
   */
  append(state: object, generation: number, written: WrittenElements = {}): void {
    const now = state as Doc;
    if (this.saved === undefined) {
      this.compact(state);
      return;
    }
    const body = diff(this.saved, now, written);
    if (body === undefined) return;
    const line = JSON.stringify({ g: generation, ...body });
    if (this.logBytes + line.length > Math.max(COMPACT_MIN_BYTES, COMPACT_FACTOR * this.snapshotBytes)) {
      this.compact(state);
      return;
    }
    appendFileSync(this.logPath, `\n${line}\n`, { mode: 0o600 });
    applyEntry(this.saved, JSON.parse(line) as LogEntry);
    this.logBytes += line.length + 2;
    this.unseenOwnWrite = true;
  }

  /** Rewrites the snapshot with the whole of `state` and empties the log (the end of a command). */
  compact(state: object): void {
    const text = `${JSON.stringify(state)}\n`;
    writeFileAtomic(this.snapshotPath, text);
    // The snapshot now holds every entry (its generation is the newest); a crash here leaves entries it skips.
    rmSync(this.logPath, { force: true });
    this.saved = JSON.parse(text) as Doc;
    this.snapshotBytes = text.length;
    this.logBytes = 0;
    this.seen = this.fingerprints();
    this.unseenOwnWrite = false;
  }

  /** Whether the log holds entries not yet folded into the snapshot. */
  get hasLog(): boolean {
    return this.logBytes > 0;
  }
}

/** The saved model of a state folder's simulated cluster, as the next command would open it (tests, tools). */
export function readSavedModel(snapshotPath: string): Record<string, unknown> | undefined {
  return new ModelStore(snapshotPath).read();
}
