/**
 * Issue 8: the NDJSON event stream contract. Every line a real simulated run writes with `--output ndjson`
 * must match the zod schemas of src/core/events.ts exactly (no undocumented field), and docs/events.md must
 * describe every event type and field those schemas have.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_SCHEMA_VERSION, RunEvent } from '../../src/core/events.js';
import { WebhookPayload } from '../../src/output/webhook-sink.js';
import { aCluster, ROOT, sandbox, type Sandbox } from '../support/cli.js';

let box: Sandbox;
beforeAll(() => {
  box = sandbox();
});
afterAll(() => box.cleanup());

function ndjsonRun(fixture: unknown, args: string[], code: number): unknown[] {
  const result = box.run(['run', '--simulate', box.fixture(fixture), '--sim-reset', '--force', '--output', 'ndjson', ...args]);
  if (result.code !== code) throw new Error(`exit ${result.code}, expected ${code}\n${result.stdout}\n${result.stderr}`);
  expect(result.stdout.endsWith('\n')).toBe(true);
  return result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as unknown);
}

const variants = (): Array<{ type: string; fields: string[] }> =>
  RunEvent.options.map((o) => ({ type: String(o.shape.type.value), fields: Object.keys(o.shape) }));

describe('the NDJSON event stream of a real run', () => {
  const seen = new Set<string>();

  it.each([
    ['an 8-node run with one node failing every install', () => JSON.parse(readFileSync(join(ROOT, 'test/report/fixtures/rpt08-one-failure.json'), 'utf8')) as unknown, ['--max-failed-nodes', '2'], 6],
    ['a run halted by its failure budget', () => aCluster('HALT', [1, 1, 1], { NODE1: { faults: [{ kind: 'installFails', times: 99, errorCode: '0x80240022' }] } }), ['--max-failed-nodes', '0', '--max-retries-per-node', '0', '--node-order', 'NODE1'], 3],
    ['a run that outlives WarnAfter', () => aCluster('WARN', [1, 1]), ['--warn-after', '1m'], 0],
  ])('%s: every event matches its schema exactly', (_name, fixture, args, code) => {
    const events = ndjsonRun(fixture(), args, code);
    const runIds = new Set<string>();
    for (const raw of events) {
      const parsed = RunEvent.safeParse(raw);
      if (!parsed.success) throw new Error(`event does not match its schema: ${JSON.stringify(raw)}\n${parsed.error.message}`);
      // zod drops unknown keys; equality proves there were none.
      expect(parsed.data).toEqual(raw);
      expect(parsed.data.schemaVersion).toBe(EVENT_SCHEMA_VERSION);
      expect(Number.isFinite(Date.parse(parsed.data.time))).toBe(true);
      runIds.add(parsed.data.runId);
      seen.add(parsed.data.type);
    }
    expect(runIds.size).toBe(1);
    const types = events.map((e) => (e as { type: string }).type);
    expect(types[0]).toBe('run-started');
    expect(types[types.length - 1]).toBe('run-completed');
  });

  it('covered the event types that matter to consumers', () => {
    for (const type of ['run-started', 'preflight', 'phase-started', 'phase-completed', 'attempt-failed', 'node-completed', 'warning', 'run-halted', 'run-completed']) {
      expect([type, seen.has(type)]).toEqual([type, true]);
    }
  });
});

describe('docs/events.md', () => {
  const doc = readFileSync(join(ROOT, 'docs/events.md'), 'utf8');
  const section = (type: string): string => {
    const start = doc.indexOf(`### \`${type}\``);
    if (start < 0) return '';
    const next = doc.indexOf('\n#', start + 4);
    return doc.slice(start, next < 0 ? undefined : next);
  };

  it('states the schema version', () => {
    expect(doc).toContain(`| \`schemaVersion\` | \`${EVENT_SCHEMA_VERSION}\` |`);
  });

  it.each(variants().map((v) => [v.type, v.fields] as const))('documents %s and each of its fields', (type, fields) => {
    const text = section(type);
    expect(text).not.toBe('');
    const envelope = ['schemaVersion', 'time', 'runId', 'type'];
    for (const field of fields.filter((f) => !envelope.includes(f))) expect([field, text.includes(`| \`${field}\` |`)]).toEqual([field, true]);
  });

  it('documents the envelope', () => {
    for (const field of ['schemaVersion', 'type', 'time', 'runId']) expect(doc).toContain(`| \`${field}\` |`);
  });

  it('documents the web hook payload, and its example is valid', () => {
    const hook = doc.slice(doc.indexOf('## Web hook notifications'));
    for (const field of ['event', 'text', 'clusterName', 'nodesSucceeded', 'nodesFailed']) expect(hook).toContain(`\`${field}\``);
    const example = /```json\n(\{"schemaVersion":1,"event".*\})\n```/.exec(hook)?.[1];
    expect(WebhookPayload.safeParse(JSON.parse(example ?? 'null')).success).toBe(true);
  });

  it('has NDJSON examples that match the schemas', () => {
    const block = /## Example\n\n```json\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
    const lines = block.trim().split('\n');
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(RunEvent.safeParse(JSON.parse(line)).success).toBe(true);
  });
});
