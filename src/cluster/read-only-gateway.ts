/**
 * A gateway that sends only the operations the catalogue marks `readOnly`: the guarantee of `snapshot` and of
 * the smoke suite's default mode, enforced here rather than hoped for. Anything else is a bug in cauctl (exit
 * 1) and is refused before it reaches a node. Depends on the gateway interface and the catalogue.
 */
import { AppError, ExitCode } from '../errors.js';
import type { CallOptions, Gateway } from './gateway.js';
import { operations, type OperationName, type OperationParams, type OperationResult, type OperationSpec } from './operations.js';

export function isReadOnlyOperation(name: string): boolean {
  const spec = (operations as Record<string, OperationSpec | undefined>)[name];
  return spec?.readOnly === true;
}

export class ReadOnlyGateway implements Gateway {
  constructor(
    private readonly inner: Gateway,
    /** What promised to only read, for the message. */
    private readonly what: string,
  ) {}

  call<N extends OperationName>(node: string, name: N, params: OperationParams<N>, options?: CallOptions): Promise<OperationResult<N>> {
    if (!isReadOnlyOperation(name)) {
      return Promise.reject(
        new AppError('READ_ONLY_VIOLATION', ExitCode.internal, `${this.what} is read-only, and it was about to send ${name} to ${node}, which may change the cluster. Nothing was sent.`, {
          hint: 'This is a bug in cauctl; report it with the command line. The cluster was not changed by this call.',
          details: { operation: name, node },
        }),
      );
    }
    return this.inner.call(node, name, params, options);
  }
}
