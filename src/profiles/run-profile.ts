/**
 * `run` options → RunProfile (mirrors Invoke-CauRun) in three steps: parse (zod shape of the raw flags),
 * normalize (numbers, durations, plug-in arguments, defaults), rules (cross-field checks). Every problem
 * is reported at once as `path: message`.
 */
import { z } from 'zod';
import { FailbackMode } from '../cluster/operations.js';
import { DEFAULT_SUSPEND_TRIES } from '../core/node-steps/suspend.js';
import type { RunProfile } from '../core/types.js';
import { describeError } from '../errors.js';
import { parseDuration } from './duration.js';
import { ProfileError, flattenZodIssues } from './issues.js';
import { parseIntOption, type IntRange } from './numbers.js';
import { normalizeRestart } from './restart-options.js';
import { normalizePlugins, pluginNamesOf, pluginOptionsShape, type PluginContext } from './scan-profile.js';

/** What `run` does besides the run profile: confirmation, plan only, resume, recovery. */
export interface RunMode {
  readonly force: boolean;
  readonly whatIf: boolean;
  readonly resume: boolean;
  readonly forceRecovery: boolean;
  /** `--clear-corrupt-reports` (with --force-recovery): move damaged journals and history files aside first. */
  readonly clearCorruptReports?: boolean;
  /** `--run-id` with `--resume`: the interrupted run to continue, when the cluster's lock names none. */
  readonly runId?: string;
  /** `--suspend-node`: drain this one node and leave it paused (single-node maintenance). */
  readonly suspendNode?: string;
  /** `--resume-node`: resume this one node with failback after manual maintenance. */
  readonly resumeNode?: string;
}

const rawRunOptions = z.object({
  ...pluginOptionsShape,
  maxFailedNodes: z.string().optional(),
  maxRetriesPerNode: z.string().optional(),
  nodeOrder: z.array(z.string()).optional(),
  siteAwareUpdatingOrder: z.array(z.string()).optional(),
  skipUpdateChecks: z.boolean().optional(),
  preInstall: z.boolean().optional(),
  preInstallConcurrency: z.string().optional(),
  maxConcurrentNodes: z.string().optional(),
  preUpdateScript: z.string().optional(),
  postUpdateScript: z.string().optional(),
  configurationName: z.string().optional(),
  requireAllNodesOnline: z.boolean().optional(),
  warnAfter: z.string().optional(),
  stopAfter: z.string().optional(),
  rebootTimeoutMinutes: z.string().optional(),
  separateReboots: z.boolean().optional(),
  enableFirewallRules: z.boolean().optional(),
  failbackMode: z.string().optional(),
  suspendClusterNodeTimeoutMinutes: z.string().optional(),
  waitForStorageRepairTimeoutMinutes: z.string().optional(),
  forcePauseAndDrain: z.boolean().optional(),
  forcePauseNoDrain: z.boolean().optional(),
  suspendRetriesPerNode: z.string().optional(),
  rebootMode: z.string().optional(),
  recover: z.boolean().optional(),
  clearCorruptReports: z.boolean().optional(),
  forcePauseDrainAndReboot: z.boolean().optional(),
  attemptSoftReboot: z.boolean().optional(),
  disableSoftReboot: z.boolean().optional(),
  force: z.boolean().optional(),
  whatIf: z.boolean().optional(),
  resume: z.boolean().optional(),
  forceRecovery: z.boolean().optional(),
  runId: z.string().optional(),
  suspendNode: z.string().optional(),
  resumeNode: z.string().optional(),
});
export type RawRunOptions = z.infer<typeof rawRunOptions>;

/** Defaults, named in one place (cau-surface.md §2; the UNCONFIRMED ones are cauctl's choice). */
export const RUN_DEFAULTS = {
  maxRetriesPerNode: 3,
  rebootTimeoutMinutes: 15,
  configurationName: 'Microsoft.PowerShell',
  failbackMode: 'Immediate',
  suspendClusterNodeTimeoutMinutes: 30,
  waitForStorageRepairTimeoutMinutes: 60,
  suspendRetriesPerNode: DEFAULT_SUSPEND_TRIES,
} as const;


/** CAU's three force switches: alternatives, at most one per run. */
const FORCE_SWITCHES = ['forcePauseNoDrain', 'forcePauseAndDrain', 'forcePauseDrainAndReboot'] as const;

function kebab(name: string): string {
  return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

function int(raw: string | undefined, name: string, range: IntRange, problems: string[]): number | undefined {
  if (raw === undefined) return undefined;
  try {
    return parseIntOption(kebab(name), raw, range);
  } catch (error) {
    problems.push(`${name}: ${describeError(error)}`);
    return undefined;
  }
}

function duration(raw: string | undefined, name: string, problems: string[]): number | undefined {
  if (raw === undefined) return undefined;
  try {
    const ms = parseDuration(raw, kebab(name));
    if (ms <= 0) problems.push(`${name}: must be longer than zero`);
    return ms;
  } catch (error) {
    problems.push(`${name}: ${describeError(error)}`);
    return undefined;
  }
}

function scriptPath(raw: string | undefined, name: string, problems: string[]): string | undefined {
  if (raw === undefined) return undefined;
  if (raw.length > 260) problems.push(`${name}: the path and name must be at most 260 characters (got ${raw.length})`);
  if (!/\.ps1$/i.test(raw)) problems.push(`${name}: must be a .ps1 script (got ${JSON.stringify(raw)})`);
  return raw;
}

export function parseRunProfile(raw: unknown, pluginContext: PluginContext = {}): { profile: RunProfile; mode: RunMode } {
  const parsed = rawRunOptions.safeParse(raw);
  if (!parsed.success) throw new ProfileError(flattenZodIssues(parsed.error), 'invalid run options');
  const o = parsed.data;
  const problems: string[] = [];

  // normalize
  const plugins = normalizePlugins(o, problems, pluginContext);
  const maxFailedNodes = int(o.maxFailedNodes, 'maxFailedNodes', { min: 0 }, problems);
  const maxRetriesPerNode = int(o.maxRetriesPerNode, 'maxRetriesPerNode', { min: 0, max: 64 }, problems) ?? RUN_DEFAULTS.maxRetriesPerNode;
  const rebootTimeoutMinutes = int(o.rebootTimeoutMinutes, 'rebootTimeoutMinutes', { min: 1, max: 1440 }, problems) ?? RUN_DEFAULTS.rebootTimeoutMinutes;
  const suspendClusterNodeTimeoutMinutes = int(o.suspendClusterNodeTimeoutMinutes, 'suspendClusterNodeTimeoutMinutes', { min: 1, max: 1440 }, problems) ?? RUN_DEFAULTS.suspendClusterNodeTimeoutMinutes;
  const waitForStorageRepairTimeoutMinutes = int(o.waitForStorageRepairTimeoutMinutes, 'waitForStorageRepairTimeoutMinutes', { min: 1, max: 10080 }, problems) ?? RUN_DEFAULTS.waitForStorageRepairTimeoutMinutes;
  const warnAfterMs = duration(o.warnAfter, 'warnAfter', problems);
  const stopAfterMs = duration(o.stopAfter, 'stopAfter', problems);
  const nodeOrder = o.nodeOrder?.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  const siteAwareUpdatingOrder = o.siteAwareUpdatingOrder?.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  let failbackMode: FailbackMode = RUN_DEFAULTS.failbackMode;
  if (o.failbackMode !== undefined) {
    const match = FailbackMode.options.find((m) => m.toLowerCase() === o.failbackMode!.toLowerCase());
    if (match === undefined) problems.push(`failbackMode: must be one of ${FailbackMode.options.join(', ')} (got ${JSON.stringify(o.failbackMode)})`);
    else failbackMode = match;
  }
  const suspendRetriesPerNode = int(o.suspendRetriesPerNode, 'suspendRetriesPerNode', { min: 1, max: 64 }, problems) ?? RUN_DEFAULTS.suspendRetriesPerNode;
  const preInstallConcurrency = int(o.preInstallConcurrency, 'preInstallConcurrency', { min: 1, max: 64 }, problems);
  const maxConcurrentNodes = int(o.maxConcurrentNodes, 'maxConcurrentNodes', { min: 1, max: 64 }, problems);
  const restart = normalizeRestart(o, problems);
  // A Kernel Soft Reboot skips firmware initialisation: what a vendor's script plug-in applies (firmware,
  // drivers) would not take effect, and the run would report it done.
  const scriptPlugin = plugins.find((p) => p.script !== undefined);
  if (restart.attemptSoftReboot && scriptPlugin !== undefined) {
    problems.push(`${restart.rebootMode === 'SoftReboot' ? 'rebootMode' : 'attemptSoftReboot'}: ${scriptPlugin.plugin} is a script plug-in, whose firmware or driver updates need a full restart (a Kernel Soft Reboot skips firmware initialisation); run it without a soft restart`);
  }
  const preUpdateScript = scriptPath(o.preUpdateScript, 'preUpdateScript', problems);
  const postUpdateScript = scriptPath(o.postUpdateScript, 'postUpdateScript', problems);
  if (o.configurationName !== undefined && !/^[A-Za-z0-9._-]+$/.test(o.configurationName)) {
    problems.push(`configurationName: ${JSON.stringify(o.configurationName)} is not a session configuration name`);
  }

  // rules
  if (warnAfterMs !== undefined && stopAfterMs !== undefined && warnAfterMs >= stopAfterMs) {
    problems.push('warnAfter: must be less than stopAfter');
  }
  if (o.separateReboots === true && pluginNamesOf(o).length < 2) {
    problems.push(`separateReboots: --separate-reboots needs two or more plug-ins (--cau-plugin-name given ${pluginNamesOf(o).length})`);
  }
  const forceSwitches = FORCE_SWITCHES.filter((key) => o[key] === true);
  if (forceSwitches.length > 1) {
    problems.push(`${forceSwitches[0]}: ${forceSwitches.map(kebab).join(' and ')} conflict; give one (CAU's ForcePause* switches are alternatives)`);
  }
  if (nodeOrder !== undefined) {
    const seen = new Set<string>();
    for (const name of nodeOrder) {
      if (seen.has(name.toUpperCase())) problems.push(`nodeOrder: ${name} is listed twice`);
      seen.add(name.toUpperCase());
    }
  }
  if (siteAwareUpdatingOrder !== undefined) {
    if (siteAwareUpdatingOrder.length === 0) problems.push('siteAwareUpdatingOrder: give the sites, comma-separated, in the order to update them');
    const seen = new Set<string>();
    for (const site of siteAwareUpdatingOrder) {
      // Fault domain names are free text on Windows; control characters and over-long names are typing accidents.
      if (site.length > 64 || [...site].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) problems.push(`siteAwareUpdatingOrder: ${JSON.stringify(site)} is not a site name`);
      if (seen.has(site.toUpperCase())) problems.push(`siteAwareUpdatingOrder: ${site} is listed twice`);
      seen.add(site.toUpperCase());
    }
  }
  if (preInstallConcurrency !== undefined && o.preInstall !== true) problems.push('preInstallConcurrency: --pre-install-concurrency needs --pre-install');
  if (o.preInstall === true && o.skipUpdateChecks === true) {
    problems.push("preInstall: --pre-install and --skip-update-checks conflict (the window's rescan is what installs what the pre-install left: drivers, follow-ups)");
  }
  if (o.whatIf === true && o.resume === true) problems.push('whatIf: --what-if and --resume conflict');
  if (o.whatIf === true && (o.forceRecovery === true || o.recover === true)) problems.push(`whatIf: --what-if and ${o.recover === true ? '--recover' : '--force-recovery'} conflict`);
  if (o.clearCorruptReports === true && o.forceRecovery !== true && o.recover !== true) {
    problems.push("clearCorruptReports: --clear-corrupt-reports needs --force-recovery (CAU's RecoverParamSet)");
  }
  if (o.clearCorruptReports === true && o.resume === true) problems.push('clearCorruptReports: --clear-corrupt-reports and --resume conflict');
  if (o.runId !== undefined && o.resume !== true) problems.push('runId: --run-id needs --resume (it names the interrupted run to continue)');
  if (o.runId !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(o.runId)) problems.push(`runId: ${JSON.stringify(o.runId)} is not a run id`);
  // Single-node maintenance is not a rolling run: its flags exclude each other and the rolling-run ones.
  const single = o.suspendNode !== undefined ? 'suspendNode' : o.resumeNode !== undefined ? 'resumeNode' : undefined;
  if (o.suspendNode !== undefined && o.resumeNode !== undefined) problems.push('suspendNode: --suspend-node and --resume-node conflict');
  if (single !== undefined) {
    for (const key of ['whatIf', 'resume', 'forceRecovery', 'maxFailedNodes', 'maxRetriesPerNode', 'nodeOrder', 'preUpdateScript', 'postUpdateScript', 'warnAfter', 'stopAfter', 'separateReboots', 'enableFirewallRules', 'attemptSoftReboot', 'forcePauseNoDrain', 'forcePauseDrainAndReboot', 'rebootMode', 'suspendRetriesPerNode', 'recover', 'cauPluginName', 'cauPluginArguments', 'siteAwareUpdatingOrder', 'skipUpdateChecks', 'preInstall', 'preInstallConcurrency', 'maxConcurrentNodes'] as const) {
      if (o[key as keyof typeof o] !== undefined && o[key as keyof typeof o] !== false) problems.push(`${single}: ${kebab(single)} and ${kebab(key)} conflict (single-node maintenance is not a rolling run)`);
    }
    for (const [key, value] of [['suspendNode', o.suspendNode], ['resumeNode', o.resumeNode]] as const) {
      if (value !== undefined && !/^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/.test(value)) problems.push(`${key}: ${JSON.stringify(value)} is not a node name`);
    }
  }
  if (problems.length > 0) throw new ProfileError(problems, 'invalid run options');

  const profile: RunProfile = {
    plugins,
    ...(maxFailedNodes !== undefined ? { maxFailedNodes } : {}),
    maxRetriesPerNode,
    ...(nodeOrder !== undefined ? { nodeOrder } : {}),
    ...(siteAwareUpdatingOrder !== undefined ? { siteAwareUpdatingOrder } : {}),
    ...(preUpdateScript !== undefined ? { preUpdateScript } : {}),
    ...(postUpdateScript !== undefined ? { postUpdateScript } : {}),
    configurationName: o.configurationName ?? RUN_DEFAULTS.configurationName,
    requireAllNodesOnline: o.requireAllNodesOnline === true,
    ...(warnAfterMs !== undefined ? { warnAfterMs } : {}),
    ...(stopAfterMs !== undefined ? { stopAfterMs } : {}),
    rebootTimeoutMinutes,
    separateReboots: o.separateReboots === true,
    enableFirewallRules: o.enableFirewallRules === true,
    failbackMode,
    runPluginsSerially: o.runPluginsSerially === true,
    stopOnPluginFailure: o.stopOnPluginFailure === true,
    suspendClusterNodeTimeoutMinutes,
    waitForStorageRepairTimeoutMinutes,
    forcePauseAndDrain: o.forcePauseAndDrain === true,
    ...(o.forcePauseNoDrain === true ? { undrainedSwitch: 'ForcePauseNoDrain' as const } : {}),
    ...(o.forcePauseDrainAndReboot === true ? { undrainedSwitch: 'ForcePauseDrainAndReboot' as const } : {}),
    ...restart,
    suspendRetriesPerNode,
    ...(o.skipUpdateChecks === true ? { skipUpdateChecks: true } : {}),
    ...(o.preInstall === true ? { preInstall: true } : {}),
    ...(preInstallConcurrency !== undefined ? { preInstallConcurrency } : {}),
    ...(maxConcurrentNodes !== undefined && maxConcurrentNodes > 1 ? { maxConcurrentNodes } : {}),
  };
  return {
    profile,
    mode: {
      force: o.force === true,
      whatIf: o.whatIf === true,
      resume: o.resume === true,
      forceRecovery: o.forceRecovery === true || o.recover === true,
      ...(o.clearCorruptReports === true ? { clearCorruptReports: true } : {}),
      ...(o.runId !== undefined ? { runId: o.runId } : {}),
      ...(o.suspendNode !== undefined ? { suspendNode: o.suspendNode } : {}),
      ...(o.resumeNode !== undefined ? { resumeNode: o.resumeNode } : {}),
    },
  };
}
