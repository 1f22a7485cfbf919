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

/** Checks every line of an NDJSON stream against the event schemas, exactly; returns the events' types in order. */
function expectContract(events: readonly unknown[]): string[] {
  const runIds = new Set<string>();
  for (const raw of events) {
    const parsed = RunEvent.safeParse(raw);
    if (!parsed.success) throw new Error(`event does not match its schema: ${JSON.stringify(raw)}\n${parsed.error.message}`);
    expect(parsed.data).toEqual(raw);
    runIds.add(parsed.data.runId);
  }
  expect(runIds.size).toBe(1);
  return events.map((e) => (e as { type: string }).type);
}

describe('the NDJSON event stream of an offline update (issue 15)', () => {
  const offlineTiming = { scanSeconds: 30, downloadSeconds: 300, drainSecondsPerRole: 15, installSeconds: 600, rebootSeconds: 300, servicesStartSeconds: 60, resyncSeconds: 600, stopClusterSeconds: 60, startClusterSeconds: 90, diskStateSeconds: 10 };
  const offlineCluster = (overrides: Record<string, Record<string, unknown>> = {}): unknown =>
    aCluster('OFF4', [1, 1, 1, 1], overrides, { timing: offlineTiming, storage: { s2d: true, virtualDisks: ['Infra', 'Data1'] } });
  const ndjsonOffline = (fixture: unknown, code: number): Array<Record<string, unknown>> => {
    const result = box.run(['offline-update', '--simulate', box.fixture(fixture), '--sim-reset', '--force', '--output', 'ndjson']);
    if (result.code !== code) throw new Error(`exit ${result.code}, expected ${code}\n${result.stdout}\n${result.stderr}`);
    return result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  };

  it('streams the steps and every node at once, each event exactly as its schema says, and ends with run-completed', () => {
    const events = ndjsonOffline(offlineCluster(), 0);
    const types = expectContract(events);
    expect(types[0]).toBe('run-started');
    expect(types[types.length - 1]).toBe('run-completed');
    expect(events[0]).toMatchObject({ clusterName: 'OFF4', nodes: ['NODE1', 'NODE2', 'NODE3', 'NODE4'], resumed: false });
    // The cluster-wide steps in the procedure's order, each started before it completed.
    const started = events.filter((e) => e.type === 'cluster-step-started').map((e) => e.step);
    expect(started).toEqual(['stage', 'disks-offline', 'stop-cluster', 'services-disabled', 'update', 'restore', 'services-automatic', 'start-cluster', 'disks-online', 'watch']);
    expect(events.filter((e) => e.type === 'cluster-step-completed').map((e) => e.step).sort()).toEqual([...started].sort());
    // Every node installs and restarts inside the `update` step, and the downtime step lasted as long as they did.
    const update = (type: string): number => events.findIndex((e) => e.type === type && e.step === 'update');
    for (const node of ['NODE1', 'NODE2', 'NODE3', 'NODE4']) {
      const mine = events.map((e, i) => [e, i] as const).filter(([e]) => e.node === node && (e.phase === 'install' || e.phase === 'reboot'));
      expect(mine.map(([e]) => `${String(e.type)} ${String(e.phase)}`)).toEqual(['phase-started install', 'phase-completed install', 'phase-started reboot', 'phase-completed reboot']);
      expect(mine.every(([, i]) => i > update('cluster-step-started') && i < update('cluster-step-completed'))).toBe(true);
    }
    expect(events.filter((e) => e.type === 'node-completed').map((e) => [e.node, e.status])).toEqual([
      ['NODE1', 'Succeeded'],
      ['NODE2', 'Succeeded'],
      ['NODE3', 'Succeeded'],
      ['NODE4', 'Succeeded'],
    ]);
    expect(events[events.length - 1]).toMatchObject({ status: 'Succeeded', errorCode: null });
  });

  it('says a failed node with attempt-failed (no retry) and ends as the JSON result does', () => {
    const events = ndjsonOffline(offlineCluster({ NODE2: { faults: [{ kind: 'installFails', times: 1, errorCode: '0x80240022' }] } }), 6);
    expectContract(events);
    const failed = events.filter((e) => e.type === 'attempt-failed');
    expect(failed.map((e) => [e.node, e.phase, e.code, e.willRetry])).toEqual([['NODE2', 'install', 'InstallFailed', false]]);
    expect(events.filter((e) => e.type === 'node-completed').map((e) => [e.node, e.status])).toContainEqual(['NODE2', 'Failed']);
    expect(events[events.length - 1]).toMatchObject({ type: 'run-completed', status: 'PartiallyFailed', errorCode: 'NodesFailed' });
  });

  it('streams as it goes: killed during the installs, then --resume says resumed, skips what was done, and ends', async () => {
    const path = box.fixture(offlineCluster());
    const child = box.start(['offline-update', '--simulate', path, '--sim-reset', '--force', '--output', 'ndjson', '--sim-speed', '300']);
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    let streamed = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no install started within 60 s; stdout:\n${streamed}`)), 60_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        streamed += chunk.toString();
        if (/"type":"phase-started","node":"NODE\d","phase":"install"/.test(streamed)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGKILL');
    await exited;
    // What was streamed before the kill is whole lines, each valid.
    expectContract(streamed.slice(0, streamed.lastIndexOf('\n')).split('\n').map((line) => JSON.parse(line) as unknown));
    const resumed = box.run(['offline-update', '--simulate', path, '--resume', '--force', '--output', 'ndjson']);
    expect(resumed.code).toBe(0);
    const events = resumed.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const types = expectContract(events);
    expect(events[0]).toMatchObject({ type: 'run-started', clusterName: 'OFF4', resumed: true });
    expect(types[types.length - 1]).toBe('run-completed');
    expect(events.filter((e) => e.type === 'cluster-step-started').map((e) => e.step)).not.toContain('stop-cluster');
    expect(events[events.length - 1]).toMatchObject({ status: 'Succeeded', errorCode: null });
  }, 120_000);

  it('writes no event for a refused offline update', () => {
    const unreachable = aCluster('OFF4', [1, 1], { NODE2: { reachable: false } }, { timing: offlineTiming });
    const result = box.run(['offline-update', '--simulate', box.fixture(unreachable), '--sim-reset', '--force', '--output', 'ndjson']);
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 5, stdout: '' });
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
