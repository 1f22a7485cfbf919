import { mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileJournal, findInterruptedRun, journalPath, listJournals, readJournal } from './journal.js';

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

  it('finds the newest run that never recorded its end', () => {
    const done = new FileJournal(journalPath(dir, 'HCI01', 'done'));
    done.append({ type: 'run-started', runId: 'done' }, '2026-01-01T00:00:00.000Z');
    done.append({ type: 'run-completed' }, '2026-01-01T01:00:00.000Z');
    const old = new FileJournal(journalPath(dir, 'HCI01', 'old'));
    old.append({ type: 'run-started', runId: 'old' }, '2025-12-01T00:00:00.000Z');
    const open = new FileJournal(journalPath(dir, 'HCI01', 'open'));
    open.append({ type: 'run-started', runId: 'open' }, '2026-01-02T00:00:00.000Z');
    expect(listJournals(dir, 'hci01').map((j) => j.runId)).toEqual(['open', 'done', 'old']);
    expect(findInterruptedRun(dir, 'HCI01')?.runId).toBe('open');
    expect(findInterruptedRun(dir, 'OTHER')).toBeUndefined();
  });
});
