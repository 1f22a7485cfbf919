/**
 * Builds what a command needs to act on a cluster (the Deps of STYLE.md §6): clocks, the gateway over the
 * chosen transport, the simulator when rehearsing, the state directory, the theme. Built once per command.
 */
import { hostname, userInfo } from 'node:os';
import { ClusterGateway } from '../cluster/gateway.js';
import type { LockOwner } from '../core/cluster-lock.js';
import { usageError } from '../errors.js';
import type { Clock } from '../platform/clock.js';
import { systemClock } from '../platform/clock.js';
import { resolveStateDir } from '../platform/fs.js';
import { createTheme, type Theme } from '../output/theme.js';
import type { Simulator } from '../sim/index.js';
import { openSimulatorTransport } from '../transport/factory.js';
import type { GlobalProfile } from './global-options.js';
import type { CliIo } from './io.js';

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

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function currentOwner(): LockOwner {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // Containers without a passwd entry: keep 'unknown'.
  }
  return { host: hostname(), user, pid: process.pid };
}

export function themeFor(globals: GlobalProfile, io: CliIo): Theme {
  return createTheme(globals.color && io.stderr.isTTY);
}

/** `readOnly`: a watcher beside a live run (get-run, stop-run) that must never write the simulated model. */
export async function openCluster(globals: GlobalProfile, io: CliIo, options: { readOnly?: boolean } = {}): Promise<ClusterContext> {
  const stateDir = resolveStateDir(io.env as NodeJS.ProcessEnv, io.platform);
  const theme = themeFor(globals, io);
  if (globals.transport === 'simulator') {
    const sim = await openSimulatorTransport({
      ...(typeof globals.simulate === 'string' ? { fixturePath: globals.simulate } : {}),
      stateDir,
      speed: globals.simSpeed,
      reset: globals.simReset,
      readOnly: options.readOnly === true,
    });
    if (globals.clusterName !== undefined && globals.clusterName.toUpperCase() !== sim.clusterName.toUpperCase()) {
      throw usageError('USAGE_CLUSTER_NAME', `--cluster-name ${globals.clusterName} does not match the simulated cluster ${sim.clusterName}.`, {
        hint: 'Leave --cluster-name out when simulating, or use the fixture of that cluster.',
      });
    }
    const gateway = new ClusterGateway(sim.transport);
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
      owner: currentOwner(),
      // The model saves itself after every change; saving here could overwrite a live run's state
      // from a second process (get-run, stop-run).
      close: () => gateway.close(),
    };
  }
  throw usageError('USAGE_TRANSPORT', `The ${globals.transport} transport is not available in this build.`, {
    hint: 'Rehearse on the simulator with --simulate.',
  });
}
