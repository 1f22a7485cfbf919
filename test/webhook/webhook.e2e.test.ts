/**
 * Issue 8 acceptance: `run --notify-webhook` through the built CLI against a local HTTP server. Events arrive
 * in order; a server that answers 500 or never answers changes neither the run's result nor its exit code.
 * The CLI runs as a child process (asynchronously, so this process's server can answer it).
 * Issue 14 §8: the URL (its path is the hook's secret) comes from CAUCTL_WEBHOOK_URL or --notify-webhook-file,
 * and one typed on the command line is refused (exit 2) without being repeated.
 */
import { chmodSync, writeFileSync } from 'node:fs';
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

function runAsync(args: readonly string[], env: Record<string, string> = {}): Promise<ExecResult> {
  const child = box.start(args, { env });
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
    const result = await runAsync([...runArgs, '--notify-webhook'], { CAUCTL_WEBHOOK_URL: server.url });
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
    const result = await runAsync([...runArgs, '--notify-webhook'], { CAUCTL_WEBHOOK_URL: server.url });
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
    const result = box.run([...runArgs, '--notify-webhook'], { env: { CAUCTL_WEBHOOK_URL: 'https://admin:Secr3t@hooks.example.invalid/x' } });
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('"code": "USAGE_WEBHOOK_URL"');
    expect(result.stderr).toContain('The web hook URL from CAUCTL_WEBHOOK_URL is not usable: it must not carry a user name or password.');
    expect(result.stderr + result.stdout).not.toContain('Secr3t');
    const history = box.run(['get-report', '--cluster-name', 'RPT08', '--json']);
    expect(parseJson<{ reports: unknown[] }>(history).reports).toEqual([]);
  });

  it.each([
    ['--notify-webhook <url>', ['--notify-webhook', 'https://hooks.example.invalid/services/T0/B0/argv-Secret-1']],
    ['--notify-webhook=<url>', ['--notify-webhook=https://hooks.example.invalid/services/T0/B0/argv-Secret-1']],
  ])('refuses a URL typed on the command line (%s): exit 2, the URL not repeated, nothing run', (_name, flag) => {
    const result = box.run([...runArgs, ...flag]);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'WEBHOOK_URL_ON_COMMAND_LINE', exitCode: 2 } });
    expect(result.stderr).toContain('A web hook URL on the command line is refused');
    expect(result.stderr).toContain("try: put the URL in the environment and add --notify-webhook (CAUCTL_WEBHOOK_URL='https://…'");
    expect(result.stderr + result.stdout).not.toContain('argv-Secret-1');
    expect(parseJson<{ reports: unknown[] }>(box.run(['get-report', '--cluster-name', 'RPT08', '--json'])).reports).toEqual([]);
  });

  it('--notify-webhook with CAUCTL_WEBHOOK_URL unset: exit 2 saying where the URL goes, nothing run', () => {
    const result = box.run([...runArgs, '--notify-webhook']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'WEBHOOK_URL_MISSING' } });
    expect(result.stderr).toContain('--notify-webhook takes the web hook URL from CAUCTL_WEBHOOK_URL, which is not set');
  });

  it('--notify-webhook-file posts to the URL on its first line, and warns when others can read the file', async () => {
    server = await startHookServer('ok');
    const file = join(box.dir, 'hook-url');
    writeFileSync(file, `${server.url}\n`);
    chmodSync(file, 0o600);
    const quiet = await runAsync([...runArgs, '--notify-webhook-file', file]);
    expect(quiet.code).toBe(6);
    expect(quiet.stderr).not.toContain('web hook file');
    const posted = server.received.length;
    expect(posted).toBeGreaterThan(2);
    expect(server.received.map((r) => r.body.event)).toContain('run-completed');

    chmodSync(file, 0o644);
    const loose = await runAsync([...runArgs, '--notify-webhook-file', file]);
    expect(loose.code).toBe(6);
    expect(loose.stderr).toContain(`cauctl: warning: the web hook file ${file} can be read by other users (mode 644)`);
    expect(server.received.length).toBeGreaterThan(posted);
    expect(loose.stderr + loose.stdout).not.toContain(server.url);
  });
});
