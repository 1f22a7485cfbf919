// Unit tests for the bootstrap helpers: command line, payload encoding and output parsing (no PowerShell needed).
import { readFileSync } from 'node:fs';
import { AppError } from '../errors.js';
import {
  BOOTSTRAP_SCRIPT,
  BOOTSTRAP_STUB,
  END_MARKER,
  RESULT_MARKER,
  asciiJson,
  bootstrapCommandLine,
  bootstrapStdinLine,
  encodeSequencedPayloadLine,
  withNetworkCredential,
  stubCommandLine,
  encodePayload,
  encodedBootstrap,
  encodePayloadLine,
  minifiedBootstrap,
  parseBootstrapOutput,
  takeBootstrapResult,
} from './bootstrap.js';

const line = (json: string): string => `${RESULT_MARKER}${json}${END_MARKER}`;

function protocolError(stdout: string, stderr = '', exitCode: number | null = 0): AppError {
  try {
    parseBootstrapOutput(stdout, stderr, exitCode);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected SCRIPT_PROTOCOL_ERROR');
}

describe('BOOTSTRAP_SCRIPT', () => {
  it('is the bootstrap.ps1 file byte for byte', () => {
    expect(BOOTSTRAP_SCRIPT).toBe(readFileSync(new URL('./bootstrap.ps1', import.meta.url), 'utf8'));
  });

  it('minifies to code lines only and keeps every statement', () => {
    const min = minifiedBootstrap();
    expect(min.split('\n').every((l) => l === l.trim() && l !== '' && !l.startsWith('#'))).toBe(true);
    expect(min.startsWith('param([string]$PayloadText, [IO.TextReader]$Reader)')).toBe(true);
    expect(min).toContain("'<<<CAUCTL-RESULT>>>'");
  });

  it('fits a CreateProcess command line (32767 characters) with its encoded form (local-pwsh starts it so)', () => {
    const { command, args } = bootstrapCommandLine();
    expect([command, ...args].join(' ').length).toBeLessThan(32767);
  });

  it('is started over WinRM by a stub far under cmd.exe\'s 8,191 characters, the bootstrap on the first stdin line (issue 19, case 3)', () => {
    const { command, args } = stubCommandLine();
    const line = [command, ...args].join(' ');
    expect(line.length).toBeLessThan(2000);
    expect(Buffer.from(args.at(-1)!, 'base64').toString('utf16le')).toBe(BOOTSTRAP_STUB);
    const first = bootstrapStdinLine().toString('ascii');
    expect(first.endsWith('\n') && !first.slice(0, -1).includes('\n')).toBe(true);
    expect(Buffer.from(first.trim(), 'base64').toString('utf8')).toBe(BOOTSTRAP_SCRIPT);
  });

  it('numbers payload lines first, so the bootstrap can read the number without parsing the JSON', () => {
    const text = encodeSequencedPayloadLine({ name: 'x', script: 's', params: { a: 'é' } }, 42, 'id-1').toString('utf8');
    expect(text).toBe('{"seq":42,"id":"id-1","script":"s","params":{"a":"\\u00e9"}}\n');
  });

  it('carries the node helpers and a filled-in network credential in a numbered line too (issue 13)', () => {
    const invocation = { name: 'test-cluster', script: 's', params: { include: ['Inventory'] }, helpers: 'function H {}', networkCredential: true };
    const line = encodeSequencedPayloadLine(withNetworkCredential(invocation, { userName: 'C\\admin', password: 'p' }), 1, 'i').toString('utf8');
    expect(JSON.parse(line)).toEqual({ seq: 1, id: 'i', script: 's', params: { include: ['Inventory'], networkCredential: { userName: 'C\\admin', password: 'p' } }, helpers: 'function H {}' });
    expect(line.startsWith('{"seq":1,')).toBe(true);
    // An operation that does not ask for it gets no credential.
    const plain = withNetworkCredential({ name: 'get-cluster', script: 's', params: {} }, { userName: 'C\\admin', password: 'p' });
    expect(plain.params).toEqual({});
  });

  it('encodes the minified text as base64 UTF-16LE', () => {
    expect(Buffer.from(encodedBootstrap(), 'base64').toString('utf16le')).toBe(minifiedBootstrap());
  });
});

describe('bootstrapCommandLine', () => {
  it.each([
    ['default', undefined, 'powershell.exe'],
    ['pwsh', 'pwsh' as const, 'pwsh'],
  ])('%s', (_name, exe, command) => {
    const cmd = bootstrapCommandLine(exe);
    expect(cmd.command).toBe(command);
    expect(cmd.args.slice(0, 5)).toEqual(['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand']);
    expect(cmd.args[5]).toBe(encodedBootstrap());
  });
});

describe('encodePayload', () => {
  const hostile = "'; Remove-Item -Recurse C:\\ # $(Get-Date) `n “smart” ‘quotes’ \u{1F600}";

  it('is ASCII JSON that round-trips script and params exactly', () => {
    const invocation = { name: 'x', script: 'param($v) $v', params: { v: hostile, n: 3, list: ['a'], none: null } };
    const bytes = encodePayload(invocation);
    expect([...bytes].every((b) => b < 0x80)).toBe(true);
    expect(JSON.parse(bytes.toString('utf8'))).toEqual({ script: invocation.script, params: invocation.params });
  });

  it('escapes non-ASCII as \\uXXXX code units', () => {
    expect(asciiJson('é\u{1F600}')).toBe('"\\u00e9\\ud83d\\ude00"');
  });
});

describe('encodePayloadLine', () => {
  it('is the payload plus one line break, with no other line break inside', () => {
    const invocation = { name: 'x', script: 'param($v)\r\n$v', params: { v: 'a\nb\r\n' } };
    const text = encodePayloadLine(invocation).toString('utf8');
    expect(text).toBe(`${encodePayload(invocation).toString('utf8')}\n`);
    expect(text.indexOf('\n')).toBe(text.length - 1);
    expect(text).not.toContain('\r');
  });
});

describe('takeBootstrapResult', () => {
  it.each([
    ['nothing yet', '', undefined],
    ['a result still arriving', `${RESULT_MARKER}{"ok":tr`, undefined],
    ['one result and its CRLF', `${line('{"ok":true}')}\r\n`, { result: `${line('{"ok":true}')}\r\n`, rest: '' }],
    ['one result without its line break yet', line('{"ok":true}'), { result: line('{"ok":true}'), rest: '' }],
    ['noise before, the next result after', `noise${line('1')}\n${line('2')}\n`, { result: `noise${line('1')}\n`, rest: `${line('2')}\n` }],
    ['the start of the next result after', `${line('1')}\r\n${RESULT_MARKER}{`, { result: `${line('1')}\r\n`, rest: `${RESULT_MARKER}{` }],
  ])('%s', (_name, stdout, expected) => {
    expect(takeBootstrapResult(stdout)).toEqual(expected);
  });
});

describe('parseBootstrapOutput', () => {
  it('returns ok with data', () => {
    expect(parseBootstrapOutput(`${line('{"ok":true,"data":{"a":1}}')}\r\n`, '', 0)).toEqual({ ok: true, data: { a: 1 } });
  });

  it('turns a missing data into null', () => {
    expect(parseBootstrapOutput(line('{"ok":true}'), '', 0)).toEqual({ ok: true, data: null });
  });

  it('returns a script error with code, message and category', () => {
    const out = line('{"ok":false,"error":{"code":"DRAIN_FAILED","message":"m","category":"ResourceBusy"}}');
    expect(parseBootstrapOutput(out, '', 0)).toEqual({
      ok: false,
      error: { code: 'DRAIN_FAILED', message: 'm', category: 'ResourceBusy' },
    });
  });

  it('ignores output around the marked line (banners, Write-Host, marker text a script printed)', () => {
    const out = `banner\r\n${RESULT_MARKER}fake\r\nnoise ${line('{"ok":true,"data":"x"}')}\r\n`;
    expect(parseBootstrapOutput(out, 'warning text', 0)).toEqual({ ok: true, data: 'x' });
  });

  it('decodes escaped angle brackets and non-ASCII in the JSON', () => {
    const out = line('{"ok":true,"data":"\\u003c\\u003c\\u003cCAUCTL-END\\u003e\\u003e\\u003e \\u201c"}');
    expect(parseBootstrapOutput(out, '', 0)).toEqual({ ok: true, data: '<<<CAUCTL-END>>> \u201c' });
  });

  it.each([
    ['no markers', 'just text', /no result marker/],
    ['end without start', `x${END_MARKER}`, /end marker without/],
    ['invalid JSON', line('{"ok":tru'), /not valid JSON/],
    ['wrong shape', line('{"ok":"yes"}'), /shape/],
    ['error without code', line('{"ok":false,"error":{"message":"m"}}'), /shape/],
    ['empty output', '', /no result marker/],
  ])('%s is SCRIPT_PROTOCOL_ERROR', (_name, stdout, message) => {
    const error = protocolError(stdout);
    expect(error.code).toBe('SCRIPT_PROTOCOL_ERROR');
    expect(error.exitCode).toBe(1);
    expect(error.message).toMatch(message);
  });

  it('attaches the stdout tail, exit code and decoded CLIXML stderr', () => {
    const stderr =
      '#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">' +
      '<S S="Error">powershell.exe : cannot start_x000D__x000A_</S></Objs>';
    const stdout = 'x'.repeat(5000) + 'TAIL';
    const error = protocolError(stdout, stderr, 1);
    expect(error.message).toContain('exit code 1');
    expect(error.message).toContain('powershell.exe : cannot start');
    expect(error.details?.['stderr']).toBe('powershell.exe : cannot start');
    expect(error.details?.['exitCode']).toBe(1);
    const tail = error.details?.['stdoutTail'] as string;
    expect(tail.endsWith('TAIL')).toBe(true);
    expect(tail.length).toBeLessThan(stdout.length);
  });
});
