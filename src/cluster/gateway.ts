/**
 * ClusterGateway: typed operations on a cluster's nodes. Each call builds an invocation from the catalogue,
 * runs it through the Transport within a deadline (the caller's `timeoutMs`, or the default of the operation's
 * kind: operation-timeouts.ts), and parses the result with the operation's zod schema (compiled on first use:
 * compiled-schema.ts; a reply that does not match is refused with zod's issues).
 * Depends on the transport interface, never on a concrete transport.
 */
import { AppError, ExitCode } from '../errors.js';
import type { RunOptions, Transport } from '../transport/transport.js';
import { TransportErrorCode } from '../transport/transport.js';
import { compiledSchema } from './compiled-schema.js';
import { buildInvocation } from './invocation.js';
import { OPERATION_KINDS, defaultTimeoutMs } from './operation-timeouts.js';
import { operations, type OperationName, type OperationParams, type OperationResult } from './operations.js';

/** An operation that ran and reported a failure of its own (`{ ok: false }`). */
export class OperationFailedError extends AppError {
  readonly operation: string;
  readonly node: string;
  readonly scriptCode: string;

  constructor(operation: string, node: string, scriptCode: string, message: string) {
    // The node's text is a value inside this one-line message: its line breaks are shown escaped (\r, \n), so a
    // node (or a hostile model) cannot forge lines where the message is printed.
    super('OPERATION_FAILED', ExitCode.runFailed, `${operation} on ${node} failed: ${message.replace(/\r/g, '\\r').replace(/\n/g, '\\n')}`, {
      details: { operation, node, scriptCode },
    });
    this.operation = operation;
    this.node = node;
    this.scriptCode = scriptCode;
  }
}

/** The transports' own timeout codes; the gateway reports each as one OPERATION_TIMEOUT. */
const TRANSPORT_TIMEOUT_CODES: ReadonlySet<string> = new Set([TransportErrorCode.timeout, 'TRANSPORT_RECEIVE_TIMEOUT']);

/**
 * An operation ran past its deadline (exit 4). Transient: the node may only be slow or the connection
 * half-open, so a retrying gateway repeats an idempotent call; the command may still be running on the node.
 */
export class OperationTimeoutError extends AppError {
  constructor(operation: OperationName, node: string, timeoutMs: number, cause: unknown) {
    const kind = OPERATION_KINDS[operation];
    super('OPERATION_TIMEOUT', ExitCode.connection, `${operation} on ${node} did not finish within ${formatMs(timeoutMs)} (the deadline of a ${kind} operation).`, {
      hint: `The node may be overloaded, hung or half-reachable, and the command may still be running there. Check ${node} (Get-ClusterNode, its event log), then try again.`,
      details: { operation, node, timeoutMs, kind },
      transient: true,
      cause,
    });
  }
}

function formatMs(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`;
}

/** Options of one gateway call: the transport's, and whether a retrying gateway may repeat it. */
export interface CallOptions extends RunOptions {
  /**
   * `false`: one try, whatever the catalogue says (a poll loop that handles transient failures itself).
   * A number: an absolute deadline (the caller's clock, ms) that no retry goes past.
   * @default the gateway's policy
   */
  retry?: false | { readonly untilMs: number };
}

/** What core needs of a gateway: typed calls. The transport gateway and the retrying decorator both are one. */
export interface Gateway {
  call<N extends OperationName>(node: string, name: N, params: OperationParams<N>, options?: CallOptions): Promise<OperationResult<N>>;
}

export class ClusterGateway implements Gateway {
  constructor(private readonly transport: Transport) {}

  get transportName(): string {
    return this.transport.name;
  }

  async call<N extends OperationName>(
    node: string,
    name: N,
    params: OperationParams<N>,
    options: CallOptions = {},
  ): Promise<OperationResult<N>> {
    const invocation = buildInvocation(name, params);
    const { retry: _retry, ...rest } = options;
    const timeoutMs = rest.timeoutMs ?? defaultTimeoutMs(name, params);
    let outcome;
    try {
      outcome = await this.transport.run(node, invocation, { ...rest, timeoutMs });
    } catch (error) {
      if (error instanceof AppError && TRANSPORT_TIMEOUT_CODES.has(error.code)) throw new OperationTimeoutError(name, node, timeoutMs, error);
      throw error;
    }
    if (!outcome.ok) throw new OperationFailedError(name, node, outcome.error.code, outcome.error.message);
    const parsed = compiledSchema(operations[name].result).safeParse(outcome.data);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new AppError(
        TransportErrorCode.protocol,
        ExitCode.internal,
        `${name} on ${node} returned a result that does not match its schema: ${issues}`,
        { hint: 'This is a mismatch between cauctl and the node-side script; run with --verbose and report it.' },
      );
    }
    return parsed.data as OperationResult<N>;
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}
