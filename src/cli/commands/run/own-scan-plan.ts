/**
 * The plan of a run that had none at its start (`run --force` with no terminal: a scheduled task, --json,
 * --output ndjson; or `--resume`): a what-if there would scan every node a second time, so the run plans from its
 * own preflight read and its own scan instead, with no extra operation on any node (but one read of the fault
 * domains of an S2D cluster run with --max-concurrent-nodes), and from then on predicts
 * its finish for get-run. The coordinator keeps its preflight read to itself, so the read is kept here as it
 * passes through the gateway; the scan comes from the coordinator's `onScanCompleted`, or, for a resumed run
 * that does not scan again, from the interrupted run's journal. A run that takes several nodes out of service at
 * once gets its mode's prediction too, as --what-if makes it.
 * Depends on the gateway interface, core's preflight judgement and journal replay, and scan-plan.ts.
 */
import type { CallOptions, Gateway } from '../../../cluster/gateway.js';
import type { ClusterInfo, FaultDomainsInfo, NodeCapacity, OperationName, OperationParams, OperationResult } from '../../../cluster/operations.js';
import type { CoordinatorDeps } from '../../../core/coordinator.js';
import type { EventSink } from '../../../core/events.js';
import { replayJournal, type JournalState } from '../../../core/journal-replay.js';
import type { ModePrediction } from '../../../core/mode-plan.js';
import type { RunPlan, RunScan } from '../../../core/plan.js';
import { judgePreflight, type PreflightFacts } from '../../../core/preflight.js';
import type { RunProfile } from '../../../core/types.js';
import { describeError, isTransient } from '../../../errors.js';
import type { JournalRecord } from '../../../journal/journal.js';
import type { ClusterContext } from '../../context.js';
import { modeFromScan, planFromScan } from './scan-plan.js';

/**
 * Passes every call through unchanged and keeps the latest answers to the preflight's reads: the cluster
 * (get-cluster) and each node's capacity (get-node-capacity), or that the node did not answer. Once the plan is
 * made nothing more is kept (`stopKeeping`): the calls then go straight to the inner gateway, with no extra
 * await or catch on each of the run's thousands of operations.
 */
export class PreflightRecorder implements Gateway {
  private cluster: ClusterInfo | undefined;
  private readonly capacity = new Map<string, NodeCapacity>();
  private readonly unanswered = new Map<string, string>();
  private keeping = true;

  constructor(private readonly inner: Gateway) {}

  /** From now on, calls pass straight through and `facts()` stays what it was. */
  stopKeeping(): void {
    this.keeping = false;
  }

  call<N extends OperationName>(node: string, name: N, params: OperationParams<N>, options?: CallOptions): Promise<OperationResult<N>> {
    return this.keeping ? this.keptCall(node, name, params, options) : this.inner.call(node, name, params, options);
  }

  private async keptCall<N extends OperationName>(node: string, name: N, params: OperationParams<N>, options?: CallOptions): Promise<OperationResult<N>> {
    try {
      const result = await this.inner.call(node, name, params, options);
      this.keep(node, name, result);
      return result;
    } catch (error) {
      if (name === 'get-node-capacity') {
        this.capacity.delete(node);
        // As the preflight reads it: a transient failure is a node that does not answer; any other failure
        // only leaves its capacity unknown.
        if (isTransient(error)) this.unanswered.set(node, describeError(error));
      }
      throw error;
    }
  }

  private keep(node: string, name: OperationName, result: unknown): void {
    if (name === 'get-cluster') this.cluster = result as ClusterInfo;
    if (name === 'get-node-capacity') {
      this.capacity.set(node, result as NodeCapacity);
      this.unanswered.delete(node);
    }
  }

  /** What the preflight read; undefined until the cluster was read (never, over standalone servers). */
  facts(): PreflightFacts | undefined {
    if (this.cluster === undefined) return undefined;
    return { cluster: this.cluster, capacity: [...this.capacity.values()], unanswered: new Map(this.unanswered) };
  }
}

/**
 * The scan an interrupted run journaled, as the coordinator's hook gives a scan, without the nodes that run had
 * finished (nothing of them is ahead). Undefined when the journal has no scan: the resumed run scans again.
 */
export function journaledScan(state: JournalState): RunScan | undefined {
  if (state.scan === undefined) return undefined;
  const ahead = (node: string): boolean => !state.completed.has(node);
  const { clusterName, order, maxFailedNodes, downAtStart } = state.started;
  return {
    target: { clusterName, order, maxFailedNodes },
    down: new Set(downAtStart.filter(ahead)),
    updates: new Map(Object.entries(state.scan.scan).filter(([node]) => ahead(node))),
    scanFailures: new Map(Object.entries(state.scan.scanFailures).filter(([node]) => ahead(node))),
  };
}

/**
 * What the coordinator is given to plan after its own scan (the gateway that keeps its reads, and the hook), and
 * the sink that plans a resumed run from its journaled scan.
 */
export interface OwnScanPlan extends Required<Pick<CoordinatorDeps, 'gateway' | 'onScanCompleted'>> {
  /**
   * With the interrupted run's journal: plans from its scan at the run's run-started (the cluster read by then),
   * when that scan was journaled. Give it the events after the progress sinks, whose board must have seen them.
   */
  readonly sink: EventSink;
}

/**
 * Gives `adopt` the run's plan (and mode) once its scan is known, built as --what-if builds it. A plan that cannot
 * be made is said with `warn`, and the run goes on without a predicted finish: the prediction never stops a run.
 */
export function ownScanPlan(
  ctx: Pick<ClusterContext, 'gateway' | 'sim' | 'entry'>,
  profile: RunProfile,
  adopt: (plan: RunPlan, mode?: ModePrediction) => void,
  warn: (message: string) => void,
  interrupted?: { readonly records: readonly JournalRecord[]; readonly path?: string | undefined },
): OwnScanPlan {
  const recorder = new PreflightRecorder(ctx.gateway);
  const plan = (scanOf: () => RunScan | undefined): void => {
    const facts = recorder.facts();
    if (facts === undefined) return;
    try {
      const scan = scanOf();
      if (scan === undefined) return;
      // Planned once: the recorder's reads are not needed again.
      recorder.stopKeeping();
      const verdict = judgePreflight(facts, { profile });
      const plan = planFromScan({ facts, capacity: verdict.capacity, scan, s2d: facts.cluster.s2dEnabled, profile, model: ctx.sim });
      const modeOn = (faultDomains: FaultDomainsInfo | null): ModePrediction | undefined =>
        modeFromScan({
          plan,
          facts,
          maxFailedNodes: scan.target.maxFailedNodes,
          // Storage taken as Healthy (the run waits until it is before each group); fault domains unknown: groups
          // of one node, and the board takes the size of the first group the run forms instead (waitingGroups).
          storage: facts.cluster.s2dEnabled ? { s2d: true, healthy: true, faultDomains } : { s2d: false },
          // A resumed run has no canary and pre-installs nothing (the coordinator's visitAll).
          profile: interrupted === undefined ? profile : { ...profile, preInstall: false },
          model: ctx.sim,
        });
      if (!facts.cluster.s2dEnabled || (profile.maxConcurrentNodes ?? 1) <= 1) {
        adopt(plan, modeOn(null));
        return;
      }
      // On S2D, which nodes may go together depends on their fault domains, which the run reads only at its
      // first group: the prediction reads them once itself (one read-only call to the cluster), and predicts
      // on unknown domains if that read fails. The board keeps the run's events until the plan comes.
      ctx.gateway
        .call(ctx.entry, 'get-fault-domains', {})
        .catch(() => null)
        .then((domains) => adopt(plan, modeOn(domains)))
        .catch((error: unknown) => warnNoFinish(error));
    } catch (error) {
      warnNoFinish(error);
    }
  };
  const warnNoFinish = (error: unknown): void => warn(`cauctl: warning: this run predicts no finish for get-run (${describeError(error).replace(/\.$/, '')}); it goes on.\n`);
  let replayed = interrupted === undefined;
  return {
    gateway: recorder,
    onScanCompleted: (scan) => plan(() => scan),
    sink: {
      emit: (event) => {
        if (replayed || event.type !== 'run-started') return;
        replayed = true;
        plan(() => journaledScan(replayJournal(interrupted!.records, interrupted!.path)));
      },
    },
  };
}
