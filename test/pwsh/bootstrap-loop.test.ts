// Runs the real bootstrap under PowerShell 7 as the persistent WinRM command does: one process, one payload
// per stdin line, one flushed result line each. Results come in order, failures do not end the loop, nothing
// leaks from one payload to the next, and hostile values still arrive as data.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import {
  END_MARKER,
  RESULT_MARKER,
  BOOTSTRAP_STUB,
  READY_MARKER,
  bootstrapCommandLine,
  bootstrapStdinLine,
  encodePayloadLine,
  encodeSequencedPayloadLine,
  parseBootstrapOutput,
  parseBootstrapResult,
  stubCommandLine,
  takeBootstrapResult,
} from '../../src/transport/bootstrap.js';
import type { ScriptOutcome } from '../../src/transport/transport.js';
import { describeWithPwsh } from './pwsh-path.js';

type Payload = [script: string, params?: Record<string, unknown>];

describeWithPwsh('bootstrap loop mode under real pwsh', (pwsh) => {
  /** Feeds every payload line to one process, closes stdin, and splits stdout into the results in order. */
  async function runAll(payloads: readonly Payload[]): Promise<{ outcomes: ScriptOutcome[]; lines: string[]; exitCode: number | undefined }> {
    const { args } = bootstrapCommandLine('pwsh');
    const input = Buffer.concat(payloads.map(([script, params]) => encodePayloadLine({ name: 't', script, params: params ?? {} })));
    const result = await execa(pwsh, args, { input, reject: false, stripFinalNewline: false, env: { NO_COLOR: '1' } });
    const outcomes: ScriptOutcome[] = [];
    let rest = String(result.stdout);
    for (let taken = takeBootstrapResult(rest); taken; taken = takeBootstrapResult(rest)) {
      outcomes.push(parseBootstrapOutput(taken.result, '', null));
      rest = taken.rest;
    }
    expect(rest.trim()).toBe('');
    return { outcomes, lines: String(result.stdout).split(/\r?\n/).filter((l) => l !== ''), exitCode: result.exitCode };
  }

  it('answers several payloads in one process, one line each, in order, and exits cleanly at end of input', async () => {
    const payloads: Payload[] = Array.from({ length: 6 }, (_, i) => ['param([int]$n) @{ n = $n; pid = $PID }', { n: i }]);
    const { outcomes, lines, exitCode } = await runAll(payloads);
    expect(exitCode).toBe(0);
    expect(lines).toHaveLength(6);
    expect(lines.every((l) => l.startsWith(RESULT_MARKER) && l.endsWith(END_MARKER))).toBe(true);
    expect(outcomes.map((o) => (o.ok ? (o.data as { n: number }).n : undefined))).toEqual([0, 1, 2, 3, 4, 5]);
    const pids = new Set(outcomes.map((o) => (o.ok ? (o.data as { pid: number }).pid : undefined)));
    expect(pids.size).toBe(1);
  });

  it('goes on after a throwing script, a script that calls exit, and a non-terminating error', async () => {
    const { outcomes, exitCode } = await runAll([
      ['throw "the node is on fire"'],
      ['exit 3'],
      ['Get-Item -LiteralPath "/definitely/not/here"'],
      ['@{ after = "still here" }'],
    ]);
    expect(exitCode).toBe(0);
    expect(outcomes).toHaveLength(4);
    expect(outcomes[0]).toEqual({ ok: false, error: { code: 'SCRIPT_ERROR', message: 'the node is on fire', category: 'OperationStopped' } });
    expect(outcomes[1]).toMatchObject({ ok: false, error: { code: 'SCRIPT_ERROR' } });
    expect(outcomes[2]).toMatchObject({ ok: false, error: { code: 'SCRIPT_ERROR', category: 'ObjectNotFound' } });
    expect(outcomes[3]).toEqual({ ok: true, data: { after: 'still here' } });
  });

  it('lets nothing leak between payloads: variables of every scope, functions, aliases, preferences, strict mode, location', async () => {
    const dirty = [
      '$local = 1; $global:fromGlobal = 2; $script:fromScript = 3',
      'function Get-Leaked { 4 }; Set-Alias -Name leaked -Value Get-Date -Scope Global',
      "$ErrorActionPreference = 'Continue'; $global:ErrorActionPreference = 'Continue'; $global:WarningPreference = 'SilentlyContinue'",
      'Set-StrictMode -Version Latest; $global:PSDefaultParameterValues = @{ "Get-Item:Force" = $true }',
      'Set-Location -LiteralPath ([System.IO.Path]::GetTempPath())',
    ].join('; ');
    const probe = [
      '$v = Get-Variable -Name local, fromGlobal, fromScript -ErrorAction SilentlyContinue',
      '@{',
      '  variables = @($v).Count',
      '  function = [bool](Get-Command Get-Leaked -ErrorAction SilentlyContinue)',
      '  alias = [bool](Get-Alias leaked -ErrorAction SilentlyContinue)',
      '  eap = [string]$ErrorActionPreference',
      '  defaults = $PSDefaultParameterValues.Count',
      '  location = (Get-Location).Path',
      '  strict = $(try { $null = $neverSet; $false } catch { $true })',
      '}',
    ].join('\n');
    const { outcomes } = await runAll([['@{ location = (Get-Location).Path }'], [dirty], [probe]]);
    const start = outcomes[0];
    expect(start?.ok).toBe(true);
    expect(outcomes[1]).toEqual({ ok: true, data: null });
    expect(outcomes[2]).toEqual({
      ok: true,
      data: {
        variables: 0,
        function: false,
        alias: false,
        eap: 'Stop',
        defaults: 0,
        location: (start as { data: { location: string } }).data.location,
        strict: false,
      },
    });
  });

  it('delivers hostile values as data, payload after payload', async () => {
    const hostile = [
      "'; Remove-Item -Recurse C:\\ #",
      '$(Get-Date)',
      '`n`t``$x',
      'line1\nline2\r\nline3',
      '\u201csmart\u201d \u2018single\u2019',
      `${END_MARKER}\n${RESULT_MARKER}{"ok":true}${END_MARKER}`,
      '\u{1F600} \u0001 \u00e9 <script>',
    ];
    const { outcomes } = await runAll(hostile.map((value) => ['[CmdletBinding()] param([Parameter(Mandatory)][string]$value) @{ value = $value }', { value }]));
    expect(outcomes).toEqual(hostile.map((value) => ({ ok: true, data: { value } })));
  });

  it('flushes each result while stdin stays open, so the next payload can depend on it', async () => {
    const { args } = bootstrapCommandLine('pwsh');
    const child = spawn(pwsh, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    const lines = createInterface({ input: child.stdout });
    const iterator = lines[Symbol.asyncIterator]();
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      let previous = 'start';
      for (let i = 0; i < 3; i++) {
        child.stdin.write(encodePayloadLine({ name: 't', script: 'param($previous) @{ seen = $previous }', params: { previous } }));
        const next = await iterator.next();
        const outcome = parseBootstrapOutput(String(next.value), '', null);
        expect(outcome).toEqual({ ok: true, data: { seen: previous } });
        previous = `answer ${i}`;
      }
      child.stdin.end();
      expect(await exited).toBe(0);
    } finally {
      lines.close();
      if (child.exitCode === null) child.kill();
    }
  });

  it('starts from the short stub (the bootstrap on the first stdin line), says READY, and numbers each result', async () => {
    const { args } = stubCommandLine('pwsh');
    // The stub is what travels on the command line: far under cmd.exe's 8,191 characters.
    expect(['powershell.exe', ...args].join(' ').length).toBeLessThan(2000);
    const input = Buffer.concat([
      bootstrapStdinLine(),
      encodeSequencedPayloadLine({ name: 't', script: 'param($n) Write-Warning "careful é $n"; @{ n = $n }', params: { n: 1 } }, 7, 'a'),
      encodeSequencedPayloadLine({ name: 't', script: 'param($n) @{ n = $n }', params: { n: 2 } }, 8, 'b'),
    ]);
    const result = await execa(pwsh, args, { input, reject: false, stripFinalNewline: false, env: { NO_COLOR: '1' } });
    expect(result.exitCode).toBe(0);
    const stdout = String(result.stdout);
    expect(stdout.startsWith(`${READY_MARKER}\n`) || stdout.startsWith(`${READY_MARKER}\r\n`)).toBe(true);
    const first = takeBootstrapResult(stdout)!;
    const second = takeBootstrapResult(first.rest)!;
    const a = parseBootstrapResult(first.result, '', null);
    const b = parseBootstrapResult(second.result, '', null);
    expect(a.outcome).toEqual({ ok: true, data: { n: 1 }, warnings: ['careful é 1'] });
    expect(a.meta).toMatchObject({ seq: 7, warnings: ['careful é 1'] });
    expect(a.meta!.memoryMB).toBeGreaterThan(0);
    expect(b.outcome).toEqual({ ok: true, data: { n: 2 } });
    expect(b.meta).toMatchObject({ seq: 8, warnings: [] });
    // Warnings travel in the result, not as CLIXML on stderr.
    expect(String(result.stderr)).not.toContain('careful');
  });

  it('answers CONSTRAINED_LANGUAGE from the stub itself when PowerShell runs in ConstrainedLanguage mode', async () => {
    // WDAC's enforcement, imitated: the session drops to ConstrainedLanguage before the stub runs.
    const script = "$ExecutionContext.SessionState.LanguageMode = 'ConstrainedLanguage'; Invoke-Expression $env:CAUCTL_TEST_STUB";
    const result = await execa(pwsh, ['-NoProfile', '-NonInteractive', '-Command', script], {
      input: bootstrapStdinLine(),
      reject: false,
      env: { NO_COLOR: '1', CAUCTL_TEST_STUB: BOOTSTRAP_STUB },
    });
    const outcome = parseBootstrapOutput(String(result.stdout), String(result.stderr), result.exitCode ?? null);
    expect(outcome).toMatchObject({ ok: false, error: { code: 'CONSTRAINED_LANGUAGE', category: 'SecurityError' } });
  });
});
