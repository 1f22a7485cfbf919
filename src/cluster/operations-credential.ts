/**
 * The operations that must reach other machines from the node they run on (the second hop): Test-Cluster,
 * the *-CauClusterRole cmdlets, a pre/post-update script that may live on a share. A WinRM session (NTLM, or
 * Kerberos without delegation) has no network credentials, so each of these takes a `networkCredential`
 * parameter that the transport fills in when it holds the admin's password (the script then runs in a fresh
 * Password logon as that account), or sets to null (the script runs in the session and fails with
 * NETWORK_CREDENTIAL_REQUIRED where it is denied). Callers never set it. Depends on zod only.
 */
import { z } from 'zod';

/** What the transport attaches; the password travels as data in the payload, never in argv or logs. */
export const networkCredentialParam = z.object({ userName: z.string().min(1), password: z.string() }).nullable().optional();
export type NetworkCredential = { readonly userName: string; readonly password: string };

/** Operations whose script takes `networkCredential`, and what each does that needs it (for test-setup). */
export const NETWORK_CREDENTIAL_OPERATIONS = {
  'test-cluster': 'cluster validation (Test-Cluster) before a feature update and after post-install',
  'add-cau-role': 'add-role (Add-CauClusterRole)',
  'set-cau-role': 'set-role (Set-CauClusterRole)',
  'change-cau-role': 'enable-role, disable-role and remove-role (Enable-, Disable-, Remove-CauClusterRole)',
  'update-cau-role-now': 'set-role --update-now (Set-CauClusterRole -UpdateNow)',
  'invoke-node-script': 'pre- and post-update scripts (PreUpdateScript, PostUpdateScript), which may live on a share',
  'scan-updates': "HotfixPlugin scans of the hotfix root (HotfixRootFolderPath), which is usually a share, and script plug-ins' scans (a vendor repository on a share)",
} as const;

/** Script error codes of the network-logon path. */
export const NetworkCredentialErrorCode = {
  /** Denied without network credentials: give the password or set up constrained delegation. */
  required: 'NETWORK_CREDENTIAL_REQUIRED',
  /** The scheduled task for the fresh logon ended without a result (password refused, no batch logon right). */
  logonFailed: 'NETWORK_LOGON_FAILED',
  logonTimeout: 'NETWORK_LOGON_TIMEOUT',
} as const;

/**
 * Whether this call's script takes the credential: scan-updates only for HotfixPlugin, which reads the root,
 * and for a script plug-in, whose scan.ps1 may read a vendor repository on a share (docs/plugins.md).
 */
export function needsNetworkCredential(operation: string, params: Readonly<Record<string, unknown>> = {}): boolean {
  if (operation === 'scan-updates') return params['plugin'] === 'Microsoft.HotfixPlugin' || params['pluginScript'] !== undefined;
  return Object.prototype.hasOwnProperty.call(NETWORK_CREDENTIAL_OPERATIONS, operation);
}
