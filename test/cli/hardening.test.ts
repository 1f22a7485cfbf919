/**
 * Issue 14 §8 (the parts outside the transport): a --password-file that others can read is refused unless
 * --allow-insecure-password-file, the cluster names "." and ".." are refused before anything is touched, and a
 * --ca-file that is missing, a folder or not PEM is exit 2 before any connection (a TCP listener counts them),
 * and the local-pwsh transport's child gets an allow-listed environment: planted secrets never reach it.
 */
import { chmodSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
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
  function scan(caFile: string, stopAfterConnection = false): Promise<ExecResult> {
    const before = connections;
    const child = box.start(
      ['scan', '--cluster-name', 'HCI01', '--node-address', `HCI01=127.0.0.1:${port}`, '--use-ssl', '--ca-file', caFile, '--username', 'CONTOSO\\admin', '--authentication', 'Basic', '--json'],
      { env: { CAUCTL_PASSWORD: 'not-used' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const closed = new Promise<ExecResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
    if (stopAfterConnection) {
      // A reset connection is transient, so scan's retrying gateway would go on trying for its whole deadline:
      // once the listener has seen a connection the check is shown passed, and the scan is stopped.
      const poll = setInterval(() => {
        if (connections > before) child.kill('SIGTERM');
      }, 20);
      void closed.then(() => clearInterval(poll));
    }
    return closed;
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

  it('a readable PEM passes the check: the connection is then tried (the listener resets it)', async () => {
    const path = join(box.dir, 'ca.pem');
    writeFileSync(path, pem);
    const before = connections;
    const result = await scan(path, true);
    expect(connections).toBeGreaterThan(before);
    expect(result.code).not.toBe(2);
    expect(result.stderr).not.toContain('CA_FILE');
  }, 120_000);
});

it('the local-pwsh transport gives PowerShell no secret from its environment: values go on stdin, never in argv', () => {
  // A stand-in for pwsh that records what it was given: its environment, its arguments and its stdin.
  const dump = join(box.dir, 'dump');
  mkdirSync(dump);
  const fake = join(box.dir, 'pwsh');
  writeFileSync(fake, `#!/bin/sh\nenv > '${dump}/env-'$$\nprintf '%s\\n' "$@" > '${dump}/argv-'$$\ncat > '${dump}/stdin-'$$\n`);
  chmodSync(fake, 0o755);
  const planted = {
    CAUCTL_PASSWORD: 'pw-Planted-1',
    CAUCTL_WEBHOOK_URL: 'https://hooks.example.invalid/services/T0/B0/planted2',
    AWS_SECRET_ACCESS_KEY: 'aws-Planted-3',
    GITHUB_TOKEN: 'ghp_Planted4',
    HTTPS_PROXY: 'http://user:proxy-Planted-5@proxy.example.invalid:3128',
    npm_config__auth: 'npm-Planted-6',
  };
  const result = box.run(['scan', '--transport', 'local-pwsh', '--pwsh-path', fake, '--cluster-name', 'HCI01', '--json'], { env: planted });
  expect(result.code).not.toBe(0);
  const files = readdirSync(dump);
  expect(files.filter((f) => f.startsWith('env-')).length).toBeGreaterThan(0);
  for (const file of files) {
    const text = readFileSync(join(dump, file), 'utf8');
    for (const [name, value] of Object.entries(planted)) {
      expect({ file, leaked: text.includes(value) }).toEqual({ file, leaked: false });
      if (file.startsWith('env-')) expect({ file, name, set: new RegExp(`^${name}=`, 'm').test(text) }).toEqual({ file, name, set: false });
    }
    // What PowerShell needs to start still passes; the node's name travels in the stdin envelope only.
    if (file.startsWith('env-')) expect(text).toMatch(/^PATH=/m);
    if (file.startsWith('argv-')) expect(text).not.toContain('HCI01');
    if (file.startsWith('stdin-')) expect(JSON.parse(text)).toMatchObject({ computerName: 'HCI01' });
  }
});
