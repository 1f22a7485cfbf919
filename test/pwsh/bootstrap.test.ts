// Runs the real bootstrap under PowerShell 7 (-EncodedCommand, payload on stdin) and checks the result line,
// error mapping, CLIXML stderr decoding, and that hostile values arrive as data, never as code.
import { execa } from 'execa';
import { AppError } from '../../src/errors.js';
import {
  BOOTSTRAP_SCRIPT,
  END_MARKER,
  RESULT_MARKER,
  bootstrapCommandLine,
  encodePayload,
  parseBootstrapOutput,
} from '../../src/transport/bootstrap.js';
import { decodeClixml } from '../../src/transport/clixml.js';
import type { ScriptOutcome } from '../../src/transport/transport.js';
import { describeWithPwsh } from './pwsh-path.js';

interface Run {
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

describeWithPwsh('bootstrap under real pwsh', (pwsh) => {
  async function runRaw(script: string, params: Record<string, unknown>, extraArgs: string[] = []): Promise<Run> {
    const { args } = bootstrapCommandLine('pwsh');
    const result = await execa(pwsh, [...extraArgs, ...args], {
      input: encodePayload({ name: 'test', script, params }),
      reject: false,
      stripFinalNewline: false,
      env: { NO_COLOR: '1' },
    });
    return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode ?? null };
  }

  async function run(script: string, params: Record<string, unknown> = {}): Promise<ScriptOutcome> {
    const r = await runRaw(script, params);
    return parseBootstrapOutput(r.stdout, r.stderr, r.exitCode);
  }

  it('prints exactly one marked JSON line for a script returning one object', async () => {
    const r = await runRaw('[CmdletBinding()] param([int]$n) @{ doubled = $n * 2; list = @("one"); empty = @() }', { n: 21 });
    const lines = r.stdout.split(/\r?\n/).filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.startsWith(RESULT_MARKER) && lines[0]!.endsWith(END_MARKER)).toBe(true);
    expect(parseBootstrapOutput(r.stdout, r.stderr, r.exitCode)).toEqual({
      ok: true,
      data: { doubled: 42, list: ['one'], empty: [] },
    });
  });

  it('gives null data for a script with no output and an array for several outputs', async () => {
    expect(await run('$null = 1')).toEqual({ ok: true, data: null });
    expect(await run('1; 2')).toEqual({ ok: true, data: [1, 2] });
  });

  it('reports a throwing script as ok:false with message and category', async () => {
    expect(await run('throw "the node is on fire"')).toEqual({
      ok: false,
      error: { code: 'SCRIPT_ERROR', message: 'the node is on fire', category: 'OperationStopped' },
    });
  });

  it('turns a non-terminating error into a failure (ErrorActionPreference Stop)', async () => {
    const outcome = await run('Get-Item -LiteralPath "/definitely/not/here"; @{ reached = $true }');
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error).toMatchObject({ code: 'SCRIPT_ERROR', category: 'ObjectNotFound' });
  });

  it('carries a CAUCTL:<CODE> error id through as the code', async () => {
    const script = [
      '[CmdletBinding()] param([string]$node)',
      "$ex = New-Object System.InvalidOperationException ('drain of ' + $node + ' failed')",
      "$PSCmdlet.ThrowTerminatingError((New-Object System.Management.Automation.ErrorRecord $ex, 'CAUCTL:DRAIN_FAILED', 'ResourceBusy', $node))",
    ].join('\n');
    expect(await run(script, { node: 'NODE1' })).toEqual({
      ok: false,
      error: { code: 'DRAIN_FAILED', message: 'drain of NODE1 failed', category: 'ResourceBusy' },
    });
  });

  it('maps a missing cmdlet to MISSING_FEATURE', async () => {
    const outcome = await run('Get-ClusterNode');
    expect(outcome).toMatchObject({ ok: false, error: { code: 'MISSING_FEATURE', category: 'ObjectNotFound' } });
  });

  it('reports a script that does not parse, without the "Exception calling Create" wrapper', async () => {
    const outcome = await run('if (');
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.error.code).toBe('SCRIPT_ERROR');
      expect(outcome.error.message).not.toMatch(/Exception calling/);
      expect(outcome.error.message).toMatch(/Missing condition|missing/i);
    }
  });

  const hostile: Record<string, string> = {
    injection: "'; Remove-Item -Recurse C:\\ #",
    subexpression: '$(Get-Date)',
    backticks: '`n`t``$x',
    semicolon: 'a; Get-Process; b',
    newlines: 'line1\nline2\r\nline3',
    smartQuotes: '\u201csmart\u201d \u2018single\u2019',
    env: '$env:PATH',
    markers: `${END_MARKER}${RESULT_MARKER}{"ok":true}`,
    isoDate: '2024-01-01T00:00:00Z',
    emojiAndControls: '\u{1F600} \u0001 \u00e9 <script>',
    dollarBrace: '${function:prompt}',
  };

  it('echoes hostile values back equal: they arrive as data, never as code', async () => {
    const script = '[CmdletBinding()] param([hashtable]$values, [string[]]$list) @{ values = $values; list = $list }';
    const list = Object.values(hostile);
    const outcome = await run(script, { values: hostile, list });
    expect(outcome).toEqual({ ok: true, data: { values: hostile, list } });
  });

  it('passes each hostile value through its own typed, mandatory [string] parameter unchanged', async () => {
    const names = Object.keys(hostile);
    const script =
      `[CmdletBinding()] param(${names.map((n) => `[Parameter(Mandatory)][string]$${n}`).join(', ')})\n` +
      `@{ ${names.map((n) => `${n} = $${n}`).join('; ')} }`;
    expect(await run(script, hostile)).toEqual({ ok: true, data: hostile });
  });

  it('keeps JSON types: null, booleans, numbers, nested one-element arrays', async () => {
    const params = { nothing: null, yes: true, no: false, int: 7, real: 1.5, nested: { inner: [['x']] }, one: ['only'] };
    expect(await run('param($nothing, $yes, $no, $int, $real, $nested, $one) @{ nothing = $nothing; yes = $yes; no = $no; int = $int; real = $real; nested = $nested; one = $one }', params)).toEqual({
      ok: true,
      data: params,
    });
  });

  it('carries warnings inside the JSON result, not on stderr, so they belong to their operation (issue 19, case 5)', async () => {
    const r = await runRaw("Write-Warning 'storage \u201cdegraded\u201d \u{1F600}'; @{ fine = $true }", {}, ['-OutputFormat', 'xml']);
    expect(decodeClixml(r.stderr)).not.toContain('degraded');
    expect(parseBootstrapOutput(r.stdout, r.stderr, r.exitCode)).toEqual({ ok: true, data: { fine: true }, warnings: ['storage \u201cdegraded\u201d \u{1F600}'] });
  });

  it('turns a PowerShell that never prints a result into SCRIPT_PROTOCOL_ERROR with decoded stderr', async () => {
    // An encoded command that fails before any result: the error reaches stderr as CLIXML.
    const broken = Buffer.from('Get-Item -LiteralPath "/no/such/path" -ErrorAction Stop', 'utf16le').toString('base64');
    const result = await execa(pwsh, ['-NoProfile', '-NonInteractive', '-OutputFormat', 'xml', '-EncodedCommand', broken], {
      input: '',
      reject: false,
    });
    expect(result.stderr).toContain('#< CLIXML');
    let error: unknown;
    try {
      parseBootstrapOutput(result.stdout, result.stderr, result.exitCode ?? null);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    const appError = error as AppError;
    expect(appError.code).toBe('SCRIPT_PROTOCOL_ERROR');
    expect(appError.details?.['stderr']).toMatch(/\/no\/such\/path/);
    expect(appError.details?.['stderr']).not.toMatch(/<Objs|_x000[AD]_/);
  });

  it('runs the payload in argument mode (as Invoke-Command would) and returns the line as output', async () => {
    const payload = encodePayload({ name: 't', script: 'param($v) @{ v = $v }', params: { v: hostile['injection'] } }).toString();
    // The bootstrap text and payload are passed as data into a fixed driver script, as the wrapper does.
    const driver = "$t = [Console]::In.ReadToEnd() | ConvertFrom-Json; $line = & ([scriptblock]::Create($t.bootstrap)) $t.payload; [Console]::Out.WriteLine('got:' + $line)";
    const result = await execa(pwsh, ['-NoProfile', '-NonInteractive', '-Command', driver], {
      input: JSON.stringify({ bootstrap: BOOTSTRAP_SCRIPT, payload }),
      reject: false,
    });
    expect(result.stdout.startsWith(`got:${RESULT_MARKER}`)).toBe(true);
    expect(parseBootstrapOutput(result.stdout, result.stderr, result.exitCode ?? null)).toEqual({
      ok: true,
      data: { v: hostile['injection'] },
    });
  });
});
