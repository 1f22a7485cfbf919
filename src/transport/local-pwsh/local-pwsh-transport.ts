/**
 * The local-pwsh transport: execa runs `pwsh` or `powershell.exe` on the management host, which reaches the
 * node with Invoke-Command under the signed-in Windows identity (Kerberos on a domain-joined admin PC), or,
 * for `localhost`/`.` when asked, runs the bootstrap directly. Same bootstrap and JSON contract as WinRM.
 * Depends on execa, node:fs/path, errors and the bootstrap; never on core, cli or the simulator.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import { AppError, ExitCode, connectionError } from '../../errors.js';
import { abortReason, systemClock, type Clock } from '../../platform/clock.js';
import { readAsset } from '../../platform/assets.js';
import {
  BOOTSTRAP_SCRIPT,
  POWERSHELL_SWITCHES,
  asciiJson,
  encodeCommand,
  encodePayload,
  withNetworkCredential,
  minifiedBootstrap,
  minifyPowerShell,
  parseBootstrapOutput,
} from '../bootstrap.js';
import { TransportErrorCode, type RunOptions, type ScriptInvocation, type ScriptOutcome, type Transport } from '../transport.js';

/** The wrapper's text, byte for byte `remote-wrapper.ps1`. */
export const REMOTE_WRAPPER_SCRIPT: string = readAsset(new URL('./remote-wrapper.ps1', import.meta.url));

/** Names looked up on PATH, in order: PowerShell 7 first, then Windows PowerShell. */
export const POWERSHELL_NAMES: readonly string[] = ['pwsh', 'powershell.exe'];

export interface LocalPwshTransportOptions {
  /** Path of the PowerShell executable; when absent, `pwsh` then `powershell.exe` are looked up on PATH. */
  executable?: string;
  /**
   * For node `localhost` or `.`, run the bootstrap in the local PowerShell instead of going through
   * Invoke-Command (which needs WinRM enabled on this machine). @default false
   */
  runLocalhostDirectly?: boolean;
  /** PowerShell session configuration for Invoke-Command (`-ConfigurationName`). @default the endpoint default */
  configurationName?: string;
  /** Environment for the PATH lookup; the child gets only its CHILD_ENV_ALLOWED part. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Platform, for the PATH lookup (PATHEXT on Windows) and how a process tree is killed. @default process.platform */
  platform?: NodeJS.Platform;
  /** Clock for `timeoutMs`. @default systemClock */
  clock?: Clock;
}

/**
 * The variables PowerShell on this host is given: what it needs to start, find its modules, reach a node as
 * the signed-in identity (Kerberos' ticket cache and configuration) and trust TLS, and nothing else. cauctl's
 * own secrets (CAUCTL_PASSWORD, CAUCTL_WEBHOOK_URL), tokens and keys of other tools, and proxy URLs that can
 * carry a password stay out of the child: an environment is readable by the process, its children and, on some
 * systems, other processes of the same user. Values the node needs travel on stdin as data. Names compare
 * case-insensitively, as Windows does.
 */
export const CHILD_ENV_ALLOWED: readonly string[] = [
  // where things are, who is signed in
  'PATH', 'PATHEXT', 'HOME', 'USER', 'LOGNAME', 'USERNAME', 'USERDOMAIN', 'USERDNSDOMAIN', 'USERPROFILE', 'HOMEDRIVE', 'HOMEPATH',
  'TMPDIR', 'TEMP', 'TMP', 'LANG', 'LANGUAGE', 'TZ', 'TERM',
  'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME', 'XDG_RUNTIME_DIR',
  // Windows itself
  'SYSTEMROOT', 'WINDIR', 'SYSTEMDRIVE', 'COMSPEC', 'APPDATA', 'LOCALAPPDATA', 'PROGRAMDATA', 'PROGRAMFILES', 'PROGRAMFILES(X86)',
  'PROGRAMW6432', 'COMMONPROGRAMFILES', 'COMMONPROGRAMFILES(X86)', 'COMMONPROGRAMW6432', 'PUBLIC', 'ALLUSERSPROFILE', 'COMPUTERNAME',
  'LOGONSERVER', 'NUMBER_OF_PROCESSORS', 'OS', 'PROCESSOR_ARCHITECTURE', 'PROCESSOR_IDENTIFIER', 'PROCESSOR_LEVEL', 'PROCESSOR_REVISION',
  // PowerShell and the .NET runtime under it
  'PSMODULEPATH', 'POWERSHELL_TELEMETRY_OPTOUT', 'POWERSHELL_UPDATECHECK', 'DOTNET_ROOT', 'DOTNET_ROOT(X86)', 'DOTNET_CLI_TELEMETRY_OPTOUT',
  'DOTNET_NOLOGO', 'DOTNET_SYSTEM_GLOBALIZATION_INVARIANT', 'DOTNET_BUNDLE_EXTRACT_BASE_DIR',
  // the signed-in identity's Kerberos (a ticket cache path, not a secret by itself) and TLS trust
  'KRB5CCNAME', 'KRB5_CONFIG', 'SSL_CERT_FILE', 'SSL_CERT_DIR',
];
const ALLOWED = new Set(CHILD_ENV_ALLOWED);
const LOCALE = /^LC_(ALL|CTYPE|NUMERIC|TIME|COLLATE|MONETARY|MESSAGES|PAPER|NAME|ADDRESS|TELEPHONE|MEASUREMENT|IDENTIFICATION)$/;

/** `env` reduced to CHILD_ENV_ALLOWED and the POSIX locale variables (LC_ALL, LC_CTYPE...). */
export function childEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const child: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    const upper = name.toUpperCase();
    if (ALLOWED.has(upper) || LOCALE.test(upper)) child[name] = value;
  }
  return child;
}

/** Kills a process and everything it started; best effort, since it may have ended already. */
export function killProcessTree(pid: number | undefined, platform: NodeJS.Platform): void {
  if (pid === undefined) return;
  if (platform === 'win32') {
    execa('taskkill', ['/pid', String(pid), '/T', '/F'], { reject: false, windowsHide: true }).catch(() => undefined);
    return;
  }
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // the group is gone already
  }
}

/** Finds `name` on PATH the way a shell would; undefined when absent. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string | undefined {
  const pathValue = env['PATH'] ?? env['Path'] ?? '';
  const separator = platform === 'win32' ? ';' : delimiter;
  const extensions =
    platform === 'win32' && !/\.[a-z0-9]+$/i.test(name) ? (env['PATHEXT'] ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of pathValue.split(separator)) {
    if (dir === '') continue;
    for (const ext of extensions) {
      const candidate = join(dir, name + ext);
      try {
        accessSync(candidate, platform === 'win32' ? constants.F_OK : constants.X_OK);
        return candidate;
      } catch {
        // not in this directory; keep looking
      }
    }
  }
  return undefined;
}

function notFound(detail: string): AppError {
  return new AppError(
    'LOCAL_PWSH_NOT_FOUND',
    ExitCode.connection,
    `The local-pwsh transport needs PowerShell on this machine, and ${detail}.`,
    {
      hint:
        'Install PowerShell 7 (pwsh), for example with `dotnet tool install --global PowerShell`, your package ' +
        'manager, or the MSI from Microsoft; Windows already has powershell.exe. Or give the path to the executable, ' +
        'or use the winrm transport, which needs no PowerShell here.',
    },
  );
}

export class LocalPwshTransport implements Transport {
  readonly name = 'local-pwsh';
  private readonly options: LocalPwshTransportOptions;
  private resolved: string | undefined;

  constructor(options: LocalPwshTransportOptions = {}) {
    this.options = options;
  }

  /** The PowerShell executable this transport runs, looked up once. */
  executable(): string {
    if (this.resolved !== undefined) return this.resolved;
    const explicit = this.options.executable;
    if (explicit !== undefined) {
      try {
        accessSync(explicit, constants.F_OK);
      } catch {
        throw notFound(`the given executable '${explicit}' does not exist`);
      }
      this.resolved = explicit;
      return explicit;
    }
    const env = this.options.env ?? process.env;
    const platform = this.options.platform ?? process.platform;
    for (const name of POWERSHELL_NAMES) {
      const found = findOnPath(name, env, platform);
      if (found !== undefined) {
        this.resolved = found;
        return found;
      }
    }
    throw notFound(`neither ${POWERSHELL_NAMES.join(' nor ')} is on PATH`);
  }

  /** The argv and stdin for one invocation on `node` (exposed for tests and `--what-if` style output). */
  commandFor(node: string, invocation: ScriptInvocation): { command: string; args: string[]; input: Buffer } {
    const command = this.executable();
    // The signed-in identity has no password to hand over: operations that need network credentials run in
    // the session and say so where they are denied.
    const payload = encodePayload(withNetworkCredential(invocation, null));
    if (this.isDirect(node)) {
      return { command, args: [...POWERSHELL_SWITCHES, '-EncodedCommand', encodeCommand(minifiedBootstrap())], input: payload };
    }
    const envelope = {
      computerName: node,
      configurationName: this.options.configurationName ?? null,
      bootstrap: BOOTSTRAP_SCRIPT,
      payload: payload.toString('utf8'),
    };
    return {
      command,
      args: [...POWERSHELL_SWITCHES, '-EncodedCommand', encodeCommand(minifyPowerShell(REMOTE_WRAPPER_SCRIPT))],
      input: Buffer.from(asciiJson(envelope), 'utf8'),
    };
  }

  async run(node: string, invocation: ScriptInvocation, options: RunOptions = {}): Promise<ScriptOutcome> {
    const { command, args, input } = this.commandFor(node, invocation);
    const { signal, timeoutMs } = options;
    if (signal?.aborted) throw abortReason(signal);
    const platform = this.options.platform ?? process.platform;
    const clock = this.options.clock ?? systemClock;
    // A dotnet-tool pwsh is a launcher with the real PowerShell as its child, and killing the launcher
    // leaves the child holding stdout open: so the child runs in its own process group and the whole
    // group is killed on timeout or abort (taskkill /T on Windows).
    const subprocess = execa(command, args, {
      input,
      reject: false,
      stripFinalNewline: false,
      windowsHide: true,
      detached: platform !== 'win32',
      env: childEnvironment(this.options.env ?? process.env),
      extendEnv: false,
    });
    let stoppedBy: 'timeout' | 'abort' | undefined;
    const stop = (why: 'timeout' | 'abort'): void => {
      if (stoppedBy !== undefined) return;
      stoppedBy = why;
      killProcessTree(subprocess.pid, platform);
    };
    const onAbort = (): void => stop('abort');
    signal?.addEventListener('abort', onAbort, { once: true });
    const timerControl = new AbortController();
    if (timeoutMs !== undefined) {
      clock.sleep(timeoutMs, timerControl.signal).then(
        () => stop('timeout'),
        () => undefined,
      );
    }
    let result;
    try {
      result = await subprocess;
    } finally {
      timerControl.abort();
      signal?.removeEventListener('abort', onAbort);
    }
    if (stoppedBy === 'abort' && signal !== undefined) throw abortReason(signal);
    if (stoppedBy === 'timeout') {
      throw connectionError(TransportErrorCode.timeout, `${invocation.name} on ${node} did not finish within ${timeoutMs} ms.`, {
        hint: 'The node may be busy or unreachable; the operation is safe to retry.',
        transient: true,
      });
    }
    const code = (result as { code?: string }).code;
    if (result.failed && (code === 'ENOENT' || /ENOENT/.test(String(result.message)))) {
      throw notFound(`'${command}' could not be started`);
    }
    const outcome = parseBootstrapOutput(String(result.stdout), String(result.stderr), result.exitCode ?? null);
    if (!outcome.ok && (outcome.error.code === TransportErrorCode.unreachable || outcome.error.code === TransportErrorCode.authRefused)) {
      throw connectionError(outcome.error.code, `${node}: ${outcome.error.message}`, {
        hint:
          outcome.error.code === TransportErrorCode.authRefused
            ? 'Check that the signed-in account is an administrator on the node, or use the winrm transport with --username.'
            : 'Check that the node is up and that WinRM (PowerShell remoting) is enabled on it.',
        transient: outcome.error.code === TransportErrorCode.unreachable,
      });
    }
    return outcome;
  }

  async close(): Promise<void> {
    // One process per call: nothing stays open.
  }

  private isDirect(node: string): boolean {
    return this.options.runLocalhostDirectly === true && (node.toLowerCase() === 'localhost' || node === '.');
  }
}

export function createLocalPwshTransport(options: LocalPwshTransportOptions = {}): LocalPwshTransport {
  return new LocalPwshTransport(options);
}
