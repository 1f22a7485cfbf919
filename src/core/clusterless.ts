/**
 * The clusterless run (Invoke-ClusterlessCauRun, Windows Server 2025): the same updates rolled over standalone
 * servers that are in no cluster, one at a time, in the order given. It is the rolling run (coordinator.ts)
 * with a clusterless target: this module says which servers, checks them before anything is touched, and
 * gives the run the facts it starts from. The attempt itself is node-attempt.ts under its clusterless policy
 * (no drain, no resume, no storage wait); journal, resume, retries, budget and results are the run's own.
 * Depends on the gateway interface and the catalogue's types only.
 */
import type { Gateway } from '../cluster/gateway.js';
import type { ClusterInfo } from '../cluster/operations.js';
import { AppError, describeError, refusedError, usageError } from '../errors.js';
import type { RunTarget } from './plan.js';
import { defaultMaxFailedNodes } from './policy.js';
import { PROBE_TIMEOUT_MS } from './preflight.js';
import type { RunProfile } from './types.js';

/**
 * A server's name as --computer-name takes it: a NetBIOS name or a DNS name (labels of letters, digits and
 * hyphens, dot-separated, at most 253 characters). No spaces, no URL, no port.
 */
const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/** --computer-name A,B,C (or repeated): the servers, in the order given. Bad input is exit 2 naming the field. */
export function parseComputerNames(raw: readonly string[] | undefined): string[] {
  const hint = 'Name the standalone servers to update, comma-separated, in the order to update them: --computer-name SRV1,SRV2,SRV3';
  if (raw === undefined || raw.length === 0) throw usageError('USAGE_COMPUTER_NAME', '--computer-name is required: a clusterless run updates the servers it is given, and no others.', { hint });
  const names = raw.flatMap((v) => v.split(',')).map((v) => v.trim());
  const problems: string[] = [];
  if (names.every((n) => n === '')) problems.push('no server named');
  else if (names.some((n) => n === '')) problems.push('an empty name between commas');
  const seen = new Map<string, string>();
  for (const name of names.filter((n) => n !== '')) {
    if (name.length > 253 || !name.split('.').every((label) => LABEL.test(label))) {
      problems.push(`${JSON.stringify(name)} is not a computer name (letters, digits and hyphens, dot-separated labels)`);
      continue;
    }
    const key = name.toUpperCase();
    if (seen.has(key)) problems.push(`${name} is listed twice${seen.get(key) !== name ? ` (also as ${seen.get(key)})` : ''}`);
    else seen.set(key, name);
  }
  if (names.length > 64) problems.push(`at most 64 servers in one run (got ${names.length})`);
  if (problems.length > 0) {
    throw usageError('USAGE_COMPUTER_NAME', `Invalid --computer-name: ${problems.join('; ')}.`, { hint, details: { field: 'computerName', problems } });
  }
  return names;
}

/**
 * The servers of a resumed run are its journal's, in its order: --computer-name may be left out; given, it must
 * name the same servers (in any order), or the resume is refused before anything is touched (exit 2).
 */
export function serversToResume(journaled: readonly string[], given: readonly string[]): readonly string[] {
  const key = (names: readonly string[]): string => names.map((n) => n.toUpperCase()).sort().join(',');
  if (given.length > 0 && key(given) !== key(journaled)) {
    throw usageError('USAGE_COMPUTER_NAME', `--computer-name ${given.join(',')} is not the server list of the run being resumed (${journaled.join(', ')}); nothing was touched.`, {
      hint: 'Leave --computer-name out with --resume: the run goes on over its own servers, in its own order.',
      details: { field: 'computerName', journaled: [...journaled] },
    });
  }
  return journaled;
}

/** How a server answered the preflight's probe. */
export type ServerProbe =
  | { readonly server: string; readonly answered: true; readonly clusterNodeState: string }
  | { readonly server: string; readonly answered: false; readonly error: string };

/**
 * The run's target over standalone servers: in the order given, with MaxFailedNodes (default a third, rounded
 * down, as the rolling run's). Pure. A server that is Up, Paused or Joining in a failover cluster is refused:
 * it must be drained before it restarts, which only `cauctl run` on its cluster does.
 */
export function judgeServers(probes: readonly ServerProbe[], profile: Pick<RunProfile, 'maxFailedNodes'>, label: string): { target: RunTarget; cluster: ClusterInfo; refusal?: AppError } {
  const servers = probes.map((p) => p.server);
  if (profile.maxFailedNodes !== undefined && profile.maxFailedNodes > servers.length - 1) {
    throw usageError('USAGE_MAX_FAILED_NODES', `--max-failed-nodes must be at most servers − 1 = ${servers.length - 1} for ${servers.length} server(s) (got ${profile.maxFailedNodes}).`, {
      hint: 'Leave it out for the default (a third of the servers, rounded down), or give a smaller number.',
      details: { field: 'maxFailedNodes' },
    });
  }
  const members = probes.flatMap((p) => (p.answered && ['Up', 'Paused', 'Joining'].includes(p.clusterNodeState) ? [{ server: p.server, state: p.clusterNodeState }] : []));
  const refusal =
    members.length > 0
      ? refusedError(
          'CLUSTER_MEMBER',
          `${members.map((m) => `${m.server} (${m.state} in a failover cluster)`).join(', ')} ${members.length === 1 ? 'is a cluster node' : 'are cluster nodes'}: a clusterless run restarts servers without draining them, so it never updates a cluster node. Nothing was touched.`,
          { hint: `Update the cluster with cauctl run --cluster-name <cluster>, and leave its nodes out of --computer-name.`, details: { servers: members.map((m) => m.server) } },
        )
      : undefined;
  // The run's own words for a server: in service (it answered) or not ("down at start", a failed node).
  const cluster: ClusterInfo = {
    name: label,
    nodes: probes.map((p) => ({ name: p.server, state: p.answered ? 'Up' : 'Down', drainStatus: 'NotInitiated', roles: [] })),
    quorum: { healthy: true, witnessType: 'None', witnessState: 'NotConfigured' },
    functionalLevel: 0,
    s2dEnabled: false,
    nativeCauRunInProgress: false,
  };
  const target: RunTarget = { clusterName: label, order: servers, maxFailedNodes: profile.maxFailedNodes ?? defaultMaxFailedNodes(servers.length) };
  return { target, cluster, ...(refusal !== undefined ? { refusal } : {}) };
}

/**
 * Asks each server once, over its own session, for its status (one try, the preflight's deadline): a server
 * that does not answer is down at the start (it fails and counts against the budget); a cluster member is
 * refused before anything is touched. Sends no cluster-wide operation.
 */
export async function clusterlessPreflight(gateway: Gateway, servers: readonly string[], profile: Pick<RunProfile, 'maxFailedNodes'>, label: string): Promise<{ target: RunTarget; cluster: ClusterInfo; unanswered: ReadonlyMap<string, string> }> {
  const probes = await Promise.all(
    servers.map(async (server): Promise<ServerProbe> => {
      try {
        const status = await gateway.call(server, 'get-node-status', {}, { retry: false, timeoutMs: PROBE_TIMEOUT_MS });
        return { server, answered: true, clusterNodeState: status.clusterNodeState };
      } catch (error) {
        // Unreachable, refused, timed out, failed: the server is not in service now. Anything else is a bug.
        if (!(error instanceof AppError)) throw error;
        return { server, answered: false, error: describeError(error) };
      }
    }),
  );
  const judged = judgeServers(probes, profile, label);
  if (judged.refusal !== undefined) throw judged.refusal;
  const unanswered = new Map(probes.flatMap((p) => (p.answered ? [] : [[p.server, p.error] as const])));
  return { target: judged.target, cluster: judged.cluster, unanswered };
}
