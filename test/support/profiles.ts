/** Test data builders for core's inputs (STYLE.md §9: small override-taking builders). */
import type { RunProfile } from '../../src/core/types.js';

/** A run profile with CAU's defaults and one retry per node. */
export function aRunProfile(overrides: Partial<RunProfile> = {}): RunProfile {
  return {
    plugins: [{ plugin: 'Microsoft.WindowsUpdatePlugin', arguments: {} }],
    maxRetriesPerNode: 1,
    configurationName: 'Microsoft.PowerShell',
    requireAllNodesOnline: false,
    rebootTimeoutMinutes: 15,
    separateReboots: false,
    enableFirewallRules: false,
    failbackMode: 'Immediate',
    runPluginsSerially: false,
    stopOnPluginFailure: false,
    suspendClusterNodeTimeoutMinutes: 30,
    waitForStorageRepairTimeoutMinutes: 60,
    forcePauseAndDrain: false,
    attemptSoftReboot: false,
    ...overrides,
  };
}
