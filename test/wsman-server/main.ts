// The WS-Man test server as a process of its own (for the bench, and to try peers by hand): prints one JSON
// line `{ ports, clusterName }`, then answers `stats <endpoint>` lines on stdin with one JSON line each, and
// closes on `close` or end of stdin. Users come from WSMAN_USERS (JSON `{ "user": "password" }`), never argv.
//   node main.js --state-dir DIR [--fixture FILE] [--speed max|N] [--hold-ms N] [--scripts-dir DIR] [--auth basic,ntlm]
//                [--process-start-ms N] [--runspace-open-ms N]
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { startWsmanTestServer, type ServerAuth } from './wsman-server.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'state-dir': { type: 'string' },
      fixture: { type: 'string' },
      speed: { type: 'string', default: 'max' },
      'hold-ms': { type: 'string' },
      'scripts-dir': { type: 'string' },
      auth: { type: 'string', default: 'basic,ntlm' },
      'process-start-ms': { type: 'string' },
      'runspace-open-ms': { type: 'string' },
    },
  });
  if (!values['state-dir']) throw new Error('--state-dir is required');
  const users = JSON.parse(process.env.WSMAN_USERS ?? '{}') as Record<string, string>;
  const server = await startWsmanTestServer({
    stateDir: values['state-dir'],
    users,
    speed: values.speed === 'max' ? 'max' : Number(values.speed),
    auth: values.auth.split(',') as ServerAuth[],
    ...(values.fixture ? { fixturePath: values.fixture } : {}),
    ...(values['hold-ms'] ? { receiveHoldMs: Number(values['hold-ms']) } : {}),
    ...(values['scripts-dir'] ? { scriptsDir: values['scripts-dir'] } : {}),
    ...(values['process-start-ms'] ? { processStartMs: Number(values['process-start-ms']) } : {}),
    ...(values['runspace-open-ms'] ? { runspaceOpenMs: Number(values['runspace-open-ms']) } : {}),
  });
  process.stdout.write(`${JSON.stringify({ ports: server.ports, clusterName: server.clusterName })}\n`);
  const lines = createInterface({ input: process.stdin });
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    lines.close();
    await server.close();
  };
  for await (const line of lines) {
    const [command, arg] = line.trim().split(/\s+/);
    if (command === 'stats' && arg) {
      process.stdout.write(`${JSON.stringify({ stats: server.stats(arg), violations: server.violations })}\n`);
    } else if (command === 'close') {
      break;
    }
  }
  await close();
}

main().catch((error: unknown) => {
  process.stderr.write(`wsman-server: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
