// Helpers for tests that need the WS-Man test server: temp dirs, a short-timing fixture, our client pointed at
// the server's ports, and the skip-or-fail rule for the Debian peers. Test support only.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WinRmTransport, type WinRmTransportOptions } from '../../src/transport/winrm/winrm-transport.js';
import { startWsmanTestServer, type WsmanTestServer, type WsmanTestServerOptions } from './wsman-server.js';

export const USER = 'cauadmin';
export const PASSWORD = 'S3cret-Pa55!';

/**
 * Whether the tests that need `missing` peers run. Outside CI a missing peer skips them with a loud warning;
 * in CI (`CI` set) the tests run and fail, because CI must install the peers.
 */
export function peersAvailable(what: string, missing: string | undefined): boolean {
  if (missing === undefined) return true;
  if (process.env.CI) return true;
  console.warn(`\n!!! SKIPPED: ${what} — ${missing}. Install python3-winrm python3-gssapi gss-ntlmssp (CI does).\n`);
  return false;
}

/** A small S2D cluster with timings of seconds, so reboots finish within a few refused connections. */
export function shortFixture(name = 'WSM01', nodes = 2, timing: Record<string, number> = {}): Record<string, unknown> {
  return {
    name,
    timing: { scanSeconds: 1, downloadSeconds: 2, drainSecondsPerRole: 1, installSeconds: 2, rebootSeconds: 4, servicesStartSeconds: 1, resyncSeconds: 2, ...timing },
    storage: { s2d: true },
    quorum: { witnessType: 'Cloud', witnessState: 'Online' },
    nodes: Array.from({ length: nodes }, (_, i) => ({
      name: `N${i + 1}`,
      state: 'Up',
      roles: [`VM${i + 1}A`, `VM${i + 1}B`],
      updates: [{ id: `00000000-0000-4000-8000-00000000000${i + 1}`, kb: `KB500000${i + 1}`, title: `Update ${i + 1}`, rebootRequired: true }],
    })),
  };
}

export interface ServerHarness {
  server: WsmanTestServer;
  dir: string;
  /** Our client, reaching every endpoint through the server's port map. */
  client(overrides?: Partial<WinRmTransportOptions>): WinRmTransport;
  close(): Promise<void>;
}

export async function startServer(options: Partial<WsmanTestServerOptions> & { fixture?: Record<string, unknown> } = {}): Promise<ServerHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'wsman-test-'));
  let fixturePath = options.fixturePath;
  if (options.fixture) {
    fixturePath = join(dir, 'fixture.json');
    writeFileSync(fixturePath, JSON.stringify(options.fixture));
  }
  const server = await startWsmanTestServer({
    users: { [USER]: PASSWORD },
    ...options,
    stateDir: join(dir, 'server-state'),
    ...(fixturePath === undefined ? {} : { fixturePath }),
  });
  const clients: WinRmTransport[] = [];
  return {
    server,
    dir,
    client(overrides = {}) {
      const c = new WinRmTransport({
        authentication: 'Negotiate',
        username: USER,
        password: () => PASSWORD,
        resolveEndpoint: (node) => ({ host: '127.0.0.1', port: server.ports[Object.keys(server.ports).find((k) => k.toUpperCase() === node.toUpperCase()) ?? ''] ?? 1 }),
        ...overrides,
      });
      clients.push(c);
      return c;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
