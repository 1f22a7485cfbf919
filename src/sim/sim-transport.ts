/**
 * The simulator as a Transport: checks reachability the way a WinRM connect would (spending virtual connect
 * time), validates params against the catalogue, runs the handler, applies connection-loss faults and
 * persists the model after mutating operations. Depends on the transport interface, the catalogue and sim/.
 */
import { operations, type OperationName } from '../cluster/operations.js';
import { ScriptErrorCode } from '../cluster/operations.js';
import { needsNetworkCredential } from '../cluster/operations-credential.js';
import { compiledSchema } from '../cluster/compiled-schema.js';
import { AppError, ExitCode } from '../errors.js';
import { abortReason, type Clock } from '../platform/clock.js';

import type { RunOptions, ScriptInvocation, ScriptOutcome, Transport } from '../transport/transport.js';
import { TransportErrorCode } from '../transport/transport.js';
import type { ClusterModel } from './cluster-model.js';
import type { ConnectionLossPhase } from './fixture.js';
import { SIMULATED_CREDENTIAL } from './network-logon.js';
import type { SimNodeState } from './model-state.js';
import { OpFailure, opHandlers, type OpContext } from './ops.js';
import { VirtualClock } from './virtual-clock.js';
import type { PropertyAccess } from './properties.js';

/** Virtual seconds a client spends before "connection refused" (the machine is booting). */
const REFUSED_SECONDS = 2;
/** Virtual seconds a client spends before giving up on a silent host (hung, off, firewalled). */
const CONNECT_TIMEOUT_SECONDS = 5;

function phaseOf(name: string, params: Readonly<Record<string, unknown>>): ConnectionLossPhase | undefined {
  switch (name) {
    case 'scan-updates':
      return 'scan';
    case 'start-update-task':
      return params.mode === 'Install' ? 'install' : 'stage';
    case 'suspend-node':
      return 'drain';
    case 'restart-node':
      return 'reboot';
    case 'resume-node':
      return 'resume';
    case 'wait-storage-healthy':
      return 'resync';
    default:
      return undefined;
  }
}

/** What the bootstrap's language-mode probe answers on a node under Application Control (WDAC). */
function constrainedLanguageMessage(node: string): string {
  return `PowerShell on ${node} runs unsigned scripts in ConstrainedLanguage mode (Application Control / WDAC), where cauctl's node-side scripts cannot run; nothing was done on ${node} (simulated). See docs/windows-requirements.md, "Application Control".`;
}

/** Why an operation's own deadline timer is cancelled: the operation ended (never seen by callers). */
const OPERATION_ENDED = new Error('the operation ended');

/**
 * Arms `fire` after `ms` of the model's time; returns the cancel. The virtual clock has a timer of its own
 * (no AbortController, promise or listener per operation); any other clock gets a sleep aborted on cancel
 * (with a reason of its own: abort() without one builds a DOMException, a stack trace, per operation).
 */
function deadlineTimer(clock: Clock, ms: number, fire: () => void): () => void {
  if (clock instanceof VirtualClock) return clock.timer(ms, fire);
  const deadline = new AbortController();
  clock.sleep(ms, deadline.signal).then(fire, () => undefined);
  return () => deadline.abort(OPERATION_ENDED);
}

/**
 * An operation's abort: its deadline or the caller's signal. The AbortSignal itself is made only when the
 * operation asks for it (a wait, an unreachable node's connect time); most operations never wait, and a
 * signal per operation was a fair part of the simulator's cost. Aborted before the signal exists, the
 * signal is made aborted, with the same reason.
 */
class OperationAbort {
  private controller: AbortController | undefined;
  /** The operation's current wait on the virtual clock (an operation waits for one thing at a time). */
  private wait: { cancel: (reason: Error) => void; wake: () => void } | undefined;
  /** Why the operation was aborted (the first reason); undefined while it was not. */
  reason: Error | undefined;

  constructor(private readonly clock: Clock) {}

  /** Waits `ms` of the model's time, ended early by the abort; on the virtual clock with no AbortSignal. */
  sleep(ms: number): Promise<void> {
    if (!(this.clock instanceof VirtualClock)) return this.clock.sleep(ms, this.signal);
    if (this.reason !== undefined) return Promise.reject(this.reason);
    const { promise, cancel, wake } = this.clock.cancellableSleep(ms);
    this.wait = { cancel, wake };
    return promise;
  }

  /** Ends the current wait now, as if its time were over (the model changed; see wait-storage-healthy). */
  wake(): void {
    this.wait?.wake();
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.reason !== undefined) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason: Error): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.controller?.abort(reason);
    this.wait?.cancel(reason);
    this.wait = undefined;
  }
}

function isOperationName(name: string): name is OperationName {
  return Object.prototype.hasOwnProperty.call(operations, name);
}

export class SimTransport implements Transport {
  readonly name = 'simulator';

  constructor(
    private readonly model: ClusterModel,
    private readonly properties: PropertyAccess,
    private readonly save: () => void,
  ) {}

  /** Why a connection to this node fails right now, with the virtual time the client spends finding out. */
  private unreachable(node: SimNodeState): { seconds: number; why: string } | undefined {
    if (!node.reachable) return { seconds: CONNECT_TIMEOUT_SECONDS, why: 'WinRM does not answer on this node' };
    if (node.power === 'hung') return { seconds: CONNECT_TIMEOUT_SECONDS, why: 'the node hangs and does not answer' };
    if (node.power === 'off') {
      return node.downByRestart
        ? { seconds: REFUSED_SECONDS, why: 'connection refused while the node restarts' }
        : { seconds: CONNECT_TIMEOUT_SECONDS, why: 'the node is down' };
    }
    if (this.model.now < node.unreachableUntil) return { seconds: CONNECT_TIMEOUT_SECONDS, why: 'the network connection to the node was lost' };
    return undefined;
  }

  private async fail(nodeName: string, seconds: number, why: string, abort: OperationAbort): Promise<never> {
    await abort.sleep(seconds * 1000);
    this.model.advance();
    throw new AppError(TransportErrorCode.unreachable, ExitCode.connection, `${nodeName} is not reachable over WinRM (simulated: ${why}).`, {
      hint: 'In a rehearsal this is a modelled fault; the coordinator should wait and reconnect.',
      details: { node: nodeName },
      transient: true,
    });
  }

  /**
   * The cluster name resolves to the node that owns the core cluster group: here, the first node that is
   * up and answering, as the cluster name object moves to a surviving node when its owner goes down.
   */
  private clusterNameOwner(): SimNodeState | undefined {
    const nodes = this.model.state.nodes;
    return (
      nodes.find((n) => n.clusterState !== 'Down' && this.unreachable(n) === undefined) ??
      nodes.find((n) => this.unreachable(n) === undefined)
    );
  }

  async run(nodeName: string, invocation: ScriptInvocation, options: RunOptions = {}): Promise<ScriptOutcome> {
    const model = this.model;
    const controller = new OperationAbort(model.clock);
    const onOuterAbort = (): void => controller.abort(abortReason(options.signal!));
    if (options.signal?.aborted) throw abortReason(options.signal);
    options.signal?.addEventListener('abort', onOuterAbort, { once: true });
    // The deadline is a sleeper of its own; it is cancelled when the operation ends, so that at `max` speed
    // it does not pull virtual time forward.
    const timeoutMs = options.timeoutMs;
    const cancelDeadline =
      timeoutMs === undefined
        ? undefined
        : deadlineTimer(model.clock, timeoutMs, () => {
            controller.abort(new AppError(TransportErrorCode.timeout, ExitCode.connection, `${invocation.name} on ${nodeName} did not finish within ${timeoutMs} ms (simulated).`, { transient: true }));
          });
    try {
      return await this.runInner(nodeName, invocation, controller);
    } catch (e) {
      // Aborted (the deadline, or the caller): that is the outcome, whatever the handler threw on its way out.
      if (controller.reason !== undefined) throw controller.reason;
      throw e;
    } finally {
      cancelDeadline?.();
      options.signal?.removeEventListener('abort', onOuterAbort);
      if (model.dirty) {
        this.save();
        model.dirty = false;
      }
    }
  }

  private async runInner(nodeName: string, invocation: ScriptInvocation, abort: OperationAbort): Promise<ScriptOutcome> {
    const model = this.model;
    model.advance();
    const node = nodeName.toUpperCase() === model.state.name.toUpperCase() ? this.clusterNameOwner() : model.node(nodeName);
    if (!node) return this.fail(nodeName, REFUSED_SECONDS, nodeName.toUpperCase() === model.state.name.toUpperCase() ? `no node of cluster ${model.state.name} answers for the cluster name` : `no node named ${nodeName} in cluster ${model.state.name}`, abort);
    const away = this.unreachable(node);
    if (away) return this.fail(node.name, away.seconds, away.why, abort);

    if (node.setup.languageMode === 'ConstrainedLanguage') {
      model.logOp(node.name, invocation.name, 'constrained language');
      return { ok: false, error: { code: 'CONSTRAINED_LANGUAGE', message: constrainedLanguageMessage(node.name), category: 'SecurityError' } };
    }

    const name = invocation.name;
    if (!isOperationName(name)) {
      model.logOp(node.name, name, 'not found');
      return { ok: false, error: { code: ScriptErrorCode.scriptError, message: `The operation '${name}' was not found on ${node.name}.`, category: 'ObjectNotFound' } };
    }
    // As a real transport: operations that need network credentials get the admin's, which the model holds
    // unless its fixture says otherwise (sim/network-logon.ts). A payload that arrives with its credential
    // already (cauctl's WinRM transport, through the WS-Man test server) is taken as it came: the node sees
    // exactly what the client sent, a password or null.
    const credential = model.state.passwordHeld === false ? null : SIMULATED_CREDENTIAL;
    const arrived = Object.prototype.hasOwnProperty.call(invocation.params, 'networkCredential');
    const params = needsNetworkCredential(name, invocation.params) && !arrived ? { ...invocation.params, networkCredential: credential } : invocation.params;
    // zod's compiled fast path: the same acceptance and the same issues as the schema's own parser.
    const parsed = compiledSchema(operations[name].params).safeParse(params);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      model.logOp(node.name, name, 'invalid params');
      return { ok: false, error: { code: ScriptErrorCode.scriptError, message: `${name}: invalid parameters: ${issues}`, category: 'InvalidArgument' } };
    }

    const ctx: OpContext = {
      model,
      properties: this.properties,
      node,
      sleep: (ms) => abort.sleep(ms),
      wake: () => abort.wake(),
    };
    let outcome: ScriptOutcome;
    try {
      const handler = opHandlers[name] as (c: OpContext, p: unknown) => Promise<unknown>;
      outcome = { ok: true, data: await handler(ctx, parsed.data) };
    } catch (e) {
      if (!(e instanceof OpFailure)) throw e;
      outcome = { ok: false, error: { code: e.code, message: e.message } };
    }
    model.advance();
    model.logOp(node.name, name, outcome.ok ? 'ok' : outcome.error.code);

    // The node went away while the operation ran (a crash, or its own restart): the reply is lost.
    const awayNow = this.unreachable(node);
    if (awayNow && name !== 'restart-node') return this.fail(node.name, awayNow.seconds, awayNow.why, abort);

    const phase = phaseOf(name, parsed.data as Record<string, unknown>);
    const loss = phase === undefined ? undefined : node.faults.connectionLoss.find((f) => f.phase === phase && !f.used);
    if (loss) {
      // The operation took effect on the node; its reply never reaches the coordinator.
      loss.used = true;
      node.unreachableUntil = model.now + loss.seconds * 1000;
      model.touch(node);
      return this.fail(node.name, CONNECT_TIMEOUT_SECONDS, `the connection dropped during ${name} (connectionLoss fault, ${loss.seconds} s)`, abort);
    }
    return outcome;
  }

  async close(): Promise<void> {
    this.model.advance();
    if (this.model.dirty) {
      this.save();
      this.model.dirty = false;
    }
  }
}
