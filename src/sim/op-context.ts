/**
 * What every simulated operation handler shares: its context, the failure it reports as `{ ok: false }`, and
 * the two helpers each handler family needs (spending virtual time, requiring a running cluster service).
 * Depends on the model's types and the catalogue's error codes only.
 */
import { ScriptErrorCode } from '../cluster/operations.js';
import type { ClusterModel } from './cluster-model.js';
import type { SimNodeState } from './model-state.js';
import type { PropertyAccess } from './properties.js';

/** A failure the node-side script reports as `{ ok: false, error }`. */
export class OpFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface OpContext {
  readonly model: ClusterModel;
  readonly properties: PropertyAccess;
  /** The node the operation runs on (the WinRM endpoint). */
  readonly node: SimNodeState;
  /** Spends `ms` of the model's time; the operation's abort (its deadline, the caller) ends it with its reason. */
  sleep(ms: number): Promise<void>;
  /** Ends the current `sleep` now, as if its time were over (at a finite speed: soon after). */
  wake(): void;
}

/** Spends `seconds` of virtual time on the operation, then applies what happened meanwhile. */
export async function sleepSeconds(ctx: OpContext, seconds: number): Promise<void> {
  if (seconds > 0) await ctx.sleep(seconds * 1000);
  ctx.model.advance();
}

/** Cluster cmdlets fail on a node whose cluster service is not running. */
export function requireCluster(ctx: OpContext): void {
  if (ctx.node.clusterState === 'Down') {
    throw new OpFailure(ScriptErrorCode.clusterUnavailable, `The cluster service is not running on ${ctx.node.name}.`);
  }
}
