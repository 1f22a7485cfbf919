/**
 * `run --pre-install` (issue 18), as decisions: a canary node goes through the whole normal cycle first; if it
 * succeeds, the other nodes' updates are installed while they still serve (no restart), so that each node's
 * maintenance window holds only the drain, the restart, a rescan (follow-ups installed inside the window), the
 * resume and the resync. Only Software updates of the Windows Update plug-in are pre-installed: drivers and
 * firmware, the Hotfix plug-in, setup media and script plug-ins can reset devices, so they stay in the window
 * (the node itself leaves anything but Software `NotStarted`). A failed pre-install is a failed attempt of the
 * node (retry and MaxFailedNodes rules as usual), retried inside its window; a failed canary falls back to the
 * serial run. Pure; depends on the catalogue's types only.
 */
import type { PluginName, UpdateInstallResult } from '../cluster/operations.js';
import type { ScannedUpdate } from './node-steps/scan.js';
import type { RunStatus } from './events.js';

/** The only plug-in whose updates install on a serving node. */
export const PRE_INSTALL_PLUGIN: PluginName = 'Microsoft.WindowsUpdatePlugin';

/** The result code a node gives an update it leaves for the maintenance window (a driver, firmware). */
export const LEFT_FOR_WINDOW = 'NotStarted';

/** The updates of a node that may be installed while it serves: the Windows Update plug-in's, no feature update. */
export function preInstallable(updates: readonly ScannedUpdate[]): ScannedUpdate[] {
  return updates.filter((u) => u.plugin === PRE_INSTALL_PLUGIN && u.featureUpdate === undefined);
}

/** The canary: the first node of the order that has something to install; undefined when none has. */
export function pickCanary(order: readonly string[], pending: ReadonlyMap<string, readonly ScannedUpdate[]>): string | undefined {
  return order.find((node) => (pending.get(node)?.length ?? 0) > 0);
}

/** After the canary's node result: go on with the pre-install, or fall back to the serial run (and why). */
export function afterCanary(canary: string, status: RunStatus, halted: boolean): { next: 'pre-install' } | { next: 'serial'; reason: string } {
  if (halted) return { next: 'serial', reason: `the run halted during the canary ${canary}` };
  if (status === 'Succeeded') return { next: 'pre-install' };
  return { next: 'serial', reason: `the canary ${canary} ended ${status}, so nothing is pre-installed: the other nodes update one at a time, as without --pre-install` };
}

export type PreInstallOutcome =
  | {
      readonly ok: true;
      /** Installed while serving: these count as the node's installs. */
      readonly installed: readonly UpdateInstallResult[];
      /** Left for the window by the node (not Software). */
      readonly leftForWindow: readonly string[];
      /** Something was installed that needs the restart the window brings. */
      readonly rebootRequired: boolean;
    }
  | { readonly ok: false; readonly failed: readonly UpdateInstallResult[]; readonly message: string };

const FAILED = new Set(['Failed', 'Aborted']);

/** What one node's pre-install did, from its task's end state and results. */
export function preInstallOutcome(node: string, task: { readonly state: string; readonly results: readonly UpdateInstallResult[]; readonly rebootRequired: boolean; readonly message?: string | undefined }, updateIds: readonly string[]): PreInstallOutcome {
  const failed = task.results.filter((r) => FAILED.has(r.resultCode));
  const known = new Set(task.results.map((r) => r.updateId.toLowerCase()));
  const missing = updateIds.filter((id) => !known.has(id.toLowerCase()));
  if (task.state !== 'Completed' || failed.length > 0) {
    const what = failed.length > 0 ? failed.map((f) => `${f.kb || f.title || f.updateId} (${f.errorCode})`).join(', ') : `the task ended ${task.state}`;
    return { ok: false, failed, message: `The pre-install on ${node} failed: ${what}${task.message ? `; ${task.message.replace(/\.\s*$/, '')}` : ''}. Its maintenance window installs again.` };
  }
  if (missing.length > 0) {
    return { ok: false, failed: [], message: `The pre-install on ${node} reported nothing for ${missing.join(', ')}. Its maintenance window installs again.` };
  }
  return {
    ok: true,
    installed: task.results.filter((r) => r.resultCode !== LEFT_FOR_WINDOW),
    leftForWindow: task.results.filter((r) => r.resultCode === LEFT_FOR_WINDOW).map((r) => r.updateId),
    rebootRequired: task.rebootRequired || task.results.some((r) => r.rebootRequired),
  };
}
