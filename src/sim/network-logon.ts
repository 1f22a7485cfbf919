/**
 * The second hop in the model. A node session (WinRM with NTLM, or Kerberos without delegation) has no
 * network credentials, so operations that reach other machines are denied unless they run in a fresh logon:
 * the transport attaches the admin's credential when the model "holds the password" (fixture `passwordHeld`,
 * default true, as a run with --username and a password). Depends on the catalogue and op-context only.
 */
import { NetworkCredentialErrorCode, type NetworkCredential } from '../cluster/operations-credential.js';
import { OpFailure, type OpContext } from './op-context.js';

/** What the simulator's transport attaches for a model that holds the password; no real secret. */
export const SIMULATED_CREDENTIAL: NetworkCredential = { userName: 'SIMULATED\\admin', password: 'simulated' };

/** Passes (and logs a `network-logon` op) when the call came with a credential; otherwise denied, as on Windows. */
export function requireNetworkLogon(ctx: OpContext, credential: NetworkCredential | null | undefined, action: string): void {
  if (credential !== null && credential !== undefined) {
    ctx.model.logOp(ctx.node.name, 'network-logon', action);
    return;
  }
  throw new OpFailure(
    NetworkCredentialErrorCode.required,
    `${action} on ${ctx.node.name} must reach other machines, and this session has no network credentials to do it with (simulated: the model holds no password). Give cauctl your password (--password-file, or CAUCTL_PASSWORD with --username), or configure Kerberos constrained delegation.`,
  );
}
