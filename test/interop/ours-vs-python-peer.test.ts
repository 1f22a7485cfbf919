// Interop (issue 19): our WinRM client runs a create, command, send, receive and delete cycle against an
// independent server-side peer (wsman-peer.py) built only on Debian's code: gss-ntlmssp through
// python3-gssapi for NTLM and sealing, pywinrm's encryption module for the MS-WSMV framing, and Python's XML
// parser. No line of cauctl runs on the server side, so a sealing or framing mistake that our own test
// servers would share cannot pass here.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { WinRmTransport, type WinRmMode } from '../../src/transport/winrm/winrm-transport.js';
import { DEBIAN_PYTHON, ntlmAcceptorMissing } from '../wsman-server/ntlm-sidecar.js';
import { peersAvailable } from '../wsman-server/test-support.js';
import { pywinrmMissing } from './peers.js';

const PEER = fileURLToPath(new URL('./wsman-peer.py', import.meta.url));
const USER = 'peeradmin';
const PASSWORD = 'Peer-Pa55word!';

const missing = ntlmAcceptorMissing() ?? pywinrmMissing();
const describeIf = peersAvailable('our client against the independent Python WS-Man peer', missing) ? describe : describe.skip;

interface Peer {
  readonly port: number;
  log(): Promise<string[]>;
  close(): Promise<void>;
}

async function startPeer(): Promise<Peer> {
  const dir = mkdtempSync(join(tmpdir(), 'wsman-peer-'));
  const users = join(dir, 'users');
  writeFileSync(users, `:${USER}:${PASSWORD}\n${hostname().split('.')[0]!.toUpperCase()}:${USER}:${PASSWORD}\n`, { mode: 0o600 });
  const child: ChildProcessWithoutNullStreams = spawn(DEBIAN_PYTHON, [PEER], { env: { ...process.env, NTLM_USER_FILE: users }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const lines: Interface = createInterface({ input: child.stdout });
  const iterator = lines[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const line = await iterator.next();
    if (line.done) throw new Error(`the Python peer exited: ${stderr.slice(-2000)}`);
    return String(line.value);
  };
  const { port } = JSON.parse(await next()) as { port: number };
  return {
    port,
    async log() {
      child.stdin.write('stats\n');
      return (JSON.parse(await next()) as { log: string[] }).log;
    },
    async close() {
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.stdin.end();
      await exited;
      lines.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describeIf.each<WinRmMode>(['per-operation', 'persistent'])('our WinRM client against the independent Python peer, %s mode', (mode) => {
  let peer: Peer | undefined;
  let client: WinRmTransport | undefined;
  afterEach(async () => {
    await client?.close();
    await peer?.close();
    client = undefined;
    peer = undefined;
  });

  it('runs create, command, send, receive and delete with every message sealed and verified by gss-ntlmssp', async () => {
    peer = await startPeer();
    const port = peer.port;
    client = new WinRmTransport({ mode, authentication: 'Negotiate', username: USER, password: () => PASSWORD, resolveEndpoint: () => ({ host: '127.0.0.1', port }) });
    const values = ['first', 'é€😀 <&> "quoted"', 'x'.repeat(3000)];
    for (const value of values) {
      const outcome = await client.run('PEER1', { name: 'echo', script: 'param($value) $value', params: { value } });
      expect(outcome).toEqual({ ok: true, data: { echo: { value }, peer: 'python' } });
    }
    await client.close();
    client = undefined;
    const log = await peer.log();
    expect(log.filter((l) => l.startsWith('rejected'))).toEqual([]);
    expect(log[0]).toBe('Create');
    expect(log.at(-1)).toBe('Delete');
    for (const action of ['Command', 'Send', 'Receive', 'Signal']) expect(log).toContain(action);
    expect(log.filter((l) => l === 'Create')).toHaveLength(1);
  });
});
