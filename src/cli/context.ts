/**
 * Builds what a command needs to act on a cluster (the Deps of STYLE.md §6): clocks, the gateway over the
 * chosen transport, the simulator when rehearsing, the state directory, the theme. Built once per command.
 */
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { ClusterGateway } from '../cluster/gateway.js';
import { LOCK_PROPERTY, describeOwner, lockLiveness, parseLock, type HeartbeatObservation, type HeartbeatObservations, type LockOwner } from '../core/cluster-lock.js';
import { refusedError, usageError } from '../errors.js';
import { FileJournal, type FileJournalOptions } from '../journal/journal.js';
import type { Clock } from '../platform/clock.js';
import { systemClock } from '../platform/clock.js';
import { encodePathSegment, readTextIfExists, resolveStateDir, securePrivateStateDir, writeFileAtomic } from '../platform/fs.js';
import { machineIdFor } from '../platform/machine-id.js';
import { createResultEnv, type ResultEnv } from '../output/result.js';
import { lineSafe } from '../output/sanitize.js';
import { terminalWidth } from '../output/table.js';
import { wrapText } from '../output/wrap.js';
import { createTheme, type Theme } from '../output/theme.js';
import type { Simulator } from '../sim/index.js';
import { createLocalPwshTransport, createWinRmTransport, openReplay, openSimulatorTransport } from '../transport/factory.js';
import type { Transport } from '../transport/transport.js';
import { endpointResolver, passwordSource } from './credentials.js';
import type { GlobalProfile } from './global-options.js';
import type { CliIo } from './io.js';
import { SecretList, withRecording } from './recording.js';

export interface ClusterContext {
  readonly io: CliIo;
  readonly globals: GlobalProfile;
  readonly theme: Theme;
  readonly stateDir: string;
  /** The run's clock: virtual in simulation. */
  readonly clock: Clock;
  readonly wallClock: Clock;
  readonly gateway: ClusterGateway;
  readonly sim: Simulator | undefined;
  /** Where cluster-wide operations go: the cluster name. */
  readonly entry: string;
  readonly owner: LockOwner;
  close(): Promise<void>;
}

/** Wraps the command's transport, given the entry (the cluster name) and the state directory. */
export type EntryTransport = (transport: Transport, entry: string, stateDir: string) => Transport;

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function currentOwner(stateDir?: string): LockOwner {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // Containers without a passwd entry: keep 'unknown'.
  }
  const machineId = stateDir === undefined ? undefined : machineIdFor(stateDir);
  return { host: hostname(), user, pid: process.pid, ...(machineId !== undefined ? { machineId } : {}) };
}

/**
 * What this host saw of another host's lock heartbeat, kept in the state directory between invocations, so
 * that "dead" means "unchanged for a lease on this host's clock" (see lockLiveness).
 */
export function heartbeatObservations(stateDir: string, clusterName: string): HeartbeatObservations {
  const path = join(stateDir, 'locks', `${encodePathSegment(clusterName.toUpperCase())}.json`);
  return {
    load() {
      try {
        const parsed = JSON.parse(readTextIfExists(path) ?? 'null') as HeartbeatObservation | null;
        return parsed !== null && typeof parsed.heartbeatAt === 'string' && typeof parsed.sinceMs === 'number' ? parsed : undefined;
      } catch {
        return undefined;
      }
    },
    save(observation) {
      writeFileAtomic(path, `${JSON.stringify(observation)}\n`);
    },
  };
}

/** `--sim-reset` would wipe a live run's lock and the cluster under it: refused while a live run holds it. */
function refuseResetUnderLiveRun(readProperty: (name: string) => string | null, globals: GlobalProfile, stateDir: string): void {
  const lock = parseLock(readProperty(LOCK_PROPERTY));
  if (lock === null) return;
  const owner = currentOwner(stateDir);
  if (!lockLiveness(lock, systemClock.now(), { owner, isProcessAlive }).live) return;
  const simulate = typeof globals.simulate === 'string' ? `--simulate ${globals.simulate}` : '--simulate';
  throw refusedError('SIM_RESET_LOCKED', `--sim-reset refused: a live run holds the simulated cluster's lock (${describeOwner(lock)}). Nothing was reset.`, {
    hint: `Stop that run first with cauctl stop-run ${simulate}, or wait for it: cauctl get-run ${simulate} --wait-for-completion`,
    details: { runId: lock.runId },
  });
}

export function themeFor(globals: GlobalProfile, io: CliIo): Theme {
  return createTheme(globals.color && io.stderr.isTTY);
}

/** Progress for people, on stderr: written in human mode only, so machine output stays alone on its streams. */
export function progressFor(globals: GlobalProfile, io: CliIo): (line: string) => void {
  return (line) => {
    if (globals.output !== 'human') return;
    const safe = lineSafe(line);
    io.stderr.write(`${io.stderr.isTTY ? wrapText(safe, terminalWidth(io.stderr.columns, io.env)) : safe}\n`);
  };
}

/** Where a command's result goes (output/result.ts): the output mode, stdout, its colours and width. */
export function resultEnvFor(globals: GlobalProfile, io: CliIo): ResultEnv {
  return createResultEnv({ format: globals.output, color: globals.color, stdout: io.stdout, env: io.env });
}

/**
 * The state directory for this command, made the user's only first (platform/fs.ts securePrivateStateDir):
 * tightened, with a notice on stderr, when an older cauctl left it readable by others; refused when it is not
 * cauctl's alone to change.
 */
export function privateStateDir(io: CliIo): string {
  const stateDir = resolveStateDir(io.env as NodeJS.ProcessEnv, io.platform);
  const tightened = securePrivateStateDir(stateDir, io.platform);
  if (tightened !== undefined) {
    const notice = `cauctl: the state directory ${stateDir} could be read by other users (mode ${tightened.tightenedFrom.toString(8)}); it is now yours only (folders 700, files 600).`;
    io.stderr.write(`${io.stderr.isTTY ? wrapText(notice, terminalWidth(io.stderr.columns, io.env)) : notice}\n`);
  }
  return stateDir;
}

/**
 * `readOnly`: a watcher beside a live run (get-run, stop-run) that must never write the simulated model.
 * `anonymizesOutput`: the command applies `--anonymize` to its own output (snapshot), not only to `--record`.
 */
export async function openCluster(globals: GlobalProfile, io: CliIo, options: { readOnly?: boolean; anonymizesOutput?: boolean; entryTransport?: EntryTransport } = {}): Promise<ClusterContext> {
  // clusterless-run: what is sent to the entry is answered by the run's local state (clusterless-state.ts).
  const outer = (transport: Transport, entry: string, stateDir: string): Transport => options.entryTransport?.(transport, entry, stateDir) ?? transport;
  const stateDir = privateStateDir(io);
  const theme = themeFor(globals, io);
  if (globals.anonymize && globals.record === undefined && options.anonymizesOutput !== true) {
    throw usageError('USAGE_ANONYMIZE', '--anonymize applies to a recording (--record <dir>) or to snapshot; this command writes neither.', {
      hint: 'Add --record <dir> to record this command with names replaced, or leave --anonymize out.',
    });
  }
  // Secrets this process holds, so that a recording never carries them (a password joins once it is read).
  const secrets = new SecretList();
  secrets.add(io.env.CAUCTL_PASSWORD);
  const warn = (message: string): void => void io.stderr.write(`cauctl: warning: ${message}\n`);
  if (globals.transport === 'simulator') {
    const sim = await openSimulatorTransport({
      ...(typeof globals.simulate === 'string' ? { fixturePath: globals.simulate } : {}),
      stateDir,
      speed: globals.simSpeed,
      reset: globals.simReset,
      resetGuard: (readProperty) => refuseResetUnderLiveRun(readProperty, globals, stateDir),
      readOnly: options.readOnly === true,
    });
    if (globals.clusterName !== undefined && globals.clusterName.toUpperCase() !== sim.clusterName.toUpperCase()) {
      throw usageError('USAGE_CLUSTER_NAME', `--cluster-name ${globals.clusterName} does not match the simulated cluster ${sim.clusterName}.`, {
        hint: 'Leave --cluster-name out when simulating, or use the fixture of that cluster.',
      });
    }
    const gateway = new ClusterGateway(outer(await withRecording(sim.transport, globals, { clock: sim.clock, entry: sim.clusterName, secrets, warn }), sim.clusterName, stateDir));
    return {
      io,
      globals,
      theme,
      stateDir,
      clock: sim.clock,
      wallClock: systemClock,
      gateway,
      sim,
      entry: sim.clusterName,
      owner: currentOwner(stateDir),
      // The model saves itself after every change; saving here could overwrite a live run's state
      // from a second process (get-run, stop-run).
      close: () => gateway.close(),
    };
  }
  if (globals.transport === 'replay') {
    const replay = await openReplay(globals.replay!);
    const entry = globals.clusterName ?? replay.entry;
    if (entry === null) {
      throw usageError('USAGE_CLUSTER_NAME', `--cluster-name is required: the recording in ${replay.dir} does not say which cluster it was made on.`, {
        hint: 'Give the cluster name the recording was made with (its files are named after the nodes and the cluster).',
      });
    }
    const gateway = new ClusterGateway(outer(await withRecording(replay, globals, { clock: replay.clock, entry, secrets, warn }), entry, stateDir));
    const close = async (): Promise<void> => {
      await gateway.close();
      // A shorter run than the recorded one is worth knowing: the replay may have missed a divergence.
      const unused = replay.unused();
      if (unused.length > 0) {
        const count = unused.reduce((sum, u) => sum + u.count, 0);
        io.stderr.write(`cauctl: warning: the replay left ${count} recorded operation(s) unasked (${unused.map((u) => `${u.node}: ${u.count}, first ${u.first}`).join('; ')}); this command asked less than the recorded one.\n`);
      }
    };
    return { io, globals, theme, stateDir, clock: replay.clock, wallClock: systemClock, gateway, sim: undefined, entry, owner: currentOwner(stateDir), close };
  }
  if (globals.clusterName === undefined) {
    throw usageError('USAGE_CLUSTER_NAME', `--cluster-name is required with --transport ${globals.transport}.`, {
      hint: 'Name the cluster (or one of its nodes), or rehearse on the simulator with --simulate.',
    });
  }
  let transport: Transport;
  if (globals.transport === 'winrm') {
    if (globals.username === undefined && globals.authentication !== 'Kerberos') {
      throw usageError('USAGE_USERNAME', `--username is required for ${globals.authentication} authentication.`, {
        hint: 'For example --username CONTOSO\\admin; the password then comes from CAUCTL_PASSWORD, --password-file or a prompt.',
      });
    }
    if (globals.authentication === 'Basic' && !globals.useSsl && !globals.allowUnencrypted) {
      throw usageError('USAGE_BASIC_OVER_HTTP', 'Basic authentication over plain HTTP would send the password in clear; it is refused.', {
        hint: 'Use --use-ssl (HTTPS, port 5986), or Negotiate (NTLM with message encryption), or accept the risk with --allow-unencrypted.',
      });
    }
    if (globals.authentication === 'Kerberos' && !globals.useSsl) {
      throw usageError('USAGE_KERBEROS_OVER_HTTP', 'Kerberos is supported over HTTPS only: message encryption for Kerberos over plain HTTP needs gss_wrap_iov, which no Node package offers.', {
        hint: 'Add --use-ssl (port 5986), or use Negotiate (NTLM with message encryption) over HTTP.',
      });
    }
    if (globals.insecureSkipTlsVerify) {
      io.stderr.write('cauctl: WARNING: --insecure-skip-tls-verify: the node certificates are NOT verified; anyone on the path can read and change this session, credentials included.\n');
    }
    transport = await createWinRmTransport({
      ...(globals.port !== undefined ? { port: globals.port } : {}),
      useSsl: globals.useSsl,
      authentication: globals.authentication,
      username: globals.username ?? '',
      password: secrets.watch(passwordSource(globals, io)),
      ...(globals.caFile !== undefined ? { caFile: globals.caFile } : {}),
      insecureSkipTlsVerify: globals.insecureSkipTlsVerify,
      allowUnencrypted: globals.allowUnencrypted,
      resolveEndpoint: endpointResolver(globals.nodeAddresses),
      mode: globals.winrmMode,
      idleTimeoutSeconds: globals.winrmIdleTimeoutMinutes * 60,
      ...(globals.verbose ? { logger: { debug: (message: string) => io.stderr.write(`winrm: ${message}\n`) } } : {}),
    });
  } else {
    if (globals.username !== undefined) {
      io.stderr.write(`cauctl: warning: --username ${globals.username} has no effect with --transport local-pwsh: it uses the signed-in Windows identity.\n`);
    }
    transport = await createLocalPwshTransport({ env: io.env as NodeJS.ProcessEnv, ...(globals.pwshPath ? { executable: globals.pwshPath } : {}) });
  }
  const gateway = new ClusterGateway(outer(await withRecording(transport, globals, { clock: systemClock, entry: globals.clusterName, secrets, warn }), globals.clusterName, stateDir));
  return {
    io,
    globals,
    theme,
    stateDir,
    clock: systemClock,
    wallClock: systemClock,
    gateway,
    sim: undefined,
    entry: globals.clusterName,
    owner: currentOwner(stateDir),
    close: () => gateway.close(),
  };
}

/**
 * The journal at `path` for a command that changes the cluster: each record fsync'd on a real cluster; in a
 * rehearsal, kept as the simulated cluster is, against a killed process (FileJournalOptions.durability).
 */
export function openJournal(ctx: Pick<ClusterContext, 'sim'>, path: string, options: Omit<FileJournalOptions, 'durability'> = {}): FileJournal {
  return new FileJournal(path, { ...options, durability: ctx.sim === undefined ? 'power-cut' : 'process-crash' });
}
