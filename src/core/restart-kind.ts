/**
 * Which restart an update leads to, as the run would ask for it: none, a full restart, or a Kernel Soft
 * Reboot (KSR). KSR skips firmware initialisation, so it serves quality updates only (cau-surface.md §10:
 * WindowsUpdatePlugin quality updates, HotfixPlugin packages); an OS (feature) upgrade, and a registered script
 * plug-in's update (a vendor's firmware or driver), always restart fully.
 * Used by `scan --attempt-soft-reboot / --reboot-mode` to show the restarts a run would bring. Pure; depends
 * on nothing.
 */

export type RestartKind = 'SoftReboot' | 'FullReboot';

export interface RestartSubject {
  readonly rebootRequired: boolean;
  readonly plugin: string;
  /** Set for a feature update (RollingUpgradePlugin's offer). */
  readonly featureUpdate?: string | undefined;
}

const FEATURE_PLUGIN = 'Microsoft.RollingUpgradePlugin';
const BUILTIN_PLUGINS: ReadonlySet<string> = new Set(['Microsoft.WindowsUpdatePlugin', 'Microsoft.HotfixPlugin', FEATURE_PLUGIN]);

/** The restart `update` brings when the run asks for a soft one (`attemptSoftReboot`) or not; null: none. */
export function restartFor(update: RestartSubject, attemptSoftReboot: boolean): RestartKind | null {
  if (!update.rebootRequired) return null;
  if (update.featureUpdate !== undefined || update.plugin === FEATURE_PLUGIN) return 'FullReboot';
  // A script plug-in's updates (a vendor's firmware, drivers) take effect at firmware initialisation only.
  if (!BUILTIN_PLUGINS.has(update.plugin)) return 'FullReboot';
  return attemptSoftReboot ? 'SoftReboot' : 'FullReboot';
}

/** A node restarts once for a round: fully when any of its updates needs it, softly when all can; null: none. */
export function nodeRestart(updates: readonly RestartSubject[], attemptSoftReboot: boolean): RestartKind | null {
  const kinds = updates.map((u) => restartFor(u, attemptSoftReboot)).filter((k): k is RestartKind => k !== null);
  if (kinds.length === 0) return null;
  return kinds.includes('FullReboot') ? 'FullReboot' : 'SoftReboot';
}
