// WinRM failures as AppErrors with stable codes: WS-Man faults, HTTP auth refusals, network errors and one
// timeout class per phase. Never puts a password in a message. Depends on src/errors.ts and soap types only.
import { AppError, ExitCode, type AppErrorOptions } from '../../errors.js';
import type { WsmanFault } from './soap.js';

export const WinRmErrorCode = {
  shellNotFound: 'WINRM_SHELL_NOT_FOUND',
  quotaExceeded: 'WINRM_QUOTA_EXCEEDED',
  fault: 'WINRM_FAULT',
  protocol: 'WINRM_PROTOCOL_ERROR',
  authRefused: 'TRANSPORT_AUTH_REFUSED',
  unreachable: 'TRANSPORT_UNREACHABLE',
  tls: 'TRANSPORT_TLS_ERROR',
  connectTimeout: 'TRANSPORT_CONNECT_TIMEOUT',
  requestTimeout: 'TRANSPORT_REQUEST_TIMEOUT',
  receiveTimeout: 'TRANSPORT_RECEIVE_TIMEOUT',
  insecure: 'TRANSPORT_INSECURE_REFUSED',
  kerberosUnavailable: 'KERBEROS_UNAVAILABLE',
} as const;

/** WSManFault codes the client reacts to (winrm.md §1.7). */
export const FaultCode = {
  timedOut: 2150858793,
  shellNotFound: 2150858843,
  maxShells: 2150859173,
  maxOperations: 2150859174,
  accessDenied: 5,
} as const;

/** Where a fault happened, for messages. */
export interface FaultContext {
  readonly node: string;
  /** The WS-Man operation (`Create`, `Receive`...). */
  readonly operation: string;
}

/** A Receive that ran past OperationTimeout: the caller polls again, it is not an error. */
export function isTimedOutFault(fault: WsmanFault): boolean {
  return fault.code === FaultCode.timedOut || (fault.code === undefined && fault.subcode === 'TimedOut');
}

/** Maps a WS-Man fault (other than TimedOut) to an AppError with a stable code. */
export function faultToError(fault: WsmanFault, ctx: FaultContext): AppError {
  const details = { node: ctx.node, operation: ctx.operation, faultCode: fault.code, subcode: fault.subcode };
  const where = `${ctx.operation} on ${ctx.node}`;
  if (fault.code === FaultCode.shellNotFound || (fault.code === undefined && fault.subcode === 'InvalidSelectors')) {
    return new AppError(WinRmErrorCode.shellNotFound, ExitCode.connection, `The WinRM shell on ${ctx.node} is gone (${where}): ${fault.message}`, {
      hint: 'The shell was reaped, WinRM restarted or the node rebooted; a new shell is created automatically.',
      details,
      transient: true,
    });
  }
  if (fault.code === FaultCode.maxShells || fault.code === FaultCode.maxOperations) {
    return new AppError(WinRmErrorCode.quotaExceeded, ExitCode.connection, `WinRM quota reached on ${ctx.node} (${where}): ${fault.message}`, {
      hint: 'Close leaked shells (Restart-Service WinRM on the node) or raise MaxShellsPerUser / MaxConcurrentOperationsPerUser.',
      details,
    });
  }
  if (fault.code === FaultCode.accessDenied || fault.subcode === 'AccessDenied') {
    return new AppError(WinRmErrorCode.authRefused, ExitCode.connection, `Access denied by WinRM on ${ctx.node} (${where}): ${fault.message}`, {
      hint: 'The account must be an administrator of the node (for local accounts other than Administrator, set LocalAccountTokenFilterPolicy=1).',
      details,
    });
  }
  const code = fault.code === undefined ? fault.subcode ?? 'unknown' : `${fault.code} (0x${fault.code.toString(16).toUpperCase()})`;
  return new AppError(WinRmErrorCode.fault, ExitCode.internal, `WinRM fault ${code} from ${where}: ${fault.message}`, { details });
}

/** Whether `error` is a WS-Man fault the server answered with (so it refused the request; it did not act on it). */
export function isFaultError(error: unknown): boolean {
  return error instanceof AppError && error.details !== undefined && 'faultCode' in error.details && 'operation' in error.details;
}

/** HTTP 401 once the handshake is done, or credentials refused in the handshake. Names node and user only. */
export function authRefusedError(node: string, username: string, why: string, options: AppErrorOptions = {}): AppError {
  return new AppError(WinRmErrorCode.authRefused, ExitCode.connection, `WinRM on ${node} refused the credentials of ${username}: ${why}`, {
    hint: 'Check the user name (DOMAIN\\user or .\\user for a local account), the password, and that the account is an administrator of the node.',
    ...options,
  });
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ECONNABORTED',
  'ETIMEDOUT', 'EADDRNOTAVAIL', 'UND_ERR_SOCKET',
]);

/** Whether a Node network error means the node cannot be reached (or the connection dropped). */
export function isNetworkError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && UNREACHABLE_CODES.has(code);
}

export function unreachableError(node: string, endpoint: string, cause: unknown): AppError {
  const code = (cause as { code?: unknown } | null)?.code;
  return new AppError(
    WinRmErrorCode.unreachable,
    ExitCode.connection,
    `Cannot reach WinRM on ${node} at ${endpoint}${typeof code === 'string' ? ` (${code})` : ''}`,
    { hint: 'Check the name resolves, the node is up, and WinRM listens (winrm quickconfig; firewall ports 5985/5986).', cause, details: { node, endpoint }, transient: true },
  );
}

class PhaseTimeoutError extends AppError {
  constructor(code: string, message: string, hint: string, details: Record<string, unknown>) {
    super(code, ExitCode.connection, message, { hint, details, transient: true });
  }
}

/** TCP (and TLS) connection not established in time. */
export class ConnectTimeoutError extends PhaseTimeoutError {
  constructor(node: string, timeoutMs: number) {
    super(WinRmErrorCode.connectTimeout, `Connecting to WinRM on ${node} timed out after ${timeoutMs} ms`,
      'The node may be down, rebooting or firewalled.', { node, timeoutMs });
  }
}

/** One HTTP exchange got no response within the read timeout (which exceeds OperationTimeout). */
export class RequestTimeoutError extends PhaseTimeoutError {
  constructor(node: string, operation: string, timeoutMs: number) {
    super(WinRmErrorCode.requestTimeout, `WinRM on ${node} did not answer ${operation} within ${timeoutMs} ms`,
      'The node may be overloaded or the connection half-open; the operation is retried on a new connection.', { node, operation, timeoutMs });
  }
}

/** The command did not finish before the operation's deadline. */
export class ReceiveTimeoutError extends PhaseTimeoutError {
  constructor(node: string, timeoutMs: number) {
    super(WinRmErrorCode.receiveTimeout, `The command on ${node} did not finish within ${timeoutMs} ms`,
      'The command may still be running on the node; raise the operation timeout or check the node.', { node, timeoutMs });
  }
}

export function protocolError(node: string, message: string, cause?: unknown): AppError {
  return new AppError(WinRmErrorCode.protocol, ExitCode.internal, `Unexpected WinRM response from ${node}: ${message}`, {
    hint: 'This is likely a bug in cauctl or an unusual WinRM endpoint; please report it.',
    cause,
    details: { node },
  });
}
