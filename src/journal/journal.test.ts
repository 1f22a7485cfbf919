import { appendFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FileJournal, JournalWriteError, findInterruptedRun, journalPath, listJournals, markAbandoned, readJournal } from './journal.js';

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
});
