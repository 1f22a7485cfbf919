/**
 * Issue 8 acceptance: `run --notify-webhook` through the built CLI against a local HTTP server. Events arrive
 * in order; a server that answers 500 or never answers changes neither the run's result nor its exit code.
 * The CLI runs as a child process (asynchronously, so this process's server can answer it).
 */
import { join } from 'node:path';
import { WebhookPayload } from '../../src/output/webhook-sink.js';
import { parseJson, ROOT, sandbox, type ExecResult, type Sandbox } from '../support/cli.js';
import { startHookServer, type HookServer } from './hook-server.js';

interface RunDoc {
  runId: string;
  status: string;
  errorRecord: { code: string } | null;
  nodeResults: Array<{ node: string; status: string; attempts: number; numberOfSucceededUpdates: number; numberOfFailedUpdates: number }>;
}

const FIXTURE = join(ROOT, 'test/report/fixtures/rpt08-one-failure.json');

let box: Sandbox;
let server: HookServer | undefined;
beforeEach(() => {
  box = sandbox();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  box.cleanup();
});

function runAsync(args: readonly string[]): Promise<ExecResult> {
  const child = box.start(args);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const runArgs = ['run', '--simulate', FIXTURE, '--sim-reset', '--force', '--json', '--max-failed-nodes', '2'];

/** What must not change: status, error, and every node's result. */
const outcome = (doc: RunDoc): unknown => ({ status: doc.status, error: doc.errorRecord?.code ?? null, nodes: doc.nodeResults.map((n) => [n.node, n.status, n.attempts, n.numberOfSucceededUpdates, n.numberOfFailedUpdates]) });

describe('run --notify-webhook', () => {
  it('posts run start, each node and run end, in order, and the run is unchanged', async () => {
    server = await startHookServer('ok');
    const result = await runAsync([...runArgs, '--notify-webhook', server.url]);
    expect(result.code).toBe(6);
    const doc = parseJson<RunDoc>(result);
    expect(doc.status).toBe('PartiallyFailed');
    expect(result.stderr).not.toContain('web hook');
    const bodies = server.received.map((r) => r.body);
    expect(bodies.map((b) => `${String(b.event)}${b.node ? `:${String(b.node)}:${String(b.status)}` : ''}`)).toEqual([
      'run-started',
      ...doc.nodeResults.map((n) => `node-completed:${n.node}:${n.status}`),
      'run-completed',
    ]);
    for (const body of bodies) {
      const parsed = WebhookPayload.safeParse(body);
      if (!parsed.success) throw new Error(`${JSON.stringify(body)}\n${parsed.error.message}`);
      expect(body).toMatchObject({ schemaVersion: 1, runId: doc.runId, clusterName: 'RPT08' });
    }
    expect(bodies[bodies.length - 1]).toMatchObject({ status: 'PartiallyFailed', errorCode: 'NodesFailed', nodesSucceeded: 7, nodesFailed: 1 });
    expect(bodies.find((b) => b.node === 'NODE3')!.text).toBe('cauctl: NODE3 on RPT08 FAILED (Failed) after 4 attempts: 0 updates installed, 2 failed.');
  });

  it.each([
    ['answers 500 to everything', 'error500', /not delivered \(HTTP 500\)/],
    ['never answers', 'hang', /still queued when the run ended and dropped/],
  ] as const)('a server that %s changes neither the result nor the exit code', async (_name, behaviour, warning) => {
    const baseline = box.run(runArgs);
    expect(baseline.code).toBe(6);
    server = await startHookServer(behaviour);
    const result = await runAsync([...runArgs, '--notify-webhook', server.url]);
    expect(result.code).toBe(baseline.code);
    expect(outcome(parseJson<RunDoc>(result))).toEqual(outcome(parseJson<RunDoc>(baseline)));
    expect(server.attempts).toBeGreaterThan(0);
    const port = new URL(server.url).port;
    expect(result.stderr).toMatch(new RegExp(`cauctl: warning: web hook http://127\\.0\\.0\\.1:${port}: .*The run's result is not affected\\.`));
    expect(result.stderr).toMatch(warning);
    // The path of a web hook is its secret: never printed.
    expect(result.stderr).not.toContain('not-a-real-secret');
    expect(result.stdout).not.toContain('not-a-real-secret');
    // The saved report is the same run, too.
    const saved = parseJson<{ reports: RunDoc[] }>(box.run(['get-report', '--cluster-name', 'RPT08', '--last', '--detailed', '--json'])).reports[0]!;
    expect(saved.runId).toBe(parseJson<RunDoc>(result).runId);
    expect(outcome(saved)).toEqual(outcome(parseJson<RunDoc>(baseline)));
  });

  it('refuses a URL with credentials before touching anything (exit 2)', () => {
    const result = box.run([...runArgs, '--notify-webhook', 'https://admin:Secr3t@hooks.example.invalid/x']);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('"code": "USAGE_WEBHOOK_URL"');
    expect(result.stderr).toContain('--notify-webhook must not carry a user name or password.');
    expect(result.stderr + result.stdout).not.toContain('Secr3t');
    const history = box.run(['get-report', '--cluster-name', 'RPT08', '--json']);
    expect(parseJson<{ reports: unknown[] }>(history).reports).toEqual([]);
  });
});

