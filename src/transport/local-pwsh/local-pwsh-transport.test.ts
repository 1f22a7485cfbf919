// Unit tests for the local-pwsh transport that need no PowerShell: executable lookup, the not-found error,
// and the command line and stdin it builds (values only in stdin, never in argv).
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../errors.js';
import { BOOTSTRAP_SCRIPT, encodeCommand, minifyPowerShell } from '../bootstrap.js';
import { LocalPwshTransport, REMOTE_WRAPPER_SCRIPT, childEnvironment, findOnPath } from './local-pwsh-transport.js';

describe('LocalPwshTransport', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cauctl-pwsh-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function fakeExecutable(name: string): string {
    const path = join(dir, name);
    writeFileSync(path, '#!/bin/sh\n');
    chmodSync(path, 0o755);
    return path;
  }

  const invocation = { name: 'probe', script: 'param($v) $v', params: { v: "'; Remove-Item -Recurse C:\\ # $(Get-Date)" } };

  it('prefers pwsh over powershell.exe on PATH', () => {
    const pwsh = fakeExecutable('pwsh');
    fakeExecutable('powershell.exe');
    const transport = new LocalPwshTransport({ env: { PATH: dir }, platform: 'linux' });
    expect(transport.name).toBe('local-pwsh');
    expect(transport.executable()).toBe(pwsh);
  });

  it('falls back to powershell.exe', () => {
    const ps = fakeExecutable('powershell.exe');
    expect(new LocalPwshTransport({ env: { PATH: dir }, platform: 'linux' }).executable()).toBe(ps);
  });

  it('uses PATHEXT on Windows', () => {
    const exe = fakeExecutable('pwsh.EXE');
    expect(findOnPath('pwsh', { PATH: dir, PATHEXT: '.COM;.EXE' }, 'win32')).toBe(exe);
  });

  it('throws LOCAL_PWSH_NOT_FOUND (exit 4) naming both binaries and how to install', () => {
    let error: unknown;
    try {
      new LocalPwshTransport({ env: { PATH: dir }, platform: 'linux' }).executable();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    const appError = error as AppError;
    expect(appError.code).toBe('LOCAL_PWSH_NOT_FOUND');
    expect(appError.exitCode).toBe(4);
    expect(appError.message).toContain('pwsh');
    expect(appError.message).toContain('powershell.exe');
    expect(appError.hint).toMatch(/Install PowerShell 7/);
  });

  it('refuses an explicit executable that does not exist', async () => {
    const transport = new LocalPwshTransport({ executable: join(dir, 'nope') });
    await expect(transport.run('NODE1', invocation)).rejects.toMatchObject({ code: 'LOCAL_PWSH_NOT_FOUND' });
  });

  it('runs the wrapper for a remote node: node, bootstrap and payload travel in stdin only', () => {
    const pwsh = fakeExecutable('pwsh');
    const transport = new LocalPwshTransport({ executable: pwsh, configurationName: 'JEA' });
    const { command, args, input } = transport.commandFor('NODE1', invocation);
    expect(command).toBe(pwsh);
    expect(args).toEqual(['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', encodeCommand(minifyPowerShell(REMOTE_WRAPPER_SCRIPT))]);
    expect(args.join(' ')).not.toContain('NODE1');
    const envelope = JSON.parse(input.toString('utf8')) as Record<string, string>;
    expect(envelope['computerName']).toBe('NODE1');
    expect(envelope['configurationName']).toBe('JEA');
    expect(envelope['bootstrap']).toBe(BOOTSTRAP_SCRIPT);
    expect(JSON.parse(envelope['payload']!)).toEqual({ script: invocation.script, params: invocation.params });
  });

  it('runs the bootstrap directly for localhost only when asked', () => {
    const pwsh = fakeExecutable('pwsh');
    const direct = new LocalPwshTransport({ executable: pwsh, runLocalhostDirectly: true });
    expect(JSON.parse(direct.commandFor('localhost', invocation).input.toString('utf8'))).toEqual({
      script: invocation.script,
      params: invocation.params,
    });
    expect(JSON.parse(direct.commandFor('.', invocation).input.toString('utf8'))).toHaveProperty('script');
    const viaRemoting = new LocalPwshTransport({ executable: pwsh });
    expect(JSON.parse(viaRemoting.commandFor('localhost', invocation).input.toString('utf8'))).toHaveProperty('computerName', 'localhost');
  });
});

describe('childEnvironment', () => {
  it('passes what PowerShell needs, in any case of name, and drops every other variable', () => {
    const env = {
      PATH: '/usr/bin',
      Path: 'C:\\Windows',
      SystemRoot: 'C:\\Windows',
      HOME: '/home/admin',
      LC_ALL: 'C.UTF-8',
      KRB5CCNAME: 'FILE:/tmp/krb5cc_0',
      PSModulePath: '/opt/modules',
      CAUCTL_PASSWORD: 'secret',
      CAUCTL_WEBHOOK_URL: 'https://hooks.example.invalid/x',
      AWS_SECRET_ACCESS_KEY: 'k',
      HTTPS_PROXY: 'http://u:p@proxy:3128',
      LC_SECRET_TOKEN_1: 'not a locale',
      UNDEFINED: undefined,
    };
    expect(childEnvironment(env)).toEqual({
      PATH: '/usr/bin',
      Path: 'C:\\Windows',
      SystemRoot: 'C:\\Windows',
      HOME: '/home/admin',
      LC_ALL: 'C.UTF-8',
      KRB5CCNAME: 'FILE:/tmp/krb5cc_0',
      PSModulePath: '/opt/modules',
    });
  });
});
