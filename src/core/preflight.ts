/**
 * The rolling run's preflight: everything that must hold before anything is touched, read through the gateway
 * and judged by pure functions. A refusal is exit 5 (`refusedError`) with every reason at once; a profile that
 * does not fit the cluster is exit 2 (from `planRun`). `--what-if` runs the same preflight and shows it.
 * Depends on the gateway interface, the catalogue's types, plan (validation, order) and capacity.
 *
 * The interface, for the coordinator and the other flows:
 * - `runPreflight(gateway, { entry, profile, inFlightNode? })`: reads, judges, and throws the refusal; returns
 *   the cluster, the `RunTarget` (order, failure budget) and the capacity verdict of every node.
 * - `readCapacityInput(gateway, cluster, leaving)` + `checkCapacity` (capacity.ts): the same capacity check
 *   right before each drain, on the cluster as it is then.
 * - `gatherPreflight` / `judgePreflight`: the two halves, for `--what-if` (which shows the refusals instead
 *   of throwing them) and for tests. `readCapacityReports`: the capacity read alone (test-setup's rule).
 * A node that does not answer get-node-capacity has unknown capacity (placement only) rather than failing the
 * read; with RequireAllNodesOnline it is a refusal of its own.
 *
 * Checks, in this order: the profile fits the cluster (NodeOrder names, MaxFailedNodes); no native CAU run;
 * with RequireAllNodesOnline, every node is Up (or Paused) and answers (CAU's event 1020); quorum is healthy;
 * every node that will be drained leaves its running VMs a host (capacity.ts). On `--resume`, the node the
 * interrupted run had in hand is not held against it: it may be down for the run's own restart, and it is
 * counted as a host for the others, since it is resumed before any other drain.
 */
import { clusterUnavailableRefusal } from './cluster-unavailable.js';
import type { Gateway } from '../cluster/gateway.js';
import { OperationFailedError } from '../cluster/gateway.js';
import type { ClusterInfo, NodeCapacity } from '../cluster/operations.js';
import { describeError, isTransient, refusedError, type AppError } from '../errors.js';
import { capacityInputFrom, checkEachNode, type CapacityInput, type CapacityVerdict } from './capacity.js';
import { planRun, type RunTarget } from './plan.js';
import type { RunProfile } from './types.js';

/** How long one node may take to answer the preflight's read (its own WinRM session). */
export const PROBE_TIMEOUT_MS = 60_000;

export interface PreflightFacts {
  readonly cluster: ClusterInfo;
  /** get-node-capacity of each node that answered it. */
  readonly capacity: readonly NodeCapacity[];
  /** Nodes that are Up or Paused in the cluster but did not answer over their own session, with the error. */
  readonly unanswered: ReadonlyMap<string, string>;
  /**
   * Nodes whose PowerShell runs unsigned scripts in ConstrainedLanguage mode (Application Control / WDAC):
   * no cauctl operation can run there, so the run is refused before touching anything.
   */
  readonly constrained?: readonly string[];
}

export interface Refusal {
  readonly code: string;
  readonly message: string;
  readonly hint: string;
}

export interface PreflightVerdict {
  readonly target: RunTarget;
  /** Per node that will be drained, in run order. */
  readonly capacity: ReadonlyArray<{ readonly node: string; readonly verdict: CapacityVerdict }>;
  /** Empty: the run may start. */
  readonly refusals: readonly Refusal[];
}

export interface PreflightOptions {
  readonly entry: string;
  readonly profile: Pick<RunProfile, 'nodeOrder' | 'maxFailedNodes' | 'requireAllNodesOnline'> & Partial<Pick<RunProfile, 'forcePauseAndDrain' | 'undrainedSwitch'>>;
  /** `--resume`: the node the interrupted run had in hand (see the module header). */
  readonly inFlightNode?: string;
  /**
   * The nodes that will be drained, when known (after a scan: the nodes with updates). Default: every node
   * that is Up, since any of them may be drained.
   */
  readonly candidates?: readonly string[];
}

const online = (state: string): boolean => state === 'Up' || state === 'Paused';

/** The script error code the bootstrap answers with when PowerShell runs in ConstrainedLanguage mode. */
const CONSTRAINED_LANGUAGE = 'CONSTRAINED_LANGUAGE';

function constrainedRefusal(nodes: readonly string[]): Refusal {
  return {
    code: CONSTRAINED_LANGUAGE,
    message: `PowerShell on ${nodes.join(', ')} runs unsigned scripts in ConstrainedLanguage mode (Application Control / WDAC), where cauctl's node-side scripts cannot run; nothing was touched.`,
    hint: 'Run cauctl test-setup to see rule CAUCTL-12 and its remedy (docs/windows-requirements.md: signed scripts and a supplemental Application Control policy).',
  };
}

/**
 * Reads one node's capacity over its own session. Undefined with `answered: false` when it does not answer;
 * a node that answers but cannot report (a script failure) has unknown capacity. An authentication refusal is
 * not "does not answer": it is thrown (exit 4), as everywhere.
 */
async function probe(gateway: Gateway, node: string): Promise<{ answered: true; report?: NodeCapacity; scriptCode?: string } | { answered: false; why: string }> {
  try {
    // One try: a node that does not answer within the probe's timeout is what the caller wants to know about
    // (RequireAllNodesOnline), or is judged without its figures; retrying it for the gateway's whole deadline
    // would hold every drain of the run for a node that is not involved.
    return { answered: true, report: await gateway.call(node, 'get-node-capacity', {}, { timeoutMs: PROBE_TIMEOUT_MS, retry: false }) };
  } catch (error) {
    if (isTransient(error)) return { answered: false, why: describeError(error) };
    if (error instanceof OperationFailedError) return { answered: true, scriptCode: error.scriptCode };
    throw error;
  }
}

/** Every online node's capacity report, all at once; a node that does not answer is listed with the error. */
export async function readCapacityReports(gateway: Gateway, cluster: Pick<ClusterInfo, 'nodes'>): Promise<Pick<PreflightFacts, 'capacity' | 'unanswered' | 'constrained'>> {
  const capacity: NodeCapacity[] = [];
  const unanswered = new Map<string, string>();
  const constrained: string[] = [];
  const probes = await Promise.all(cluster.nodes.filter((n) => online(n.state)).map(async (n) => ({ node: n.name, result: await probe(gateway, n.name) })));
  for (const { node, result } of probes) {
    if (!result.answered) unanswered.set(node, result.why);
    else if (result.report) capacity.push(result.report);
    else if (result.scriptCode === CONSTRAINED_LANGUAGE) constrained.push(node);
  }
  return { capacity, unanswered, constrained };
}

/** Reads the cluster and every online node's capacity (which also tells whether the node answers). */
export async function gatherPreflight(gateway: Gateway, entry: string): Promise<PreflightFacts> {
  let cluster: ClusterInfo;
  try {
    // An MSFT_CAURun that cannot be read comes back as unknown: judgePreflight refuses it (exit 5), and
    // --what-if shows that refusal instead of failing.
    cluster = await gateway.call(entry, 'get-cluster', { reportUnreadableNativeCau: true });
  } catch (error) {
    if (error instanceof OperationFailedError && error.scriptCode === CONSTRAINED_LANGUAGE) throw refusalError([constrainedRefusal([entry])]);
    throw clusterUnavailableRefusal(entry, error) ?? error;
  }
  return { cluster, ...(await readCapacityReports(gateway, cluster)) };
}

/** The nodes of `cluster` other than the in-flight one, with the in-flight one counted as Up (resume). */
function asResumed(cluster: ClusterInfo, inFlightNode: string | undefined): ClusterInfo {
  if (inFlightNode === undefined) return cluster;
  return { ...cluster, nodes: cluster.nodes.map((n) => (n.name === inFlightNode ? { ...n, state: 'Up' } : n)) };
}

/** Judges the facts. Throws `PROFILE_INVALID` (exit 2) when the profile does not fit; returns the refusals. */
export function judgePreflight(facts: PreflightFacts, options: Omit<PreflightOptions, 'entry'>): PreflightVerdict {
  const { cluster } = facts;
  const { profile, inFlightNode } = options;
  const target = planRun(cluster, profile);
  const refusals: Refusal[] = [];
  if (cluster.nativeCauRunInProgress) {
    refusals.push({
      code: 'NATIVE_CAU_RUN_IN_PROGRESS',
      message: `A native CAU run is in progress on ${cluster.name}; cauctl will not run beside it.`,
      hint: 'Wait for it (Get-CauRun -WaitForCompletion) or stop it (Stop-CauRun); if it is a leftover, clear it with Invoke-CauRun -ForceRecovery -Force.',
    });
  }
  if (typeof cluster.nativeCauUnreadable === 'string') {
    refusals.push({
      code: 'NATIVE_CAU_UNREADABLE',
      message: `${cluster.nativeCauUnreadable.replace(/\s*$/, '')} cauctl will not update ${cluster.name} beside a native CAU run it cannot see; nothing was touched.`,
      hint: 'Once that node lets the account read MSFT_CAURun (local Administrators, or access to the CIM namespace root/Microsoft/Windows/ClusterUpdate), run again; scan and run --what-if work meanwhile.',
    });
  }
  if (profile.requireAllNodesOnline) {
    const offline = cluster.nodes.filter((n) => !online(n.state) && n.name !== inFlightNode);
    if (offline.length > 0) {
      refusals.push({
        code: 'NODES_OFFLINE',
        message: `RequireAllNodesOnline is set and ${offline.map((n) => `${n.name} is ${n.state}`).join(', ')}; nothing was touched.`,
        hint: 'Bring the nodes online, or run without --require-all-nodes-online to update the nodes that are up.',
      });
    }
    const silent = [...facts.unanswered].filter(([node]) => node !== inFlightNode);
    if (silent.length > 0) {
      refusals.push({
        code: 'NodeNotReachable',
        message: `RequireAllNodesOnline is set and ${silent.map(([node, why]) => `${node} is Up in the cluster but does not answer (${why.replace(/\.$/, '')})`).join('; ')}; nothing was touched.`,
        hint: `Check WinRM on ${silent.map(([node]) => node).join(', ')} (Test-WSMan ${silent[0]![0]}; the WinRM service, the firewall, DNS), or run without --require-all-nodes-online to update the nodes that answer.`,
      });
    }
  }
  if ((facts.constrained ?? []).length > 0) refusals.push(constrainedRefusal(facts.constrained!));
  if (!cluster.quorum.healthy) {
    refusals.push({
      code: 'QUORUM_UNHEALTHY',
      message: `Cluster ${cluster.name} has no healthy quorum (witness ${cluster.quorum.witnessType}: ${cluster.quorum.witnessState}); nothing was touched.`,
      hint: 'Fix quorum first: Get-ClusterQuorum, and check the witness.',
    });
  }
  const view = asResumed(cluster, inFlightNode);
  const drained = target.order.filter(
    (node) => node !== inFlightNode && view.nodes.find((n) => n.name === node)?.state === 'Up' && (options.candidates === undefined || options.candidates.includes(node)),
  );
  const capacity = checkEachNode(capacityInputFrom(view, facts.capacity), drained);
  const short = capacity.flatMap(({ verdict }) => (verdict.ok ? [] : [verdict]));
  // A force switch (ForcePause*) is the operator's acceptance of the downtime the shortfall means: the run
  // names the roles before it starts instead of refusing (coordinator.ts, announceForcedDowntime).
  const forced = profile.forcePauseAndDrain === true || profile.undrainedSwitch !== undefined;
  if (short.length > 0 && !forced) {
    refusals.push({
      code: short[0]!.code,
      message: `${short.map((v) => v.message).join('\n')}\nNothing was touched.`,
      hint: 'Run cauctl test-setup to see the capacity of every node, or cauctl run --what-if to see the plan.',
    });
  }
  return { target, capacity, refusals };
}

/** The refusals as one error: the first one's code, every message. */
export function refusalError(refusals: readonly Refusal[]): AppError {
  const first = refusals[0]!;
  return refusedError(first.code, refusals.map((r) => r.message).join('\n'), {
    hint: refusals.map((r) => r.hint).join(' '),
    details: { refusals: refusals.map((r) => r.code) },
  });
}

export interface PreflightResult {
  readonly cluster: ClusterInfo;
  readonly target: RunTarget;
  readonly capacity: PreflightVerdict['capacity'];
}

/** The run's preflight: reads, judges, and refuses (exit 5) or rejects the profile (exit 2) before touching. */
export async function runPreflight(gateway: Gateway, options: PreflightOptions): Promise<PreflightResult> {
  const facts = await gatherPreflight(gateway, options.entry);
  const verdict = judgePreflight(facts, options);
  if (verdict.refusals.length > 0) throw refusalError(verdict.refusals);
  return { cluster: facts.cluster, target: verdict.target, capacity: verdict.capacity };
}

/** The capacity input on the cluster as it is now, for the check right before a drain. */
export async function readCapacityInput(gateway: Gateway, cluster: ClusterInfo, leaving: readonly string[]): Promise<CapacityInput> {
  return capacityInputFrom(cluster, (await readCapacityReports(gateway, cluster)).capacity, leaving);
}
