// Kerberos client contexts for WinRM authentication over HTTPS, through the optional native `kerberos` package
// (GSSAPI on Linux and macOS, SSPI on Windows), loaded only when asked for. Depends on node:net and errors only;
// never on node:http, the NTLM layer or any module-level state.
import { isIP } from 'node:net';
import { AppError, ExitCode } from '../../errors.js';
import { WinRmErrorCode } from './errors.js';

export const KerberosErrorCode = {
  /** The package is missing or will not load, or Kerberos was asked for over plain HTTP. Exit 2. */
  unavailable: WinRmErrorCode.kerberosUnavailable,
  /** The node was given as an IP address: no service principal can be named for it. Exit 2. */
  hostNameRequired: 'KERBEROS_HOST_NAME_REQUIRED',
  /** `--username` in a form Kerberos cannot use (`DOMAIN\user`). Exit 2. */
  badPrincipal: 'KERBEROS_BAD_PRINCIPAL',
} as const;

/** The HTTP authentication scheme the token travels in: SPNEGO-wrapped (`Negotiate`) or raw (`Kerberos`). */
export type KerberosScheme = 'Negotiate' | 'Kerberos';

/** The part of the `kerberos` package's client this adapter uses (its documented API). */
export interface KerberosClientLike {
  /** Base64 server token in (empty for the first step), base64 client token out (null when there is none). */
  step(challenge: string): Promise<string | null | undefined>;
  readonly contextComplete: boolean;
  /** The initiator's principal, once the context is complete. */
  readonly username?: string | null;
}

export interface KerberosModuleLike {
  initializeClient(service: string, options?: { principal?: string; mechOID?: number }): Promise<KerberosClientLike>;
  readonly GSS_MECH_OID_SPNEGO?: number;
  readonly GSS_MECH_OID_KRB5?: number;
}

/** Loads the `kerberos` module (or a fake of it); rejects when it is not there. */
export type KerberosModuleLoader = () => Promise<unknown>;

/** The real loader. The name is a variable so that the compiler never looks for the package's types. */
export const loadKerberosPackage: KerberosModuleLoader = () => {
  const name = 'kerberos';
  return import(name);
};

const INSTALL_HINT =
  'Install it next to cauctl with npm install kerberos (on Linux this builds a native addon: it needs libkrb5-dev and a C/C++ toolchain with make and python3), or use --authentication Negotiate.';

const REINSTALL_HINT =
  'Reinstall it for this Node version (npm install kerberos, which needs libkrb5-dev and a C/C++ toolchain), check that the system Kerberos libraries (libgssapi-krb5-2) are present, or use --authentication Negotiate.';

/** Kerberos over plain HTTP would need its own message encryption, which cauctl cannot do. */
export function kerberosOverHttpError(host: string): AppError {
  return new AppError(
    KerberosErrorCode.unavailable,
    ExitCode.usage,
    `Kerberos authentication to ${host} needs HTTPS (--use-ssl): over plain HTTP, WinRM requires Kerberos message encryption (gss_wrap_iov), which no npm package exposes.`,
    {
      hint: 'Add --use-ssl (WinRM HTTPS listener, port 5986), or use --authentication Negotiate, which encrypts every message over HTTP.',
      details: { node: host },
    },
  );
}

/** `HTTP@<host>`, the host-based service name GSSAPI turns into the SPN `HTTP/<host>`. */
export function kerberosServiceName(host: string): string {
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare) !== 0) {
    throw new AppError(
      KerberosErrorCode.hostNameRequired,
      ExitCode.usage,
      `Kerberos cannot authenticate to ${host}: it is an IP address, and Kerberos service tickets are issued for host names (SPN HTTP/<fqdn>).`,
      { hint: 'Name the node by its fully qualified DNS name (for example node1.corp.example.com), or use --authentication Negotiate.', details: { node: host } },
    );
  }
  return `HTTP@${bare}`;
}

/**
 * The client principal for `--username`: none (the ticket cache's default) when empty, else `user@REALM` or a
 * bare `user` (default realm) as given. `DOMAIN\user` is refused: a NetBIOS domain is not a realm.
 */
export function kerberosPrincipal(username: string): string | undefined {
  const trimmed = username.trim();
  if (trimmed === '') return undefined;
  if (trimmed.includes('\\')) {
    const [domain, user] = trimmed.split('\\', 2);
    throw new AppError(
      KerberosErrorCode.badPrincipal,
      ExitCode.usage,
      `Kerberos needs the user as user@REALM, not ${trimmed}: ${domain} is a Windows domain name, not a Kerberos realm.`,
      { hint: `Pass --username ${user}@<REALM> (the AD DNS domain in capitals, for example ${user}@CORP.EXAMPLE.COM), or leave --username out to use the default principal of your ticket cache (kinit).` },
    );
  }
  return trimmed;
}

/** The package as a module namespace or as its CommonJS `default`; refuses anything without `initializeClient`. */
export async function loadKerberosModule(load: KerberosModuleLoader = loadKerberosPackage): Promise<KerberosModuleLike> {
  let loaded: unknown;
  try {
    loaded = await load();
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
    throw new AppError(
      KerberosErrorCode.unavailable,
      ExitCode.usage,
      missing
        ? 'Kerberos authentication needs the optional "kerberos" package, which is not installed.'
        : `The optional "kerberos" package is installed but cannot be loaded: ${(error as Error).message}`,
      { hint: missing ? INSTALL_HINT : REINSTALL_HINT, cause: error },
    );
  }
  for (const candidate of [loaded, (loaded as { default?: unknown } | null)?.default]) {
    if (typeof (candidate as Partial<KerberosModuleLike> | null)?.initializeClient === 'function') return candidate as KerberosModuleLike;
  }
  throw new AppError(KerberosErrorCode.unavailable, ExitCode.usage, 'The installed "kerberos" package has no initializeClient(): it is not the mongodb-js kerberos addon cauctl supports.', {
    hint: INSTALL_HINT,
  });
}

export interface KerberosContextOptions {
  /** The node's host name as it will be asked for (not an IP address). */
  readonly host: string;
  /** `--username`; empty means the default principal of the caller's ticket cache. */
  readonly username: string;
  /** @default 'Negotiate' */
  readonly scheme?: KerberosScheme;
}

/**
 * One security context, one per connection. Credentials come from the caller's ticket cache (kinit) or, on
 * Windows, the signed-in logon session; no password is ever handled here.
 */
export class KerberosContext {
  readonly scheme: KerberosScheme;
  /** `HTTP@<host>`. */
  readonly service: string;
  /** The principal asked for, if any. */
  readonly principal: string | undefined;
  private readonly host: string;
  private readonly client: KerberosClientLike;

  private constructor(host: string, scheme: KerberosScheme, service: string, principal: string | undefined, client: KerberosClientLike) {
    this.host = host;
    this.scheme = scheme;
    this.service = service;
    this.principal = principal;
    this.client = client;
  }

  /** Validates the names (before loading anything), loads the package and starts a client context. */
  static async create(options: KerberosContextOptions, load: KerberosModuleLoader = loadKerberosPackage): Promise<KerberosContext> {
    const service = kerberosServiceName(options.host);
    const principal = kerberosPrincipal(options.username);
    const scheme = options.scheme ?? 'Negotiate';
    const kerberos = await loadKerberosModule(load);
    const mechOID = scheme === 'Negotiate' ? kerberos.GSS_MECH_OID_SPNEGO : kerberos.GSS_MECH_OID_KRB5;
    if (scheme === 'Negotiate' && typeof mechOID !== 'number') {
      throw new AppError(KerberosErrorCode.unavailable, ExitCode.usage, 'The installed "kerberos" package is too old: it cannot produce SPNEGO (Negotiate) tokens.', {
        hint: 'Install kerberos 2.0 or later (npm install kerberos).',
      });
    }
    // The package's default flags already ask for mutual authentication and sequencing, which WinRM expects;
    // its option for them is spelt differently in its types and its code, so it is left alone.
    const initOptions = { ...(principal !== undefined ? { principal } : {}), ...(typeof mechOID === 'number' ? { mechOID } : {}) };
    let client: KerberosClientLike;
    try {
      client = await kerberos.initializeClient(service, initOptions);
    } catch (error) {
      throw kerberosRefusedError(options.host, principal, service, error);
    }
    return new KerberosContext(options.host, scheme, service, principal, client);
  }

  /** Whether the context is established, the node's own identity proven (mutual authentication) included. */
  get complete(): boolean {
    return this.client.contextComplete;
  }

  /** Who authenticated: the initiator name once known, else the principal asked for, else the ticket cache. */
  get principalLabel(): string {
    return this.client.username || this.principal || 'the default principal of the Kerberos ticket cache';
  }

  /**
   * Feeds the node's token (none for the first step) and returns the next token to send, or undefined when the
   * context has nothing more to say (as after the node's final mutual-authentication token).
   */
  async step(serverToken?: Buffer): Promise<Buffer | undefined> {
    let response: string | null | undefined;
    try {
      response = await this.client.step(serverToken ? serverToken.toString('base64') : '');
    } catch (error) {
      throw kerberosRefusedError(this.host, this.principal, this.service, error);
    }
    return response ? Buffer.from(response, 'base64') : undefined;
  }
}

/** GSSAPI/SSPI said no: no ticket, unknown SPN, clock skew, a bad reply. Names node, principal and service. */
export function kerberosRefusedError(host: string, principal: string | undefined, service: string, cause: unknown): AppError {
  const who = principal ?? 'the default principal of the Kerberos ticket cache';
  const why = cause instanceof Error ? cause.message : String(cause);
  return new AppError(WinRmErrorCode.authRefused, ExitCode.connection, `Kerberos authentication of ${who} to ${host} (service ${service}) failed: ${why}`, {
    hint: `Check that you hold a ticket (klist; kinit ${principal ?? 'user@REALM'}), that ${host} is the node's DNS name with an SPN HTTP/${host} in the domain, and that the clocks agree.`,
    cause,
    details: { node: host, service, ...(principal !== undefined ? { principal } : {}) },
  });
}
