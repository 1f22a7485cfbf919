import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { AppError } from '../errors.js';
import { FileJournal, JournalWriteError, MemoryJournal, findInterruptedRun, findRun, journalPath, listJournals, markAbandoned, readJournal, readJournalMeta } from './journal.js';

describe('the run journal', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cauctl-journal-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends numbered records durably and reads them back', () => {
    const path = journalPath(dir, 'hci01', 'r1');
    const journal = new FileJournal(path);
    journal.append({ type: 'run-started', runId: 'r1' }, '2026-01-01T00:00:00.000Z');
    journal.append({ type: 'step', node: 'N1', step: 'suspended' }, '2026-01-01T00:01:00.000Z');
    expect(readJournal(path)).toEqual([
      { type: 'run-started', runId: 'r1', seq: 1, time: '2026-01-01T00:00:00.000Z' },
      { type: 'step', node: 'N1', step: 'suspended', seq: 2, time: '2026-01-01T00:01:00.000Z' },
    ]);
    // A reopened journal continues the numbering.
    expect(new FileJournal(path).append({ type: 'run-completed' }, '2026-01-01T00:02:00.000Z').seq).toBe(3);
  });

  it('drops a torn last line (a crash mid-write) but refuses damage elsewhere', () => {
    const path = join(dir, 'torn.jsonl');
    writeFileSync(path, '{"seq":1,"time":"t","type":"run-started","runId":"r"}\n{"seq":2,"ti');
    expect(readJournal(path).map((r) => r.seq)).toEqual([1]);
    appendFileSync(path, '\n{"seq":3,"time":"t","type":"step"}\n');
    expect(() => readJournal(path)).toThrow(/damaged at line 2/);
  });

  it('finds the newest run that never recorded its end, ordered by real (wall-clock) start, not the run clock', () => {
    const at = (iso: string) => ({ wallClock: { now: () => Date.parse(iso), sleep: async () => undefined } });
    const done = new FileJournal(journalPath(dir, 'HCI01', 'done'), at('2026-01-01T00:00:00.000Z'));
    done.append({ type: 'run-started', runId: 'done' }, '2026-01-01T00:00:00.000Z');
    done.append({ type: 'run-completed' }, '2026-01-01T01:00:00.000Z');
    // A simulated run whose virtual clock is far ahead, started really before 'open'.
    const old = new FileJournal(journalPath(dir, 'HCI01', 'old'), at('2025-12-01T00:00:00.000Z'));
    old.append({ type: 'run-started', runId: 'old' }, '2027-06-01T00:00:00.000Z');
    const open = new FileJournal(journalPath(dir, 'HCI01', 'open'), at('2026-01-02T00:00:00.000Z'));
    open.append({ type: 'run-started', runId: 'open' }, '2026-01-02T00:00:00.000Z');
    expect(listJournals(dir, 'hci01').map((j) => j.runId)).toEqual(['open', 'done', 'old']);
    expect(findInterruptedRun(dir, 'HCI01')?.runId).toBe('open');
    expect(findInterruptedRun(dir, 'OTHER')).toBeUndefined();
    // Abandoned by --force-recovery: never found for resuming again.
    markAbandoned(journalPath(dir, 'HCI01', 'open'), 'test');
    expect(findInterruptedRun(dir, 'HCI01')?.runId).toBe('old');
  });

  it('markAbandoned where the journal\'s folder is a file: JournalWriteError (exit 3), not a raw error (exit 1)', () => {
    const folder = join(dir, 'runs', 'HCI01');
    mkdirSync(dirname(folder), { recursive: true });
    writeFileSync(folder, 'not a folder');
    expect(() => markAbandoned(join(folder, 'r.jsonl'), 'test')).toThrow(JournalWriteError);
  });

  it('cuts a torn tail before the first append, so the journal stays readable after resumes', () => {
    const path = journalPath(dir, 'HCI01', 'torn');
    const first = new FileJournal(path);
    first.append({ type: 'run-started', runId: 'torn' }, 't1');
    appendFileSync(path, '{"seq":2,"time":"t2","ty');
    const notices: string[] = [];
    const resumed = new FileJournal(path, { onNotice: (m) => notices.push(m) });
    expect(resumed.records().map((r) => r.seq)).toEqual([1]);
    resumed.append({ type: 'step', step: 'a' }, 't3');
    expect(notices).toEqual([expect.stringMatching(/cut a torn last record \(24 bytes/)]);
    new FileJournal(path).append({ type: 'step', step: 'b' }, 't4');
    expect(readJournal(path).map((r) => [r.seq, r.type])).toEqual([[1, 'run-started'], [2, 'step'], [3, 'step']]);
  });

  it('gives a whole last record that lost only its newline its newline back', () => {
    const path = join(dir, 'nl.jsonl');
    writeFileSync(path, '{"seq":1,"time":"t","type":"run-started","runId":"nl"}');
    new FileJournal(path).append({ type: 'step' }, 't2');
    expect(readJournal(path).map((r) => r.seq)).toEqual([1, 2]);
  });

  it('a failed append leaves no torn record and raises JournalWriteError', () => {
    const path = journalPath(dir, 'HCI01', 'full');
    const journal = new FileJournal(path);
    journal.append({ type: 'run-started', runId: 'full' }, 't1');
    const size = statSync(path).size;
    // The journal's folder replaced by a file: the append cannot even open its file.
    rmSync(dirname(path), { recursive: true });
    writeFileSync(dirname(path), 'not a folder');
    expect(() => journal.append({ type: 'step' }, 't2')).toThrow(JournalWriteError);
    expect(journal.records()).toHaveLength(1);
    rmSync(dirname(path));
    expect(size).toBeGreaterThan(0);
  });

  it("a rehearsal's journal (durability process-crash) keeps the same records, numbering and failure handling", () => {
    const path = journalPath(dir, 'SIM', 'rehearsal');
    const journal = new FileJournal(path, { durability: 'process-crash' });
    journal.append({ type: 'run-started', runId: 'rehearsal' }, 't1');
    journal.append({ type: 'step', node: 'N1', step: 'suspended' }, 't2');
    expect(readJournal(path)).toEqual([
      { type: 'run-started', runId: 'rehearsal', seq: 1, time: 't1' },
      { type: 'step', node: 'N1', step: 'suspended', seq: 2, time: 't2' },
    ]);
    expect(readJournalMeta(path)?.version).toBe(1);
    // The journal's folder removed mid-run: the next append makes it again and starts a new file.
    rmSync(dirname(path), { recursive: true });
    journal.append({ type: 'step', node: 'N1', step: 'resumed' }, 't3');
    expect(readJournal(path)).toEqual([{ type: 'step', node: 'N1', step: 'resumed', seq: 3, time: 't3' }]);
    rmSync(dirname(path), { recursive: true });
    writeFileSync(dirname(path), 'not a folder');
    expect(() => journal.append({ type: 'run-completed' }, 't4')).toThrow(JournalWriteError);
    expect(journal.records()).toHaveLength(3);
    rmSync(dirname(path));
  });

  it('names a journal by the cluster in capitals and the run, each an encoded path segment', () => {
    expect(journalPath(dir, 'hci01', 'r1')).toBe(join(dir, 'runs', 'HCI01', 'r1.jsonl'));
    expect(journalPath(dir, 'a/b', '..')).toBe(join(dir, 'runs', 'A_2FB', '_2E_2E.jsonl'));
  });

  it('a missing journal is exit 2 JOURNAL_NOT_FOUND naming it; a damaged one names the line and how to start over', () => {
    const missing = join(dir, 'none.jsonl');
    expect(() => readJournal(missing)).toThrow(`No run journal at ${missing}.`);
    expect(() => readJournal(missing)).toThrow(expect.objectContaining({ code: 'JOURNAL_NOT_FOUND', exitCode: 2 }));
    const damaged = join(dir, 'damaged.jsonl');
    writeFileSync(damaged, '{"seq":1,"time":"t","type":"a"}\nnot json\n{"seq":3,"time":"t","type":"b"}\n');
    let error: unknown;
    try {
      readJournal(damaged);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: 'JOURNAL_CORRUPT',
      exitCode: 2,
      message: `Run journal ${damaged} is damaged at line 2.`,
      hint: 'Move the file aside to start over; the cluster itself is re-read by --resume.',
    });
    // Blank lines are not records, and not damage; a torn last line followed only by blank lines is still the last.
    writeFileSync(damaged, '\n{"seq":1,"time":"t","type":"a"}\n\n{"seq":2,"ti\n\n');
    expect(readJournal(damaged).map((r) => r.seq)).toEqual([1]);
  });

  it('JournalWriteError says which file, why, that the run stopped at a safe point, and how to go on (exit 3)', () => {
    const error = new JournalWriteError('/state/runs/C/r.jsonl', Object.assign(new Error('no space left'), { code: 'ENOSPC' }));
    expect(error).toMatchObject({
      code: 'JOURNAL_WRITE_FAILED',
      exitCode: 3,
      message: 'The run journal /state/runs/C/r.jsonl could not be written (ENOSPC); the run stopped at a safe point.',
      hint: 'Free space or fix the state directory (CAUCTL_STATE_DIR), then continue with: cauctl run --resume',
    });
    expect(new JournalWriteError('p', new Error('boom')).message).toBe('The run journal p could not be written (boom); the run stopped at a safe point.');
    expect(new JournalWriteError('p', 'odd').message).toBe('The run journal p could not be written (odd); the run stopped at a safe point.');
  });

  it('an in-memory journal numbers its records after the ones it was given', () => {
    const journal = new MemoryJournal([{ seq: 1, time: 't1', type: 'run-started' }]);
    expect(journal.path).toBeUndefined();
    expect(journal.append({ type: 'step', step: 'a' }, 't2')).toEqual({ type: 'step', step: 'a', seq: 2, time: 't2' });
    expect(journal.records()).toEqual([
      { seq: 1, time: 't1', type: 'run-started' },
      { type: 'step', step: 'a', seq: 2, time: 't2' },
    ]);
  });

  it('a new journal gets a sidecar dated by the wall clock at its first append; a resumed one keeps its own', () => {
    const path = journalPath(dir, 'C', 'r1');
    const wallClock = { now: () => Date.parse('2026-03-01T10:00:00.000Z'), sleep: async () => undefined };
    const journal = new FileJournal(path, { wallClock });
    expect(readJournalMeta(path)).toBeUndefined();
    journal.append({ type: 'run-started', runId: 'r1' }, '2030-01-01T00:00:00.000Z');
    expect(readJournalMeta(path)).toEqual({ version: 1, startedAt: '2026-03-01T10:00:00.000Z' });
    const later = { now: () => Date.parse('2026-03-02T10:00:00.000Z'), sleep: async () => undefined };
    new FileJournal(path, { wallClock: later }).append({ type: 'step' }, '2030-01-01T00:01:00.000Z');
    expect(readJournalMeta(path)).toEqual({ version: 1, startedAt: '2026-03-01T10:00:00.000Z' });
    expect(readFileSync(path.replace(/\.jsonl$/, '.meta.json'), 'utf8')).toBe('{"version":1,"startedAt":"2026-03-01T10:00:00.000Z"}\n');
  });

  it('a sidecar that does not parse, or has no start, is no sidecar', () => {
    const path = journalPath(dir, 'C', 'r2');
    mkdirSync(dirname(path), { recursive: true });
    const meta = path.replace(/\.jsonl$/, '.meta.json');
    writeFileSync(meta, '{"version":1,');
    expect(readJournalMeta(path)).toBeUndefined();
    writeFileSync(meta, '{"version":1,"startedAt":7}');
    expect(readJournalMeta(path)).toBeUndefined();
  });

  it('--force-recovery marks a run abandoned in its sidecar, keeping its start; a journal without one is dated by the mark', () => {
    const clock = (iso: string) => ({ now: () => Date.parse(iso), sleep: async () => undefined });
    const path = journalPath(dir, 'C', 'r3');
    new FileJournal(path, { wallClock: clock('2026-04-01T00:00:00.000Z') }).append({ type: 'run-started', runId: 'r3' }, 't');
    markAbandoned(path, 'force-recovery by admin', clock('2026-04-02T00:00:00.000Z'));
    expect(readJournalMeta(path)).toEqual({ version: 1, startedAt: '2026-04-01T00:00:00.000Z', abandoned: { at: '2026-04-02T00:00:00.000Z', reason: 'force-recovery by admin' } });
    const bare = join(dir, 'bare.jsonl');
    writeFileSync(bare, '{"seq":1,"time":"t","type":"run-started","runId":"b"}\n');
    markAbandoned(bare, 'r', clock('2026-04-03T00:00:00.000Z'));
    expect(readJournalMeta(bare)).toEqual({ version: 1, startedAt: '2026-04-03T00:00:00.000Z', abandoned: { at: '2026-04-03T00:00:00.000Z', reason: 'r' } });
  });

  it('lists the journals of one kind with what each says, skipping other files and journals of another kind', () => {
    const clock = (iso: string) => ({ wallClock: { now: () => Date.parse(iso), sleep: async () => undefined } });
    const run = new FileJournal(journalPath(dir, 'C', 'run1'), clock('2026-05-01T00:00:00.000Z'));
    run.append({ type: 'run-started', runId: 'run1' }, '2026-05-01T00:00:00.000Z');
    run.append({ type: 'run-completed' }, '2026-05-01T01:00:00.000Z');
    const offline = new FileJournal(journalPath(dir, 'C', 'off1'), clock('2026-05-02T00:00:00.000Z'));
    offline.append({ type: 'offline-started', runId: 'off1' }, '2026-05-02T00:00:00.000Z');
    // An older journal without a sidecar is dated by its run-started record.
    writeFileSync(journalPath(dir, 'C', 'old'), '{"seq":1,"time":"2026-04-01T00:00:00.000Z","type":"run-started","runId":"old"}\n');
    writeFileSync(join(dirname(journalPath(dir, 'C', 'x')), 'notes.txt'), 'not a journal');
    const listed = listJournals(dir, 'c');
    expect(listed.map((j) => ({ runId: j.runId, completed: j.completed, startTime: j.startTime, startedAt: j.startedAt, abandoned: j.abandoned, records: j.records.length }))).toEqual([
      { runId: 'run1', completed: true, startTime: '2026-05-01T00:00:00.000Z', startedAt: '2026-05-01T00:00:00.000Z', abandoned: false, records: 2 },
      { runId: 'old', completed: false, startTime: '2026-04-01T00:00:00.000Z', startedAt: '2026-04-01T00:00:00.000Z', abandoned: false, records: 1 },
    ]);
    expect(listed[0]!.path).toBe(journalPath(dir, 'C', 'run1'));
    expect(listJournals(dir, 'C', { started: 'offline-started', completed: 'offline-completed' }).map((j) => [j.runId, j.completed])).toEqual([['off1', false]]);
    expect(listJournals(dir, 'NOCLUSTER')).toEqual([]);
    expect(findRun(dir, 'C', 'old')?.startTime).toBe('2026-04-01T00:00:00.000Z');
    expect(findRun(dir, 'C', 'off1')).toBeUndefined();
    expect(findInterruptedRun(dir, 'C')?.runId).toBe('old');
  });
});
