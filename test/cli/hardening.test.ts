/**
 * Issue 14 §8 (the parts outside the transport): a --password-file that others can read is refused unless
 * --allow-insecure-password-file, the cluster names "." and ".." are refused before anything is touched, and a
 * --ca-file that is missing, a folder or not PEM is exit 2 before any connection (a TCP listener counts them).
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { ROOT, sandbox, type ExecResult, type Sandbox } from '../support/cli.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

it.each(['.', '..'])('refuses the cluster name %j with exit 2', (name) => {
  const result = box.run(['scan', '--cluster-name', name, '--json']);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('is not a cluster name');
});

it('refuses a password file that other users can read, and names the fix', () => {
  const file = join(box.dir, 'password');
  writeFileSync(file, 'secret\n');
  chmodSync(file, 0o644);
  const result = box.run(['scan', '--cluster-name', 'HCI01', '--username', 'CONTOSO\\admin', '--password-file', file, '--json']);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(`try: Make it yours only with: chmod 600 ${file}`);
  expect(result.stdout + result.stderr).not.toContain('secret');
});

describe('--ca-file is checked before any connection', () => {
  let server: Server;
  let connections = 0;
  let port = 0;
  beforeAll(async () => {
    server = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** scan over HTTPS with this --ca-file, against the listener; the event loop stays free to count. */
  function scan(caFile: string): Promise<ExecResult> {
    const child = box.start(
      ['scan', '--cluster-name', 'HCI01', '--node-address', `HCI01=127.0.0.1:${port}`, '--use-ssl', '--ca-file', caFile, '--username', 'CONTOSO\\admin', '--authentication', 'Basic', '--json'],
      { env: { CAUCTL_PASSWORD: 'not-used' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  }

  const pem = readFileSync(join(ROOT, 'test', 'fixtures', 'winrm', 'tls', 'localhost.crt'), 'utf8');
  it.each([
    ['missing', () => join(box.dir, 'nope.pem'), 'CA_FILE_UNREADABLE', /cannot be read \(no such file or folder/],
    ['a folder', () => (mkdirSync(join(box.dir, 'ca-folder')), join(box.dir, 'ca-folder')), 'CA_FILE_UNREADABLE', /cannot be read \(it is a folder/],
    ['not PEM (DER bytes)', () => (writeFileSync(join(box.dir, 'ca.cer'), Buffer.from([0x30, 0x82, 0x01, 0x0a, 0x02, 0x82])), join(box.dir, 'ca.cer')), 'CA_FILE_NOT_PEM', /holds no PEM certificate/],
    ['a PEM block that does not parse', () => (writeFileSync(join(box.dir, 'bad.pem'), [...pem.split('\n').slice(0, 3), '-----END CERTIFICATE-----', ''].join('\n')), join(box.dir, 'bad.pem')), 'CA_FILE_NOT_PEM', /Certificate 1 of 1 .* cannot be parsed/],
  ])('%s: exit 2 naming the file, and no connection', async (_name, make, code, message) => {
    const path = make();
    const before = connections;
    const result = await scan(path);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code, exitCode: 2 } });
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain(path);
    expect(result.stderr).toMatch(/try: /);
    expect(connections).toBe(before);
  });

  it('a readable PEM passes the check: the connection is then tried (and fails here: exit 4)', async () => {
    const path = join(box.dir, 'ca.pem');
    writeFileSync(path, pem);
    const before = connections;
    const result = await scan(path);
    expect(result.code).toBe(4);
    expect(connections).toBeGreaterThan(before);
  }, 120_000);
});
