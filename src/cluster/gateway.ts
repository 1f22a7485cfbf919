/**
 * ClusterGateway: typed operations on a cluster's nodes. Each call builds an invocation from the catalogue,
 * runs it through the Transport, and parses the result with the operation's zod schema.
 * Depends on the transport interface, never on a concrete transport.
 */
import { AppError, ExitCode } from '../errors.js';
import type { RunOptions, Transport } from '../transport/transport.js';
import { TransportErrorCode } from '../transport/transport.js';
import { buildInvocation } from './invocation.js';
import { operations, type OperationName, type OperationParams, type OperationResult } from './operations.js';

/** An operation that ran and reported a failure of its own (`{ ok: false }`). */
export class OperationFailedError extends AppError {
  readonly operation: string;
  readonly node: string;
  readonly scriptCode: string;

  constructor(operation: string, node: string, scriptCode: string, message: string) {
    super('OPERATION_FAILED', ExitCode.runFailed, `${operation} on ${node} failed: ${message}`, {
      details: { operation, node, scriptCode },
    });
    this.operation = operation;
    this.node = node;
    this.scriptCode = scriptCode;
  }
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
    const { retry: _retry, ...runOptions } = options;
    const outcome = await this.transport.run(node, invocation, runOptions);
    if (!outcome.ok) throw new OperationFailedError(name, node, outcome.error.code, outcome.error.message);
    const parsed = operations[name].result.safeParse(outcome.data);
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
