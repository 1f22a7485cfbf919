/**
 * Where a clusterless run keeps what a rolling run keeps in cluster properties: its lock (owner, lease,
 * progress for get-clusterless-run), the stop request, the role hold (always none). Standalone servers have no
 * cluster to hold them, so they live in the state directory, under `clusterless/<entry>/`, with the same
 * compare-and-set contract (one file per property, a short mutex: the simulator's file PropertyStore). The run
 * sends them to its entry as cluster-property calls; this transport answers those and refuses any other call
 * to the entry, so a clusterless run that tried a cluster-wide operation fails loudly (a cauctl bug, exit 1).
 *
 * What this prevents: two coordinators that share this state directory running on the same servers at once
 * (one clusterless run per state directory, as one rolling run per cluster). Two hosts, or two state
 * directories, do not see each other's lock: docs/clusterless.md says so.
 */
import { join } from 'node:path';
import { AppError, ExitCode, usageError } from '../errors.js';
import { encodePathSegment } from '../platform/fs.js';
import { PropertyStore } from '../sim/properties.js';
import type { ScriptOutcome, Transport } from '../transport/transport.js';
import type { EntryTransport } from './context.js';
import type { GlobalProfile } from './global-options.js';

/** The entry of a clusterless run on real servers: its journals, history and local lock are filed under it. */
export const CLUSTERLESS_ENTRY = 'CLUSTERLESS';

/** The folder of the run's local state for `entry`. */
export function clusterlessStateDir(stateDir: string, entry: string): string {
  return join(stateDir, 'clusterless', encodePathSegment(entry.toUpperCase()));
}

/** The store's own words are the simulator's; a clusterless run's state is this host's. */
function locally<T>(body: () => T, entry: string, stateDir: string): T {
  try {
    return body();
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'SIM_PROPERTY_LOCK_TIMEOUT') throw error;
    throw new AppError('CLUSTERLESS_STATE_BUSY', ExitCode.internal, `The clusterless run's local state ${clusterlessStateDir(stateDir, entry)} stayed locked by another cauctl process.`, {
      hint: 'Another cauctl process is writing it; if none is running, delete its .lock entry and try again.',
      cause: error,
    });
  }
}

/** The transport decorator: property calls to the entry go to the local store; anything else to the entry is refused. */
export const clusterlessEntry: EntryTransport = (inner, entry, stateDir) => {
  const store = new PropertyStore(clusterlessStateDir(stateDir, entry));
  const isEntry = (node: string): boolean => node.toUpperCase() === entry.toUpperCase();
  const transport: Transport = {
    name: inner.name,
    async run(node, invocation, options): Promise<ScriptOutcome> {
      if (!isEntry(node)) return inner.run(node, invocation, options);
      const p = invocation.params as { name?: string; value?: string | null; expected?: string | null };
      if (invocation.name === 'get-cluster-property' && typeof p.name === 'string') return { ok: true, data: { value: store.get(p.name) } };
      if (invocation.name === 'set-cluster-property' && typeof p.name === 'string') {
        const { name, value, expected } = p;
        return { ok: true, data: locally(() => store.set(name, value ?? null, 'expected' in p ? (expected ?? null) : undefined), entry, stateDir) };
      }
      return {
        ok: false,
        error: { code: 'CLUSTERLESS_NO_CLUSTER', message: `a clusterless run has no cluster: ${invocation.name} was sent to ${node} (a cauctl bug; please report it)` },
      };
    },
    close: () => inner.close(),
  };
  return transport;
};

/**
 * The global options a clusterless command opens its context with: no --cluster-name (the servers are named by
 * --computer-name); on real servers the entry is CLUSTERLESS; with --simulate, the model must be standalone.
 */
export function clusterlessGlobals(globals: GlobalProfile, command: string): GlobalProfile {
  if (globals.clusterName !== undefined) {
    throw usageError('USAGE_CLUSTER_NAME', `${command} updates standalone servers in no cluster: --cluster-name ${globals.clusterName} does not apply.`, {
      hint: `Name the servers with --computer-name SRV1,SRV2; to update a cluster, use cauctl run --cluster-name ${globals.clusterName}.`,
      details: { field: 'clusterName' },
    });
  }
  return globals.simulate === undefined && globals.transport !== 'replay' ? { ...globals, clusterName: CLUSTERLESS_ENTRY } : globals;
}

/** A simulated model that is a cluster cannot stand for standalone servers: refused before anything is touched. */
export function requireStandaloneModel(fixture: { name: string; standalone?: boolean | undefined } | undefined, command: string): void {
  if (fixture === undefined || fixture.standalone === true) return;
  throw usageError('USAGE_NOT_STANDALONE', `The simulated model ${fixture.name} is a cluster; ${command} rehearses on a model of standalone servers ("standalone": true). Nothing was touched.`, {
    hint: 'Use a standalone model, for example --simulate fixtures/clusters/standalone-3.json, or cauctl run for a cluster.',
    details: { field: 'simulate' },
  });
}

