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
  /** A Send answered TimedOut, 1460 or 170 (the data may be in the pipe) and no result came in time. */
  maybeDelivered: 'WINRM_SEND_MAYBE_DELIVERED',
  /** The node-side process ended (Done, a crash, a reboot) without the result of this payload. */
  processEnded: 'WINRM_PROCESS_ENDED_WITHOUT_RESULT',
  /** HTTP 503 or 404: HTTP.sys answers while the WinRM service stops or starts (a reboot window). */
  serviceUnavailable: 'WINRM_SERVICE_UNAVAILABLE',
  /** HTTP 400: the node could not read the request (message encryption out of step); the connection is reset. */
  badRequest: 'WINRM_BAD_REQUEST',
  /** A reply body, or an operation's output, larger than the documented cap. */
  replyTooLarge: 'WINRM_REPLY_TOO_LARGE',
} as const;

/** WSManFault codes the client reacts to (winrm.md §1.7). */
export const FaultCode = {
  timedOut: 2150858793,
  shellNotFound: 2150858843,
  maxShells: 2150859173,
  maxOperations: 2150859174,
  accessDenied: 5,
  /** ERROR_TIMEOUT on a Send: the pipe did not take the data in time; it may still. */
  sendTimeout: 1460,
  /** ERROR_BUSY on a Send: the pipe is busy (powershell.exe still starting); the data may be in it. */
  busy: 170,
  /** ERROR_NO_DATA, "the pipe is being closed": the process behind the command has exited. */
  pipeClosed: 232,
} as const;

/**
 * A Send that faulted this way may have left its data in the process's stdin pipe (ansible#79016): the
 * payload must be treated as delivered, and the command's output received, never sent again.
 */
export function isMaybeDeliveredSendFault(fault: WsmanFault): boolean {
  return isTimedOutFault(fault) || fault.code === FaultCode.sendTimeout || fault.code === FaultCode.busy;
}

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

/** What cauctl says when a payload's result did not come after a Send that may have delivered it. */
export function maybeDeliveredError(node: string, operation: string, fault: string, cause?: unknown): AppError {
  return new AppError(
    WinRmErrorCode.maybeDelivered,
    ExitCode.connection,
    `The payload of ${operation} on ${node} may have reached PowerShell (the Send answered ${fault}) but no result came back before the deadline; whether it ran is unknown`,
    {
      hint: 'The node may be busy starting PowerShell (right after a reboot). cauctl did not send it again; check the node, or retry an operation that is safe to repeat.',
      cause,
      details: { node, operation, fault, outcomeUnknown: true },
      transient: true,
    },
  );
}

/** The process behind the command ended without this payload's result (crash, quota kill, shutdown). */
export function processEndedError(node: string, operation: string, exitCode: number | undefined, stderrTail: string): AppError {
  const exit = exitCode === undefined ? '' : ` (exit code ${exitCode}${exitCode === 3221225786 || exitCode === 3221225794 ? ', the process was stopped by a shutdown or a logoff' : ''})`;
  return new AppError(
    WinRmErrorCode.processEnded,
    ExitCode.connection,
    `PowerShell on ${node} ended without the result of ${operation}${exit}${stderrTail === '' ? '' : `: ${stderrTail}`}; whether it ran is unknown`,
    {
      hint: 'The node may be shutting down, WinRM may have restarted, or a quota stopped the process; a new process is started for the next operation.',
      details: { node, operation, exitCode, outcomeUnknown: true },
      transient: true,
    },
  );
}

/** HTTP 503/404 from HTTP.sys: the WinRM service is not listening behind it (stopping or starting). */
export function serviceUnavailableError(node: string, operation: string, status: number): AppError {
  return new AppError(WinRmErrorCode.serviceUnavailable, ExitCode.connection, `WinRM on ${node} is not available (HTTP ${status} to ${operation}); the service is stopping or starting`, {
    hint: 'This is normal while a node reboots; if it lasts, check the WinRM service on the node (Get-Service WinRM).',
    details: { node, operation, status },
    transient: true,
  });
}

/** HTTP 400: the node could not read the request; with message encryption, the keys are out of step. */
export function badRequestError(node: string, operation: string): AppError {
  return new AppError(WinRmErrorCode.badRequest, ExitCode.connection, `WinRM on ${node} could not read the ${operation} request (HTTP 400); the connection was reset`, {
    hint: 'A new connection authenticates again with new keys; if it repeats, run with --verbose and report it.',
    details: { node, operation, status: 400 },
    transient: true,
  });
}

export function protocolError(node: string, message: string, cause?: unknown): AppError {
  return new AppError(WinRmErrorCode.protocol, ExitCode.internal, `Unexpected WinRM response from ${node}: ${message}`, {
    hint: 'This is likely a bug in cauctl or an unusual WinRM endpoint; please report it.',
    cause,
    details: { node },
  });
}
