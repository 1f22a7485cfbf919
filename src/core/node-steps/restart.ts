/**
 * restartAndAwaitBoot, written once: the restart gate, invariant 8 (drained) where the cluster runs, the
 * write-ahead `restart-requested` record with the boot time before, the restart (a lost reply is transient:
 * the boot time tells whether it happened), then the wait for the node within RebootTimeoutMinutes: boot
 * time changed, auto-start services running, cluster node state back. Depends on the step context only.
 */
import type { RestartNodeResult, UndrainedAllowance } from '../../cluster/operations.js';
import { describeError, isTransient } from '../../errors.js';
import { StepFailure, StepTimings, type StepContext } from './context.js';
import { requireDrained } from './drained.js';
import { awaitRestartGate, type RestartGateOptions } from './gates.js';
import type { TypedRecord } from '../journal-records.js';
import { readBoot } from './verdicts.js';

export type RebootSource = 'round' | 'failure';

export interface BootWaitOptions {
  readonly attempt: number;
  readonly round: number;
  readonly source: RebootSource;
  readonly rebootTimeoutMinutes: number;
  /** The cluster runs (rolling flows): the node's cluster state must be back too. Offline: it is stopped. */
  readonly clusterRunning: boolean;
}

export interface RestartOptions extends BootWaitOptions {
  readonly soft: boolean;
  /** Invariant 8's exception for this node: the force switch that paused it undrained (see requireDrained). */
  readonly allowUndrained?: UndrainedAllowance;
  /** The rolling run's restart gate; null where the cluster is stopped (offline update). */
  readonly gate: RestartGateOptions | null;
}

export interface RebootOutcome {
  /** The restart the node did: a soft one that KSR refused when it ran and the node did fully is a FullReboot. */
  readonly bootType: 'FullReboot' | 'SoftReboot';
  readonly bootTime: string;
  readonly rebootSeconds: number;
}

/** Restarts `node` and waits for it. */
export async function restartAndAwaitBoot(ctx: StepContext, node: string, options: RestartOptions): Promise<RebootOutcome> {
  if (options.gate !== null) await awaitRestartGate(ctx, node, options.gate);
  const sent = await requestRestart(ctx, node, options);
  const { softRestartFellBack, ...back } = await awaitBoot(ctx, node, { ...options, bootBefore: sent.bootBefore });
  return { bootType: sent.bootType === 'SoftReboot' && softRestartFellBack ? 'FullReboot' : sent.bootType, ...back };
}

/** Sends the restart (drained check, boot time, write-ahead record); a lost reply is not a failure. */
export async function requestRestart(
  ctx: StepContext,
  node: string,
  options: RestartOptions,
): Promise<{ bootType: 'FullReboot' | 'SoftReboot'; bootBefore: string; softBootStatus?: RestartNodeResult['softBootStatus'] }> {
  if (options.clusterRunning) await requireDrained(ctx, node, 'reboot', 'restarted', options.allowUndrained);
  const before = await ctx.gateway.call(node, 'get-node-status', {});
  ctx.journal.step(node, options.attempt, { step: 'restart-requested', round: options.round, bootBefore: before.lastBootUpTime, source: options.source });
  try {
    const result = await ctx.gateway.call(node, 'restart-node', { soft: options.soft, delaySeconds: StepTimings.restartDelaySeconds }, { retry: false });
    // The kind the node will do, journaled so that a resumed run reports the restart it waits for (finish-restart).
    ctx.journal.step(node, options.attempt, { step: 'restart-issued', round: options.round, servicesBefore: result.servicesBeforeRestart, bootType: result.bootType });
    // softBootStatus says why a soft restart asked for became a full one (no KSR, or the node opts out).
    return { bootType: result.bootType, bootBefore: before.lastBootUpTime, ...(result.softBootStatus !== undefined ? { softBootStatus: result.softBootStatus } : {}) };
  } catch (error) {
    // Not repeated: the restart may have been accepted before the connection dropped. The wait tells, by the
    // boot time.
    if (!isTransient(error)) throw error;
    return { bootType: options.soft ? 'SoftReboot' : 'FullReboot', bootBefore: before.lastBootUpTime };
  }
}

/**
 * Waits for the node to be back from the restart recorded with `bootBefore`; journals `node-back`. Says whether the
 * node marks its last soft restart as fallen back to a full one (get-node-status's softRestartFellBack): a soft
 * restart scheduled with KSR that KSR refused when it ran.
 */
export async function awaitBoot(
  ctx: StepContext,
  node: string,
  options: BootWaitOptions & { readonly bootBefore: string },
): Promise<{ bootTime: string; rebootSeconds: number; softRestartFellBack: boolean }> {
  const started = ctx.clock.now();
  const deadline = started + options.rebootTimeoutMinutes * 60_000;
  const servicesBefore = servicesBeforeRestart(ctx.journal.records(), node, options.bootBefore);
  let last: string;
  for (;;) {
    try {
      // One try per poll: this loop is the retry, against its own deadline.
      const status = await ctx.gateway.call(node, 'get-node-status', {}, { retry: false });
      const reading = readBoot(status, options.bootBefore, options.clusterRunning, servicesBefore);
      if (reading.back) {
        const rebootSeconds = Math.round((ctx.clock.now() - started) / 1000);
        const fellBack = status.softRestartFellBack === true;
        ctx.journal.step(node, options.attempt, { step: 'node-back', round: options.round, source: options.source, bootTime: status.lastBootUpTime, rebootSeconds, ...(fellBack ? { softRestartFellBack: true as const } : {}) });
        return { bootTime: status.lastBootUpTime, rebootSeconds, softRestartFellBack: fellBack };
      }
      last = reading.reason;
    } catch (error) {
      if (!isTransient(error)) throw error;
      last = describeError(error);
    }
    if (ctx.clock.now() >= deadline) {
      throw new StepFailure('RebootTimeout', 'wait-node', node, `${node} did not come back within RebootTimeoutMinutes (${options.rebootTimeoutMinutes} min): ${last}`);
    }
    await ctx.clock.sleep(Math.min(StepTimings.rebootPollMs, Math.max(0, deadline - ctx.clock.now())));
    await ctx.heartbeat();
  }
}

/**
 * Resuming at a journaled restart: the crash may have come between the record and the call. A node that still
 * answers with the old boot time well after the restart delay never got the call, so it is restarted again
 * (journaled again); a node that is away or has a new boot time is restarting or back. Returns the kind of the
 * restart sent again, or undefined when none was sent.
 */
export async function ensureRestartIssued(ctx: StepContext, node: string, options: RestartOptions & { readonly bootBefore: string }): Promise<'FullReboot' | 'SoftReboot' | undefined> {
  const stillUp = async (): Promise<boolean> => {
    try {
      return (await ctx.gateway.call(node, 'get-node-status', {}, { retry: false })).lastBootUpTime === options.bootBefore;
    } catch (error) {
      if (isTransient(error)) return false;
      throw error;
    }
  };
  if (!(await stillUp())) return undefined;
  await ctx.clock.sleep((StepTimings.restartDelaySeconds + StepTimings.restartGraceSeconds) * 1000);
  if (!(await stillUp())) return undefined;
  return (await requestRestart(ctx, node, options)).bootType;
}

/** Resume point of a restart: make sure it was sent, then wait for the node. */
export async function resumeRestart(ctx: StepContext, node: string, options: RestartOptions & { readonly bootBefore: string }): ReturnType<typeof awaitBoot> {
  await ensureRestartIssued(ctx, node, options);
  return awaitBoot(ctx, node, options);
}

/**
 * The services the node said were running before the restart recorded with `bootBefore`, from the journal (so a
 * resumed run waits for the same ones); undefined when the reply never came.
 */
export function servicesBeforeRestart(records: readonly TypedRecord[], node: string, bootBefore: string): readonly string[] | undefined {
  let found: readonly string[] | undefined;
  let inRestart = false;
  for (const r of records) {
    if (r.type !== 'step' || r.node !== node) continue;
    if (r.step === 'restart-requested') {
      inRestart = r.bootBefore === bootBefore;
      found = undefined;
    } else if (r.step === 'restart-issued' && inRestart) {
      found = r.servicesBefore;
    }
  }
  return inRestart ? found : undefined;
}
