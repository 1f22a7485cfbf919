/**
 * A web hook receiver on 127.0.0.1, port 0, for tests: records every POST body in arrival order and answers
 * as the test says (200, 500, or never). Test support only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type HookBehaviour = 'ok' | 'error500' | 'hang' | 'fail-first-twice' | 'bad-request';

export interface ReceivedPost {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Record<string, unknown>;
}

export interface HookServer {
  readonly url: string;
  readonly received: ReceivedPost[];
  /** Requests answered with an error or left hanging, counted per body. */
  readonly attempts: number;
  /** Resolves once `count` posts have been received (answered or not). */
  waitFor(count: number): Promise<void>;
  close(): Promise<void>;
}

export async function startHookServer(behaviour: HookBehaviour): Promise<HookServer> {
  const received: ReceivedPost[] = [];
  const hanging: ServerResponse[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  let attempts = 0;
  const server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      attempts += 1;
      const body = JSON.parse(text) as Record<string, unknown>;
      const failThis = behaviour === 'fail-first-twice' && attempts <= 2;
      if (behaviour === 'ok' || (behaviour === 'fail-first-twice' && !failThis)) received.push({ path: req.url ?? '', headers: req.headers, body });
      if (behaviour === 'hang') {
        received.push({ path: req.url ?? '', headers: req.headers, body });
        hanging.push(res);
      } else if (behaviour === 'error500' || failThis) {
        res.statusCode = 500;
        res.end('boom');
      } else if (behaviour === 'bad-request') {
        res.statusCode = 400;
        res.end('no');
      } else {
        res.statusCode = 200;
        res.end('ok');
      }
      for (const w of waiters.filter((w) => attempts >= w.count)) w.resolve();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/T0000/B0000/not-a-real-secret`,
    received,
    get attempts() {
      return attempts;
    },
    waitFor(count) {
      if (attempts >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
