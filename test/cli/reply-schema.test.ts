// The gateway refuses a node's reply that does not match its operation's schema, in the CLI as shipped
// (bin/cauctl.js → dist/cauctl.js, the bundle, whose zod compiles each schema into a fast path on first use):
// a scan recorded on the simulator, one node's reply tampered with, replays with that node refused by name and
// the field (its row in the JSON carries the error), while the untouched nodes are scanned as recorded.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasBuild, sandbox, type ExecResult, type Sandbox } from '../support/cli.js';

const describeIf = hasBuild() ? describe : describe.skip;

interface ScanRow {
  readonly nodeName: string;
  readonly kb: string | null;
  readonly error?: { readonly code: string; readonly message: string };
}

describeIf('a node reply that does not match its schema', () => {
  let box: Sandbox;
  let rec: string;
  beforeAll(() => {
    box = sandbox();
    rec = join(box.dir, 'rec');
    const recorded = box.run(['scan', '--simulate', '--json', '--record', rec]);
    expect(recorded.code).toBe(0);
  });
  afterAll(() => box.cleanup());

  /** Replays the scan with NODE1's one reply (scan-updates) changed by `tamper`. */
  function replay(name: string, tamper: (reply: { updates: Array<Record<string, unknown>> }) => void): ExecResult {
    const dir = join(box.dir, name);
    cpSync(rec, dir, { recursive: true });
    const file = join(dir, 'NODE1.jsonl');
    const [line, ...rest] = readFileSync(file, 'utf8').split('\n');
    const entry = JSON.parse(line!) as { op: string; outcome: { kind: string; data: { updates: Array<Record<string, unknown>> } } };
    expect([entry.op, entry.outcome.kind]).toEqual(['scan-updates', 'ok']);
    tamper(entry.outcome.data);
    writeFileSync(file, [JSON.stringify(entry), ...rest].join('\n'));
    return box.run(['scan', '--transport', 'replay', '--replay', dir, '--json'], { env: { CAUCTL_STATE_DIR: join(box.dir, `${name}-state`) } });
  }

  it('untouched, every node is scanned as recorded', () => {
    const result = replay('same', () => undefined);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    const rows = JSON.parse(result.stdout) as ScanRow[];
    expect(rows.filter((r) => r.error !== undefined)).toEqual([]);
    expect(new Set(rows.map((r) => r.nodeName))).toEqual(new Set(['NODE1', 'NODE2', 'NODE3', 'NODE4']));
  });

  it.each<[string, (reply: { updates: Array<Record<string, unknown>> }) => void, string]>([
    ['a field of the wrong type', (r) => (r.updates[0]!.rebootRequired = 'yes'), 'updates.0.rebootRequired: Invalid input: expected boolean, received string'],
    ['a required field missing', (r) => delete r.updates[1]!.kb, 'updates.1.kb: Invalid input: expected string, received undefined'],
    ['a list that is not one', (r) => ((r as Record<string, unknown>).updates = { 0: r.updates[0] }), 'updates: Invalid input: expected array, received object'],
  ])('%s: that node is refused, naming the operation and the field; the others are scanned', (name, tamper, issue) => {
    const result = replay(name.replace(/ /g, '-'), tamper);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(`NODE1 was not scanned: scan-updates on NODE1 returned a result that does not match its schema: ${issue}`);
    const rows = JSON.parse(result.stdout) as ScanRow[];
    expect(rows.filter((r) => r.nodeName === 'NODE1')).toEqual([
      expect.objectContaining({ kb: null, error: { code: 'SCRIPT_PROTOCOL_ERROR', message: `scan-updates on NODE1 returned a result that does not match its schema: ${issue}` } }),
    ]);
    expect(new Set(rows.filter((r) => r.error === undefined).map((r) => r.nodeName))).toEqual(new Set(['NODE2', 'NODE3', 'NODE4']));
  });
});
