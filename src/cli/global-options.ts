/**
 * Global options shared by every command, and the one function that resolves them (with env fallbacks such
 * as NO_COLOR and CAUCTL_PASSWORD) into a readonly GlobalProfile.
 */
import { statSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { usageError } from '../errors.js';
import { checkCaFile } from './ca-file.js';
import { availableTransports, type TransportName } from '../transport/factory.js';
import type { OutputFormat } from '../output/result.js';
import type { CliIo } from './io.js';

export type { OutputFormat };

export interface GlobalProfile {
  readonly output: OutputFormat;
  readonly color: boolean;
  readonly verbose: boolean;
  readonly transport: TransportName;
  /** `--simulate` alone: true (built-in model); with a file: its path. */
  readonly simulate: string | true | undefined;
  readonly simSpeed: number | 'max';
  readonly simReset: boolean;
  readonly clusterName: string | undefined;
  readonly username: string | undefined;
  readonly passwordFile: string | undefined;
  readonly port: number | undefined;
  readonly useSsl: boolean;
  readonly authentication: 'Negotiate' | 'Ntlm' | 'Basic' | 'Kerberos';
  readonly caFile: string | undefined;
  readonly insecureSkipTlsVerify: boolean;
  readonly allowUnencrypted: boolean;
  readonly nodeAddresses: readonly string[];
  readonly pwshPath: string | undefined;
  /** How operations reach PowerShell over WinRM. @default 'per-operation' */
  readonly winrmMode: 'per-operation' | 'persistent';
  /** IdleTimeOut asked for each WinRM shell, in minutes. @default 30 */
  readonly winrmIdleTimeoutMinutes: number;
  /** `--record <dir>`: every operation and its reply are written there (docs/recordings.md). */
  readonly record: string | undefined;
  /** `--replay <dir>`: the recording `--transport replay` answers from. */
  readonly replay: string | undefined;
  /** `--anonymize`: cluster, node and role names replaced consistently (recordings, snapshot). */
  readonly anonymize: boolean;
}

export function addGlobalOptions(program: Command): Command {
  return program
    .option('--json', 'write one JSON document to stdout at the end (same as --output json)')
    .addOption(new Option('--output <format>', 'output format').choices(['human', 'json', 'ndjson']))
    .option('--no-color', 'no colours (NO_COLOR is respected too)')
    .option('--verbose', 'more detail, and stack traces for errors')
    .addOption(new Option('--transport <name>', 'how nodes are reached').choices(availableTransports()))
    .option('--simulate [file]', 'use the rehearsal model: the built-in 4-node S2D cluster, or a fixture file')
    .option('--sim-speed <factor|max>', 'virtual seconds per real second in simulation, or max', 'max')
    .option('--sim-reset', 'start the simulated cluster again from its fixture')
    .option('--cluster-name <name>', 'the cluster to act on (its name or one node)')
    .option('--username <user>', 'account for WinRM (DOMAIN\\user); the password comes from CAUCTL_PASSWORD, --password-file or a prompt')
    .option('--password-file <path>', 'read the password from this file (first line); it must be readable by you only (chmod 600)')
    .option('--allow-insecure-password-file', 'accept a --password-file that other users can read')
    .option('--port <n>', 'WinRM port (default 5985, or 5986 with --use-ssl)')
    .option('--use-ssl', 'WinRM over HTTPS')
    .addOption(new Option('--authentication <mechanism>', 'WinRM authentication').choices(['Negotiate', 'Ntlm', 'Basic', 'Kerberos']).default('Negotiate'))
    .option('--ca-file <path>', 'trust the CA certificates (PEM) in this file for HTTPS, instead of the built-in roots; checked before any connection')
    .option('--insecure-skip-tls-verify', 'do not verify the HTTPS certificate (dangerous)')
    .option('--allow-unencrypted', 'allow Basic authentication over plain HTTP (the password crosses the network in clear)')
    .addOption(new Option('--node-address <name=host[:port]>', 'reach a node (or the cluster name) at this address; repeat per node').argParser((v: string, prev: string[] = []) => [...prev, v]))
    .addOption(new Option('--winrm-mode <mode>', 'per-operation: one powershell.exe per operation (default); persistent: one per node for every operation').choices(['per-operation', 'persistent']).default('per-operation'))
    .option('--winrm-idle-timeout <minutes>', 'the node closes a WinRM shell idle this long (a crashed cauctl leaves nothing behind for longer)', '30')
    .option('--pwsh-path <path>', 'PowerShell executable for --transport local-pwsh (default: pwsh, then powershell.exe on PATH)')
    .option('--record <dir>', 'write every operation, its parameters and its reply to this folder, one JSON-lines file per node (secrets left out)')
    .option('--replay <dir>', 'with --transport replay: answer every operation from the recording in this folder')
    .option('--anonymize', 'with --record (and snapshot): replace cluster, node and role names consistently, to share the file');
}

interface RawGlobals {
  json?: boolean;
  output?: OutputFormat;
  color?: boolean;
  verbose?: boolean;
  transport?: string;
  simulate?: string | boolean;
  simSpeed?: string;
  simReset?: boolean;
  clusterName?: string;
  username?: string;
  passwordFile?: string;
  allowInsecurePasswordFile?: boolean;
  port?: string;
  useSsl?: boolean;
  authentication?: GlobalProfile['authentication'];
  caFile?: string;
  insecureSkipTlsVerify?: boolean;
  allowUnencrypted?: boolean;
  nodeAddress?: string[];
  pwshPath?: string;
  winrmMode?: 'per-operation' | 'persistent';
  winrmIdleTimeout?: string;
  record?: string;
  replay?: string;
  anonymize?: boolean;
}

export function parseSimSpeed(text: string): number | 'max' {
  if (text === 'max') return 'max';
  if (!/^\d+(\.\d+)?$/.test(text) || Number(text) <= 0) {
    throw usageError('USAGE_SIM_SPEED', `--sim-speed must be a positive number or max (got ${JSON.stringify(text)}).`, {
      hint: 'For example --sim-speed 60 (one virtual minute per second) or --sim-speed max.',
    });
  }
  return Number(text);
}

export function resolveGlobals(raw: RawGlobals, io: CliIo): GlobalProfile {
  if (raw.json && raw.output !== undefined && raw.output !== 'json') {
    throw usageError('USAGE_CONFLICT', `--json and --output ${raw.output} conflict.`);
  }
  const output: OutputFormat = raw.json ? 'json' : (raw.output ?? 'human');
  const simulate = raw.simulate === true ? true : typeof raw.simulate === 'string' ? raw.simulate : undefined;
  const transport = (raw.transport ?? (simulate !== undefined ? 'simulator' : raw.replay !== undefined ? 'replay' : 'winrm')) as TransportName;
  if ((transport === 'replay') !== (raw.replay !== undefined)) {
    throw usageError('USAGE_REPLAY', transport === 'replay' ? '--transport replay needs --replay <dir>, the folder a --record run wrote.' : `--replay and --transport ${transport} conflict.`, {
      hint: 'For example: cauctl run --transport replay --replay ./recording --force --json',
    });
  }
  if (simulate !== undefined && transport !== 'simulator') {
    throw usageError('USAGE_CONFLICT', `--simulate and --transport ${raw.transport} conflict.`, {
      hint: '--simulate uses the simulator transport; leave --transport out.',
    });
  }
  if (!availableTransports().includes(transport)) {
    throw usageError('USAGE_TRANSPORT', `--transport ${transport} is not available in this build (available: ${availableTransports().join(', ')}).`);
  }
  let port: number | undefined;
  if (raw.port !== undefined) {
    if (!/^\d+$/.test(raw.port) || Number(raw.port) < 1 || Number(raw.port) > 65535) {
      throw usageError('USAGE_PORT', `--port must be an integer from 1 to 65535 (got ${JSON.stringify(raw.port)}).`);
    }
    port = Number(raw.port);
  }
  if (raw.clusterName !== undefined && /^\.{1,2}$|^\s*$/.test(raw.clusterName)) {
    throw usageError('USAGE_CLUSTER_NAME', `--cluster-name ${JSON.stringify(raw.clusterName)} is not a cluster name.`, {
      hint: 'Name the cluster (or one of its nodes), for example --cluster-name HCI01.',
    });
  }
  if (raw.passwordFile !== undefined && io.platform !== 'win32' && raw.allowInsecurePasswordFile !== true) {
    let mode: number | undefined;
    try {
      mode = statSync(raw.passwordFile).mode;
    } catch (error) {
      throw usageError('PASSWORD_FILE_UNREADABLE', `The password file ${raw.passwordFile} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, {
        hint: 'Check the path and its permissions (it should be readable by you only: chmod 600).',
      });
    }
    if ((mode & 0o077) !== 0) {
      throw usageError('PASSWORD_FILE_INSECURE', `The password file ${raw.passwordFile} can be read by other users (mode ${(mode & 0o777).toString(8)}); it was not read.`, {
        hint: `Make it yours only with: chmod 600 ${raw.passwordFile}   (or accept the risk with --allow-insecure-password-file)`,
      });
    }
  }
  if (raw.caFile !== undefined) checkCaFile(raw.caFile);
  const color = raw.color !== false && io.env.NO_COLOR === undefined && output === 'human';
  return {
    output,
    color,
    verbose: raw.verbose === true,
    transport,
    simulate,
    simSpeed: parseSimSpeed(raw.simSpeed ?? 'max'),
    simReset: raw.simReset === true,
    clusterName: raw.clusterName,
    username: raw.username,
    passwordFile: raw.passwordFile,
    port,
    useSsl: raw.useSsl === true,
    authentication: raw.authentication ?? 'Negotiate',
    caFile: raw.caFile,
    insecureSkipTlsVerify: raw.insecureSkipTlsVerify === true,
    allowUnencrypted: raw.allowUnencrypted === true,
    nodeAddresses: raw.nodeAddress ?? [],
    pwshPath: raw.pwshPath,
    winrmMode: raw.winrmMode ?? 'per-operation',
    winrmIdleTimeoutMinutes: parseIdleTimeout(raw.winrmIdleTimeout ?? '30'),
    record: raw.record,
    replay: raw.replay,
    anonymize: raw.anonymize === true,
  };
}

function parseIdleTimeout(text: string): number {
  // WinRM accepts IdleTimeOut up to its MaxTimeoutms-independent shell limit; keep it sane: 1 minute to 1 day.
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 1440) {
    throw usageError('USAGE_WINRM_IDLE_TIMEOUT', `--winrm-idle-timeout must be a whole number of minutes from 1 to 1440 (got ${JSON.stringify(text)}).`, {
      hint: 'For example --winrm-idle-timeout 30.',
    });
  }
  return Number(text);
}
