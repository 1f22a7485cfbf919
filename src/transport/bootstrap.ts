/**
 * The fixed PowerShell bootstrap every transport runs, its command line, the stdin payload, and the parser of
 * what it prints. Values travel only in the payload, as JSON data. Depends on errors, platform/assets, zod
 * and clixml; never on a concrete transport.
 */
import { z } from 'zod';
import { AppError, ExitCode } from '../errors.js';
import { readAsset } from '../platform/assets.js';
import { decodeClixml } from './clixml.js';
import { TransportErrorCode, type ScriptInvocation, type ScriptOutcome } from './transport.js';

/** The bootstrap's text, byte for byte `bootstrap.ps1`. */
export const BOOTSTRAP_SCRIPT: string = readAsset(new URL('./bootstrap.ps1', import.meta.url));

export const RESULT_MARKER = '<<<CAUCTL-RESULT>>>';
export const END_MARKER = '<<<CAUCTL-END>>>';
/** The line the bootstrap prints once, when started by the stub, before it reads its first payload. */
export const READY_MARKER = '<<<CAUCTL-READY>>>';

/** How many characters of stdout a protocol error carries, so a huge output cannot flood a message. */
const STDOUT_TAIL_CHARS = 2000;
const STDERR_TAIL_CHARS = 4000;

/**
 * A fixed script without comment lines, blank lines and indentation. cmd.exe caps a command line at 8191
 * characters and `-EncodedCommand` costs ~2.67 characters per script character (winrm.md §3.1), so the
 * commented bootstrap would not fit. Safe only for scripts without here-strings or block comments, which
 * the bootstrap and the local-pwsh wrapper are (their tests check it).
 */
export function minifyPowerShell(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .join('\n');
}

/** Base64 of `text` in UTF-16LE, as `-EncodedCommand` wants it. */
export function encodeCommand(text: string): string {
  return Buffer.from(text, 'utf16le').toString('base64');
}

/** The bootstrap as it travels on the command line. */
export function minifiedBootstrap(): string {
  return minifyPowerShell(BOOTSTRAP_SCRIPT);
}

/** Base64 of the (minified) bootstrap in UTF-16LE, as `-EncodedCommand` wants it. */
export function encodedBootstrap(): string {
  return encodeCommand(minifiedBootstrap());
}

/** The switches before `-EncodedCommand`: no profile, no prompts, no execution policy in the way. */
export const POWERSHELL_SWITCHES: readonly string[] = ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass'];

/** The argv that runs the bootstrap; the payload then goes to the process's stdin. */
export function bootstrapCommandLine(exe: 'powershell.exe' | 'pwsh' = 'powershell.exe'): {
  command: string;
  args: string[];
} {
  return {
    command: exe,
    args: [...POWERSHELL_SWITCHES, '-EncodedCommand', encodedBootstrap()],
  };
}

/**
 * The `-EncodedCommand` stub that starts the bootstrap over WinRM: it reads the bootstrap's text (base64 of
 * UTF-8) from the first stdin line and runs it with the same reader, so the payload lines that follow are not
 * lost in a second buffer. A few hundred characters on the command line instead of the whole bootstrap, so
 * cmd.exe's 8,191-character limit is far away and `WINRS_SKIP_CMD_SHELL` need not be relied on (older Windows
 * honours it and then cannot find a bare `powershell.exe`; newer Windows ignores it).
 */
export const BOOTSTRAP_STUB =
  // Application Control (WDAC) runs unsigned script in ConstrainedLanguage mode, where New-Object and
  // [Console] below fail: answer with the same coded result the bootstrap gives, using nothing that mode refuses.
  "if($ExecutionContext.SessionState.LanguageMode -ne 'FullLanguage'){'<<<CAUCTL-RESULT>>>{\"ok\":false,\"error\":{\"code\":\"CONSTRAINED_LANGUAGE\",\"message\":\"PowerShell on '+$env:COMPUTERNAME+' runs unsigned scripts in '+$ExecutionContext.SessionState.LanguageMode+' mode (Application Control / WDAC), where cauctl cannot run; nothing was done.\",\"category\":\"SecurityError\"}}<<<CAUCTL-END>>>';exit}" +
  "$r=New-Object IO.StreamReader ([Console]::OpenStandardInput()),(New-Object Text.UTF8Encoding $false);" +
  '& ([scriptblock]::Create([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($r.ReadLine())))) -Reader $r';

/** The argv that runs the stub; stdin then carries `bootstrapStdinLine()` and the payload lines. */
export function stubCommandLine(exe: 'powershell.exe' | 'pwsh' = 'powershell.exe'): { command: string; args: string[] } {
  return { command: exe, args: [...POWERSHELL_SWITCHES, '-EncodedCommand', encodeCommand(BOOTSTRAP_STUB)] };
}

/** The first stdin line for the stub: the bootstrap's text as base64 of UTF-8. */
export function bootstrapStdinLine(): Buffer {
  return Buffer.from(`${Buffer.from(BOOTSTRAP_SCRIPT, 'utf8').toString('base64')}\n`, 'ascii');
}

/**
 * A payload line that carries its sequence number first (the bootstrap copies it into the result's meta
 * without parsing the JSON) and an id that names the operation across re-sends (test servers count by it).
 */
export function encodeSequencedPayloadLine(invocation: ScriptInvocation, seq: number, id: string): Buffer {
  // seq stays first: the bootstrap reads it with a prefix match. The node helpers travel as in every payload.
  return Buffer.from(`${asciiJson({ seq, id, ...payloadOf(invocation) })}\n`, 'utf8');
}

/**
 * Escapes every non-ASCII character as `\uXXXX` so the payload reads the same whatever code page the node's
 * console uses. The result is still plain JSON (and UTF-8, being ASCII).
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The invocation with its `networkCredential` parameter filled in, when its script takes one: the account and
 * password the transport holds, or null. The password goes into the payload as data only (never argv, logs
 * or the journal); invocations that do not ask for it are returned as they are.
 */
export function withNetworkCredential(
  invocation: ScriptInvocation,
  credential: { readonly userName: string; readonly password: string } | null,
): ScriptInvocation {
  if (invocation.networkCredential !== true) return invocation;
  return { ...invocation, params: { ...invocation.params, networkCredential: credential } };
}

/** The payload object: script and params, and the node helpers when the invocation carries them. */
function payloadOf(invocation: ScriptInvocation): Record<string, unknown> {
  const payload: Record<string, unknown> = { script: invocation.script, params: invocation.params };
  if (invocation.helpers !== undefined) payload['helpers'] = invocation.helpers;
  return payload;
}

/**
 * The stdin payload: UTF-8 JSON `{ "script": "...", "params": { ... }, "helpers"?: "..." }`, on one line (JSON
 * escapes newlines).
 */
export function encodePayload(invocation: ScriptInvocation): Buffer {
  return Buffer.from(asciiJson(payloadOf(invocation)), 'utf8');
}

/** The payload as one line of a persistent bootstrap's stdin: the bootstrap runs one payload per line. */
export function encodePayloadLine(invocation: ScriptInvocation): Buffer {
  return Buffer.from(`${asciiJson(payloadOf(invocation))}\n`, 'utf8');
}

/**
 * Splits the first complete result off the stdout of a persistent bootstrap: everything up to the first end
 * marker (and the line break after it), or undefined while that has not arrived. Inside the JSON `<` and `>`
 * are escaped and the bootstrap's runspaces keep script output off stdout, so the first end marker is this
 * payload's. `result` goes to `parseBootstrapOutput`; `rest` belongs to the next payload.
 */
export function takeBootstrapResult(stdout: string): { result: string; rest: string } | undefined {
  const end = stdout.indexOf(END_MARKER);
  if (end < 0) return undefined;
  let cut = end + END_MARKER.length;
  if (stdout.startsWith('\r\n', cut)) cut += 2;
  else if (stdout.startsWith('\n', cut)) cut += 1;
  return { result: stdout.slice(0, cut), rest: stdout.slice(cut) };
}

/** What the stdin loop adds to each result: see bootstrap.ps1. */
const metaSchema = z.object({
  seq: z.number().int().nullable(),
  memoryMB: z.number().optional(),
  warnings: z.array(z.string()).optional(),
});
export type BootstrapMeta = z.infer<typeof metaSchema>;

const outcomeSchema = z.union([
  z.object({ ok: z.literal(true), data: z.unknown().optional(), meta: metaSchema.optional() }),
  z.object({
    ok: z.literal(false),
    error: z.object({ code: z.string().min(1), message: z.string(), category: z.string().optional() }),
    meta: metaSchema.optional(),
  }),
]);

/**
 * Takes the one JSON result between the markers. The bootstrap escapes `<` and `>` inside the JSON, so the
 * last end marker and the last result marker before it delimit the result even when a script printed marker
 * text of its own. Anything else is `SCRIPT_PROTOCOL_ERROR`, carrying the tail of stdout and the decoded stderr.
 */
export function parseBootstrapOutput(stdout: string, stderr: string, exitCode: number | null): ScriptOutcome {
  return parseBootstrapResult(stdout, stderr, exitCode).outcome;
}

/** parseBootstrapOutput, plus the meta of a stdin-mode result (undefined in argument mode). */
export function parseBootstrapResult(stdout: string, stderr: string, exitCode: number | null): { outcome: ScriptOutcome; meta: BootstrapMeta | undefined } {
  const fail = (why: string, cause?: unknown): AppError => {
    const decodedStderr = decodeClixml(stderr);
    const stderrTail = decodedStderr.slice(-STDERR_TAIL_CHARS).trim();
    return new AppError(
      TransportErrorCode.protocol,
      ExitCode.internal,
      `The node-side PowerShell did not return a result: ${why}` +
        (exitCode === null ? '' : ` (exit code ${exitCode})`) +
        (stderrTail === '' ? '' : `: ${firstLine(stderrTail)}`),
      {
        hint: 'Run with the same options and read the stderr attached to this error; PowerShell may have failed to start.',
        cause,
        details: { exitCode, stdoutTail: stdout.slice(-STDOUT_TAIL_CHARS), stderr: stderrTail },
      },
    );
  };

  const end = stdout.lastIndexOf(END_MARKER);
  if (end < 0) throw fail('no result marker in its output');
  const start = stdout.lastIndexOf(RESULT_MARKER, end);
  if (start < 0) throw fail('an end marker without a result marker');
  const json = stdout.slice(start + RESULT_MARKER.length, end);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw fail('the result is not valid JSON', error);
  }
  const parsed = outcomeSchema.safeParse(value);
  if (!parsed.success) throw fail('the result does not have the { ok, data | error } shape', parsed.error);
  const meta = parsed.data.meta;
  const warnings = meta?.warnings !== undefined && meta.warnings.length > 0 ? { warnings: meta.warnings } : {};
  if (parsed.data.ok) return { outcome: { ok: true, data: parsed.data.data ?? null, ...warnings }, meta };
  const { code, message, category } = parsed.data.error;
  return { outcome: { ok: false, error: category === undefined ? { code, message } : { code, message, category }, ...warnings }, meta };
}

function firstLine(text: string): string {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
