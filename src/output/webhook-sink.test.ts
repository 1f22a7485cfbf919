import { startHookServer, type HookServer } from '../../test/webhook/hook-server.js';
import { AppError } from '../errors.js';
import type { Clock } from '../platform/clock.js';
import { EVENT_SCHEMA_VERSION, type RunEvent, type RunEventBody } from '../core/events.js';
import {
  backoffDelayMs,
  createHttpPoster,
  createWebhookSink,
  DEFAULT_WEBHOOK_RETRY,
  describeWebhook,
  parseWebhookUrl,
  WebhookPayload,
  webhookText,
  webhookWarning,
  type WebhookPoster,
} from './webhook-sink.js';

/** Backoff sleeps return at once and are recorded; the drain's deadline is also immediate. */
function instantClock(): Clock & { readonly delays: number[] } {
  const delays: number[] = [];
  return {
    delays,
    now: () => 0,
    sleep: (ms, signal) => {
      delays.push(ms);
      return signal?.aborted ? Promise.reject(new Error('aborted')) : Promise.resolve();
    },
  };
}

const RUN_ID = '0f1e2d3c-4b5a-4968-8776-655443322110';
const event = (body: RunEventBody): RunEvent => ({ schemaVersion: EVENT_SCHEMA_VERSION, time: '2024-10-08T10:00:00.000Z', runId: RUN_ID, ...body }) as RunEvent;

const runEvents: RunEvent[] = [
  event({ type: 'run-started', clusterName: 'HCI01', nodes: ['NODE1', 'NODE2'], plugins: ['Microsoft.WindowsUpdatePlugin'], resumed: false }),
  event({ type: 'phase-started', node: 'NODE1', phase: 'drain', attempt: 1 }),
  event({ type: 'node-completed', node: 'NODE1', status: 'Succeeded', attempts: 1, numberOfSucceededUpdates: 3, numberOfFailedUpdates: 0 }),
  event({ type: 'warning', code: 'W', message: 'something' }),
  event({ type: 'node-completed', node: 'NODE2', status: 'Failed', attempts: 4, numberOfSucceededUpdates: 0, numberOfFailedUpdates: 2 }),
  event({ type: 'run-completed', status: 'PartiallyFailed', errorCode: 'NodesFailed' }),
];

let server: HookServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('webhook sink against a local HTTP server', () => {
  it('posts run start, each node and run end, in order, as JSON with a one-line text', async () => {
    server = await startHookServer('ok');
    const clock = instantClock();
    const sink = createWebhookSink({ url: new URL(server.url), clusterName: 'HCI01', clock, userAgent: 'cauctl/test' });
    for (const e of runEvents) sink.emit(e);
    await sink.idle();
    expect(await sink.drain(1000)).toEqual({ delivered: 4, failed: 0, dropped: 0, lastError: null });
    const bodies = server.received.map((r) => r.body);
    expect(bodies.map((b) => b.event)).toEqual(['run-started', 'node-completed', 'node-completed', 'run-completed']);
    for (const body of bodies) {
      expect(WebhookPayload.safeParse(body).success).toBe(true);
      expect(body.text).toMatch(/^cauctl: [^\n]+$/);
    }
    expect(bodies[2]).toMatchObject({ node: 'NODE2', status: 'Failed', clusterName: 'HCI01', runId: RUN_ID });
    expect(bodies[3]).toMatchObject({ status: 'PartiallyFailed', errorCode: 'NodesFailed', nodesSucceeded: 1, nodesFailed: 1 });
    expect(bodies[3]!.text).toBe('cauctl: run 0f1e2d3c on HCI01 ended PartiallyFailed (NodesFailed): 1 node succeeded, 1 failed.');
    expect(server.received[0]!.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(server.received[0]!.headers['user-agent']).toBe('cauctl/test');
    expect(server.received[0]!.path).toBe('/hooks/T0000/B0000/not-a-real-secret');
    expect(clock.delays).toEqual([]);
  });

  it('retries a 500 with exponential backoff, then delivers', async () => {
    server = await startHookServer('fail-first-twice');
    const clock = instantClock();
    const sink = createWebhookSink({ url: new URL(server.url), clusterName: 'HCI01', clock });
    sink.emit(runEvents[0]!);
    await sink.idle();
    expect(await sink.drain(1000)).toMatchObject({ delivered: 1, failed: 0, dropped: 0 });
    expect(server.attempts).toBe(3);
    expect(clock.delays).toEqual([500, 1000]);
    expect(server.received).toHaveLength(1);
  });

  it('gives a post up after maxAttempts of 500s, reports it, and goes on with the next', async () => {
    server = await startHookServer('error500');
    const clock = instantClock();
    const sink = createWebhookSink({ url: new URL(server.url), clusterName: 'HCI01', clock });
    sink.emit(runEvents[0]!);
    sink.emit(runEvents[5]!);
    await sink.idle();
    const report = await sink.drain(1000);
    expect(report).toEqual({ delivered: 0, failed: 2, dropped: 0, lastError: 'HTTP 500' });
    expect(server.attempts).toBe(2 * DEFAULT_WEBHOOK_RETRY.maxAttempts);
    expect(clock.delays).toEqual([500, 1000, 2000, 500, 1000, 2000]);
    expect(webhookWarning(new URL(server.url), report)).toMatch(/^cauctl: warning: web hook http:\/\/127\.0\.0\.1:\d+: 2 notification\(s\) not delivered \(HTTP 500\)\. The run's result is not affected\.\n$/);
  });

  it('does not retry a 400: it will not get better', async () => {
    server = await startHookServer('bad-request');
    const sink = createWebhookSink({ url: new URL(server.url), clusterName: 'HCI01', clock: instantClock() });
    sink.emit(runEvents[0]!);
    await sink.idle();
    expect(await sink.drain(1000)).toEqual({ delivered: 0, failed: 1, dropped: 0, lastError: 'HTTP 400' });
    expect(server.attempts).toBe(1);
  });

  it('drops what a hanging server has not taken when the drain time is up, and aborts the request', async () => {
    server = await startHookServer('hang');
    const sink = createWebhookSink({ url: new URL(server.url), clusterName: 'HCI01', clock: instantClock(), retry: { ...DEFAULT_WEBHOOK_RETRY, requestTimeoutMs: 60_000 } });
    for (const e of runEvents) sink.emit(e);
    await server.waitFor(1);
    const report = await sink.drain(10);
    expect(report).toEqual({ delivered: 0, failed: 0, dropped: 4, lastError: null });
    await sink.idle();
    // Nothing more is sent after the drain, even if events keep coming.
    sink.emit(runEvents[5]!);
    await sink.idle();
    expect(server.attempts).toBe(1);
  });

  it('a request that gets no answer times out as a retryable failure', async () => {
    server = await startHookServer('hang');
    const outcome = await createHttpPoster('cauctl/test', 50)(new URL(server.url), '{}', new AbortController().signal);
    expect(outcome).toEqual({ error: 'timeout' });
  });

  it('a refused connection is a failure, not an exception', async () => {
    server = await startHookServer('ok');
    const url = new URL(server.url);
    await server.close();
    server = undefined;
    const outcome = await createHttpPoster('cauctl/test', 5000)(url, '{}', new AbortController().signal);
    expect(outcome).toEqual({ error: 'ECONNREFUSED' });
  });

  it('survives a poster that throws, and emit never throws', async () => {
    const calls: string[] = [];
    const post: WebhookPoster = (_url, body) => {
      calls.push(body);
      throw new Error('kaboom');
    };
    const sink = createWebhookSink({ url: new URL('http://127.0.0.1:9/'), clusterName: 'C', clock: instantClock(), post, retry: { ...DEFAULT_WEBHOOK_RETRY, maxAttempts: 1 } });
    expect(() => runEvents.forEach((e) => sink.emit(e))).not.toThrow();
    await sink.idle();
    expect(await sink.drain(0)).toEqual({ delivered: 0, failed: 4, dropped: 0, lastError: 'kaboom' });
    expect(calls).toHaveLength(4);
  });
});

describe('webhook helpers', () => {
  it('backs off exponentially up to the ceiling', () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelayMs(DEFAULT_WEBHOOK_RETRY, a))).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
  });

  it.each([
    ['http', 'http://127.0.0.1:8080/hook', undefined],
    ['https with a secret path', 'https://example.webhook.office.com/webhookb2/abc/IncomingWebhook/def', undefined],
    ['not a URL', 'not a url', 'USAGE_WEBHOOK_URL'],
    ['another scheme', 'ftp://example.com/x', 'USAGE_WEBHOOK_URL'],
    ['credentials in the URL', 'https://admin:Secr3t!@example.com/hook', 'USAGE_WEBHOOK_URL'],
  ])('parseWebhookUrl: %s', (_name, text, code) => {
    let error: unknown;
    try {
      parseWebhookUrl(text);
    } catch (e) {
      error = e;
    }
    if (code === undefined) expect(error).toBeUndefined();
    else {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe(code);
      expect((error as AppError).exitCode).toBe(2);
      expect((error as AppError).message).not.toContain('Secr3t');
    }
  });

  it('describes a web hook by scheme and host only, since its path is the secret', () => {
    expect(describeWebhook(new URL('https://hooks.slack.com/services/T000/B000/XXXX'))).toBe('https://hooks.slack.com');
  });

  it('keeps the text on one line whatever a node is called', () => {
    const text = webhookText(event({ type: 'node-completed', node: 'EVIL\nNODE', status: 'Failed', attempts: 1, numberOfSucceededUpdates: 0, numberOfFailedUpdates: 1 }), 'C', { succeeded: 0, failed: 1 });
    expect(text).toBe('cauctl: EVIL NODE on C FAILED (Failed) after 1 attempt: 0 updates installed, 1 failed.');
  });
});
