/**
 * The Transport interface: how an operation reaches a node. Implementations: winrm/, local-pwsh/, and the
 * simulator (sim-transport.ts). Depends on nothing but errors.
 */

/** One remote action: a fixed script text plus its parameters, which travel as JSON data. */
export interface ScriptInvocation {
  /** Operation name, the `.ps1` file's base name (`suspend-node`). */
  readonly name: string;
  /** The script text, byte for byte the `.ps1` file. Nothing is ever substituted into it. */
  readonly script: string;
  /** Parameters, splatted as `& $block @params` on the node. JSON-serializable. */
  readonly params: Readonly<Record<string, unknown>>;
  /**
   * Fixed PowerShell text of shared functions (src/cluster/node-helpers), carried beside the script and
   * dot-sourced by the bootstrap before the script runs. Never holds values.
   */
  readonly helpers?: string;
  /**
   * The script takes a `networkCredential` parameter (it must reach other machines): the transport fills it
   * in with the account and password it holds, or null (src/cluster/operations-credential.ts).
   */
  readonly networkCredential?: boolean;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** Deadline for the whole operation, in milliseconds of the transport's clock. */
  timeoutMs?: number;
}

/**
 * What the bootstrap prints: `{ ok: true, data }` or `{ ok: false, error }`, with the warnings the script
 * wrote (present only when there were some).
 */
export type ScriptOutcome =
  | { ok: true; data: unknown; warnings?: readonly string[] }
  | { ok: false; error: { code: string; message: string; category?: string }; warnings?: readonly string[] };

export interface Transport {
  /** Transport name as given to `--transport`. */
  readonly name: string;
  /** Runs one invocation on one node and returns the script's structured outcome. */
  run(node: string, invocation: ScriptInvocation, options?: RunOptions): Promise<ScriptOutcome>;
  /** Releases sessions and sockets. */
  close(): Promise<void>;
}

/** Transport-level error codes a caller may branch on. */
export const TransportErrorCode = {
  unreachable: 'TRANSPORT_UNREACHABLE',
  authRefused: 'TRANSPORT_AUTH_REFUSED',
  timeout: 'TRANSPORT_TIMEOUT',
  protocol: 'SCRIPT_PROTOCOL_ERROR',
} as const;
