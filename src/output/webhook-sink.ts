/**
 * `run --notify-webhook <url>`: an EventSink that posts run start, each node's end and the run's end as JSON
 * to a web hook (Teams, Slack, anything that takes a POST). Posts go through a queue, one at a time so they
 * arrive in order, each retried with exponential backoff; `emit` never blocks or throws, and `drain` waits a
 * bounded time at the end. Nothing here can change a run's outcome. Depends on node:http(s), core/events
 * and platform/clock.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { usageError } from '../errors.js';
import type { Clock } from '../platform/clock.js';
import { z } from 'zod';
import { EVENT_SCHEMA_VERSION, RunStatus, type EventSink, type RunEvent } from '../core/events.js';
import { plural } from './format.js';

/** The events a web hook receives. */
export const WEBHOOK_EVENTS = ['run-started', 'node-completed', 'run-completed'] as const;
export type WebhookEventName = (typeof WEBHOOK_EVENTS)[number];

const payloadBase = {
  schemaVersion: z.literal(EVENT_SCHEMA_VERSION),
  /** One human sentence, shown as is by Teams and Slack. */
  text: z.string(),
  time: z.string(),
  runId: z.string(),
  clusterName: z.string(),
};

/**
 * What is posted (documented in docs/events.md): the event's own fields, plus `event` (its type), the cluster
 * name and a one-line `text`. Strict, so a test notices any field that should not travel (credentials).
 */
export const WebhookPayload = z.discriminatedUnion('event', [
  z.strictObject({ ...payloadBase, event: z.literal('run-started'), nodes: z.array(z.string()), plugins: z.array(z.string()), resumed: z.boolean() }),
  z.strictObject({
    ...payloadBase,
    event: z.literal('node-completed'),
    node: z.string(),
    status: RunStatus,
    attempts: z.number().int(),
    numberOfSucceededUpdates: z.number().int(),
    numberOfFailedUpdates: z.number().int(),
  }),
  z.strictObject({
    ...payloadBase,
    event: z.literal('run-completed'),
    status: RunStatus,
    errorCode: z.string().nullable(),
    nodesSucceeded: z.number().int(),
    nodesFailed: z.number().int(),
  }),
]);
export type WebhookPayload = z.infer<typeof WebhookPayload>;

/** Retry policy of one post (STYLE.md §5: data, defaults in one place). */
export interface WebhookRetryPolicy {
  /** Tries per post, the first included. @default 4 */
  readonly maxAttempts: number;
  /** @default 500 */
  readonly initialDelayMs: number;
  /** @default 8000 */
  readonly maxDelayMs: number;
  /** @default 2 */
  readonly factor: number;
  /** One request's time limit. @default 5000 */
  readonly requestTimeoutMs: number;
}

export const DEFAULT_WEBHOOK_RETRY: WebhookRetryPolicy = { maxAttempts: 4, initialDelayMs: 500, maxDelayMs: 8000, factor: 2, requestTimeoutMs: 5000 };

/** How long the end of a run waits for posts still queued. @default 5000 */
export const DEFAULT_WEBHOOK_DRAIN_MS = 5000;

/** Delay before try `attempt + 1`, after try `attempt` (1-based) failed: min(initial × factor^(attempt−1), max). */
export function backoffDelayMs(policy: WebhookRetryPolicy, attempt: number): number {
  return Math.min(policy.initialDelayMs * policy.factor ** (attempt - 1), policy.maxDelayMs);
}

/** The outcome of one HTTP try: a status code, or a network failure / timeout. */
export type PostOutcome = { readonly status: number } | { readonly error: string };

/** Sends one JSON body; must settle (never hang past `signal`), and never throw. */
export type WebhookPoster = (url: URL, body: string, signal: AbortSignal) => Promise<PostOutcome>;

/** Worth retrying: network errors, timeouts, 408, 429 and 5xx. Another 4xx will not get better. */
export function isRetryable(outcome: PostOutcome): boolean {
  if ('error' in outcome) return true;
  return outcome.status === 408 || outcome.status === 429 || outcome.status >= 500;
}

/**
 * Checks a `--notify-webhook` value: http or https, and no user:password in it, since it would be sent in
 * clear to any proxy and shown in process listings. (Teams and Slack put their secret in the path.)
 */
export function parseWebhookUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usageError('USAGE_WEBHOOK_URL', `--notify-webhook must be an http or https URL (got ${JSON.stringify(describeUrlText(text))}).`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usageError('USAGE_WEBHOOK_URL', `--notify-webhook must be an http or https URL (got a ${url.protocol} URL).`);
  }
  if (url.username !== '' || url.password !== '') {
    throw usageError('USAGE_WEBHOOK_URL', '--notify-webhook must not carry a user name or password.', {
      hint: 'Use the URL the service gives you (Teams and Slack carry their secret in the path), or a relay that adds the credentials.',
    });
  }
  return url;
}

function describeUrlText(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Where a web hook goes, for messages: scheme and host only, since the path often holds the secret. */
export function describeWebhook(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

const oneLine = (s: string): string => s.replace(/[\r\n\t]+/g, ' ').trim();

/** The sentence Teams and Slack show. `tally` counts the node results seen so far. */
export function webhookText(event: RunEvent, clusterName: string, tally: { succeeded: number; failed: number }): string | undefined {
  const shortId = event.runId.slice(0, 8);
  switch (event.type) {
    case 'run-started':
      return oneLine(`cauctl: ${event.resumed ? 'resumed' : 'started'} updating run ${shortId} on ${clusterName}: ${plural(event.nodes.length, 'node')} (${event.nodes.join(', ')}).`);
    case 'node-completed':
      return oneLine(
        `cauctl: ${event.node} on ${clusterName} ${event.status === 'Succeeded' ? 'is done' : event.status === 'Canceled' ? 'was not updated' : 'FAILED'} (${event.status}) after ${plural(event.attempts, 'attempt')}: ${plural(event.numberOfSucceededUpdates, 'update')} installed, ${event.numberOfFailedUpdates} failed.`,
      );
    case 'run-completed':
      return oneLine(
        `cauctl: run ${shortId} on ${clusterName} ended ${event.status}${event.errorCode ? ` (${event.errorCode})` : ''}: ${plural(tally.succeeded, 'node')} succeeded, ${tally.failed} failed.`,
      );
    default:
      return undefined;
  }
}

/** Builds the payload of an event, or undefined for the events a web hook does not receive. */
export function webhookPayload(event: RunEvent, clusterName: string, tally: { succeeded: number; failed: number }): WebhookPayload | undefined {
  const text = webhookText(event, clusterName, tally);
  if (text === undefined) return undefined;
  const { type, schemaVersion, ...fields } = event;
  const extra = event.type === 'run-completed' ? { nodesSucceeded: tally.succeeded, nodesFailed: tally.failed } : {};
  return { schemaVersion, event: type, text, clusterName, ...fields, ...extra } as WebhookPayload;
}

export interface WebhookReport {
  readonly delivered: number;
  /** Posts that exhausted their tries. */
  readonly failed: number;
  /** Posts still queued or in flight when the drain's time ran out (dropped). */
  readonly dropped: number;
  /** The last failure, for the warning ("HTTP 500", "timeout"). */
  readonly lastError: string | null;
}

export interface WebhookSinkOptions {
  readonly url: URL;
  readonly clusterName: string;
  /** Backoff sleeps and the drain's deadline. Real time in the CLI (never the simulator's virtual clock). */
  readonly clock: Clock;
  readonly retry?: WebhookRetryPolicy;
  readonly post?: WebhookPoster;
  /** Sent as User-Agent by the default poster. */
  readonly userAgent?: string;
}

export interface WebhookSink extends EventSink {
  /** Resolves when the queue is empty (unbounded: for tests and callers with their own deadline). */
  idle(): Promise<void>;
  /** Waits for the queue to empty, at most `timeoutMs`; then aborts what is left. Never rejects. */
  drain(timeoutMs: number): Promise<WebhookReport>;
}

export function createWebhookSink(options: WebhookSinkOptions): WebhookSink {
  const retry = options.retry ?? DEFAULT_WEBHOOK_RETRY;
  const post = options.post ?? createHttpPoster(options.userAgent ?? 'cauctl', retry.requestTimeoutMs);
  const abort = new AbortController();
  const queue: string[] = [];
  const tally = { succeeded: 0, failed: 0 };
  const counts = { delivered: 0, failed: 0 };
  let lastError: string | null = null;
  let worker: Promise<void> | undefined;

  const deliver = async (body: string): Promise<void> => {
    for (let attempt = 1; attempt <= retry.maxAttempts; attempt++) {
      if (abort.signal.aborted) return;
      let outcome: PostOutcome;
      try {
        outcome = await post(options.url, body, abort.signal);
      } catch (error) {
        // A poster is meant to settle, never throw; one that does still must not end the queue.
        outcome = { error: error instanceof Error ? error.message : String(error) };
      }
      if (abort.signal.aborted) return; // cut off by drain: counted as dropped
      if ('status' in outcome && outcome.status >= 200 && outcome.status < 300) {
        counts.delivered += 1;
        return;
      }
      lastError = 'status' in outcome ? `HTTP ${outcome.status}` : outcome.error;
      if (!isRetryable(outcome) || attempt === retry.maxAttempts) break;
      try {
        await options.clock.sleep(backoffDelayMs(retry, attempt), abort.signal);
      } catch {
        return; // aborted by drain: counted as dropped
      }
    }
    if (!abort.signal.aborted) counts.failed += 1;
  };

  const work = async (): Promise<void> => {
    while (queue.length > 0 && !abort.signal.aborted) {
      const body = queue[0]!;
      await deliver(body);
      if (abort.signal.aborted) return;
      queue.shift();
    }
    worker = undefined;
  };

  return {
    emit(event) {
      try {
        if (event.type === 'node-completed') {
          if (event.status === 'Succeeded') tally.succeeded += 1;
          else if (event.status === 'Failed' || event.status === 'PartiallyFailed') tally.failed += 1;
        }
        const payload = webhookPayload(event, options.clusterName, tally);
        if (payload === undefined || abort.signal.aborted) return;
        queue.push(JSON.stringify(payload));
        worker ??= work();
      } catch {
        // A notification must never disturb the run.
      }
    },
    idle() {
      return worker ?? Promise.resolve();
    },
    async drain(timeoutMs) {
      if (worker !== undefined) {
        const stopWaiting = new AbortController();
        const deadline = options.clock.sleep(Math.max(0, timeoutMs), stopWaiting.signal).catch(() => undefined);
        await Promise.race([worker, deadline]);
        stopWaiting.abort();
      }
      const dropped = queue.length;
      abort.abort(new Error('webhook drain time is up'));
      queue.length = 0;
      return { delivered: counts.delivered, failed: counts.failed, dropped, lastError };
    },
  };
}

/** The default poster: one POST over node:http(s), no keep-alive, bounded by `timeoutMs` and the signal. */
export function createHttpPoster(userAgent: string, timeoutMs: number): WebhookPoster {
  return (url, body, signal) =>
    new Promise<PostOutcome>((resolve) => {
      if (signal.aborted) {
        resolve({ error: 'aborted' });
        return;
      }
      let settled = false;
      const settle = (outcome: PostOutcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(
        url,
        {
          method: 'POST',
          agent: false,
          headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'user-agent': userAgent, connection: 'close' },
        },
        (res) => {
          res.resume();
          res.on('end', () => settle({ status: res.statusCode ?? 0 }));
          res.on('error', () => settle({ status: res.statusCode ?? 0 }));
        },
      );
      const timer = setTimeout(() => {
        settle({ error: 'timeout' });
        req.destroy();
      }, timeoutMs);
      const onAbort = (): void => {
        settle({ error: 'aborted' });
        req.destroy();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      req.on('error', (error: NodeJS.ErrnoException) => settle({ error: error.code ?? error.message }));
      req.end(body);
    });
}

/** The warning to print after a drain, or undefined when every notification was delivered. */
export function webhookWarning(url: URL, report: WebhookReport): string | undefined {
  if (report.failed === 0 && report.dropped === 0) return undefined;
  const parts = [
    ...(report.failed > 0 ? [`${report.failed} notification(s) not delivered${report.lastError ? ` (${report.lastError})` : ''}`] : []),
    ...(report.dropped > 0 ? [`${report.dropped} still queued when the run ended and dropped`] : []),
  ];
  return `cauctl: warning: web hook ${describeWebhook(url)}: ${parts.join('; ')}. The run's result is not affected.\n`;
}
