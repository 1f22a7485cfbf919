/**
 * `feature-update` and `post-install` options → profiles, in three steps (parse, normalize, rules), every
 * problem reported at once as `path: message`. Depends on zod, core types, the run profile parser and the
 * profile helpers only.
 */
import { z } from 'zod';
import type { FeatureSource, FeatureUpdateProfile } from '../core/feature-update.js';
import type { PostInstallProfile } from '../core/post-install.js';
import { describeError } from '../errors.js';
import { parseHashtable } from './hashtable.js';
import { ProfileError, flattenZodIssues } from './issues.js';
import { parseRunProfile } from './run-profile.js';

/** An OS upgrade restarts slower than a cumulative update: the reboot wait defaults longer. */
export const FEATURE_DEFAULTS = { rebootTimeoutMinutes: 60 } as const;

const rawFeatureOptions = z.object({
  wuConnected: z.boolean().optional(),
  pathToSetupMedia: z.string().optional(),
  cauPluginArguments: z.array(z.string()).optional(),
  prepare: z.boolean().optional(),
  updateClusterFunctionalLevel: z.boolean().optional(),
  storageReplicaRestart: z.boolean().optional(),
  noStorageReplicaRestart: z.boolean().optional(),
  maxFailedNodes: z.string().optional(),
  maxRetriesPerNode: z.string().optional(),
  rebootTimeoutMinutes: z.string().optional(),
  waitForStorageRepairTimeoutMinutes: z.string().optional(),
  failbackMode: z.string().optional(),
  nodeOrder: z.array(z.string()).optional(),
  force: z.boolean().optional(),
  resume: z.boolean().optional(),
  runId: z.string().optional(),
});

export interface FeatureUpdateMode {
  readonly force: boolean;
}

/** `feature-update --resume`: which interrupted feature update, and what the command line says anew. */
export interface FeatureResumeMode extends FeatureUpdateMode {
  /** --run-id: the feature update to continue when several were interrupted. */
  readonly runId?: string;
  /** --storage-replica-restart or --no-storage-replica-restart was given now (else the first choice stands). */
  readonly storageReplicaRestartGiven: boolean;
}

/**
 * `--wu-connected` or `--path-to-setup-media`, also accepted as the plug-in's own hashtable
 * (`--cau-plugin-arguments "@{ WuConnected='false'; PathToSetupMedia='D:\\' }"`), as the docs write it.
 */
export function parseFeatureUpdateProfile(raw: unknown): { profile: FeatureUpdateProfile; mode: FeatureUpdateMode } {
  const { profile, source, mode } = parseFeatureOptions(raw, false);
  return { profile: { ...profile, source: source! }, mode: { force: mode.force } };
}

/**
 * `feature-update --resume [--run-id ID]`: the rolling-run options as for a new feature update; no source
 * (the plug-in goes on with the arguments the feature update started with) and no --prepare (a pre-check).
 */
export function parseFeatureResumeProfile(raw: unknown): { profile: Omit<FeatureUpdateProfile, 'source'>; mode: FeatureResumeMode } {
  const { profile, mode } = parseFeatureOptions(raw, true);
  return { profile, mode };
}

function parseFeatureOptions(raw: unknown, resume: boolean): { profile: Omit<FeatureUpdateProfile, 'source'>; source: FeatureSource | undefined; mode: FeatureResumeMode } {
  const parsed = rawFeatureOptions.safeParse(raw);
  if (!parsed.success) throw new ProfileError(flattenZodIssues(parsed.error), 'invalid feature-update options');
  const o = parsed.data;
  const problems: string[] = [];
  if (resume) {
    const given = [o.wuConnected === true ? '--wu-connected' : null, o.pathToSetupMedia !== undefined ? '--path-to-setup-media' : null, o.cauPluginArguments !== undefined ? '--cau-plugin-arguments' : null].filter((x) => x !== null);
    if (given.length > 0) problems.push(`resume: ${given.join(', ')} cannot go with --resume: the feature update goes on with the source it started with`);
    if (o.prepare === true) problems.push('resume: --prepare cannot go with --resume: it prepares the nodes before a feature update touches them');
  } else if (o.runId !== undefined) problems.push('runId: --run-id needs --resume');

  let wuConnected = o.wuConnected;
  let media = o.pathToSetupMedia;
  let hashUpdateLevel = false;
  // A WuConnected value that is no boolean already has its own problem; "give a source" would only add noise.
  let sourceMisspelt = false;
  for (const [i, text] of (o.cauPluginArguments ?? []).entries()) {
    try {
      const args = parseHashtable(text);
      // A typo ('ture') must not quietly read as false: the plug-in itself would refuse it on the node.
      const flag = (key: string, value: string): boolean | undefined => {
        const v = value.trim().toLowerCase();
        if (v === 'true' || v === 'false') return v === 'true';
        problems.push(`cauPluginArguments[${i}].${key}: expected 'true' or 'false', not '${value}'`);
        return undefined;
      };
      for (const [key, value] of Object.entries(args)) {
        const k = key.toLowerCase();
        if (k === 'wuconnected') {
          wuConnected = flag(key, value);
          if (wuConnected === undefined) sourceMisspelt = true;
        } else if (k === 'pathtosetupmedia') media = value;
        else if (k === 'updateclusterfunctionallevel') hashUpdateLevel = flag(key, value) ?? false;
        else problems.push(`cauPluginArguments[${i}].${key}: not an argument of Microsoft.RollingUpgradePlugin (WuConnected, PathToSetupMedia, UpdateClusterFunctionalLevel)`);
      }
    } catch (error) {
      problems.push(`cauPluginArguments[${i}]: ${describeError(error)}`);
    }
  }
  if (media !== undefined && media.trim() === '') problems.push('pathToSetupMedia: must not be empty');
  if (wuConnected === true && media !== undefined) problems.push('pathToSetupMedia: --path-to-setup-media and --wu-connected conflict (media means WuConnected false)');
  if (!resume && wuConnected !== true && media === undefined && !sourceMisspelt) problems.push("wuConnected: give --wu-connected (feature update from Windows Update) or --path-to-setup-media <path> (extracted ISO contents on every node)");
  if (/\.iso$/i.test(media ?? '')) problems.push('pathToSetupMedia: give the extracted contents of the ISO, not the .iso file');
  if (o.storageReplicaRestart === true && o.noStorageReplicaRestart === true) problems.push('storageReplicaRestart: --storage-replica-restart and --no-storage-replica-restart conflict');

  // The rolling-run options reuse run's parser, so their rules and messages are the same.
  let runProfile: ReturnType<typeof parseRunProfile>['profile'] | undefined;
  try {
    runProfile = parseRunProfile({
      ...(o.maxFailedNodes !== undefined ? { maxFailedNodes: o.maxFailedNodes } : {}),
      ...(o.maxRetriesPerNode !== undefined ? { maxRetriesPerNode: o.maxRetriesPerNode } : {}),
      rebootTimeoutMinutes: o.rebootTimeoutMinutes ?? String(FEATURE_DEFAULTS.rebootTimeoutMinutes),
      ...(o.waitForStorageRepairTimeoutMinutes !== undefined ? { waitForStorageRepairTimeoutMinutes: o.waitForStorageRepairTimeoutMinutes } : {}),
      ...(o.failbackMode !== undefined ? { failbackMode: o.failbackMode } : {}),
      ...(o.nodeOrder !== undefined ? { nodeOrder: o.nodeOrder } : {}),
      requireAllNodesOnline: true,
      enableFirewallRules: true,
    }).profile;
  } catch (error) {
    if (error instanceof ProfileError) problems.push(...error.problems);
    else throw error;
  }
  if (problems.length > 0 || runProfile === undefined) throw new ProfileError(problems, 'invalid feature-update options');

  const source: FeatureSource | undefined = resume ? undefined : wuConnected === true ? { wuConnected: true } : { wuConnected: false, pathToSetupMedia: media! };
  const profile: Omit<FeatureUpdateProfile, 'source'> = {
    prepare: o.prepare === true,
    updateClusterFunctionalLevel: o.updateClusterFunctionalLevel === true || hashUpdateLevel,
    storageReplicaRestart: o.storageReplicaRestart === true ? 'yes' : o.noStorageReplicaRestart === true ? 'no' : 'ask',
    run: runProfile,
    restart: {
      requireAllNodesOnline: true,
      failbackMode: runProfile.failbackMode,
      waitForStorageRepairTimeoutMinutes: runProfile.waitForStorageRepairTimeoutMinutes,
      rebootTimeoutMinutes: runProfile.rebootTimeoutMinutes,
      forceDrain: false,
    },
  };
  const mode: FeatureResumeMode = {
    force: o.force === true,
    ...(o.runId !== undefined ? { runId: o.runId } : {}),
    storageReplicaRestartGiven: o.storageReplicaRestart === true || o.noStorageReplicaRestart === true,
  };
  return { profile, source, mode };
}

const rawPostInstallOptions = z.object({
  whatIf: z.boolean().optional(),
  force: z.boolean().optional(),
  updateVmVersion: z.array(z.string()).optional(),
  stopVms: z.boolean().optional(),
  testLiveMigration: z.boolean().optional(),
});

export interface PostInstallMode {
  readonly force: boolean;
}

export function parsePostInstallProfile(raw: unknown): { profile: PostInstallProfile; mode: PostInstallMode } {
  const parsed = rawPostInstallOptions.safeParse(raw);
  if (!parsed.success) throw new ProfileError(flattenZodIssues(parsed.error), 'invalid post-install options');
  const o = parsed.data;
  const problems: string[] = [];
  const names = o.updateVmVersion?.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  let vms: PostInstallProfile['updateVmVersion'];
  if (names !== undefined) {
    if (names.length === 0) problems.push('updateVmVersion: give VM names (comma-separated) or all');
    else if (names.some((n) => n.toLowerCase() === 'all')) {
      if (names.length > 1) problems.push('updateVmVersion: all cannot be combined with names');
      vms = 'all';
    } else vms = names;
  }
  if (o.stopVms === true && names === undefined) problems.push('stopVms: --stop-vms needs --update-vm-version');
  if (o.whatIf === true && o.force === true) problems.push('whatIf: --what-if and --force conflict');
  if (problems.length > 0) throw new ProfileError(problems, 'invalid post-install options');
  return {
    profile: { whatIf: o.whatIf === true, ...(vms !== undefined ? { updateVmVersion: vms } : {}), stopVms: o.stopVms === true, testLiveMigration: o.testLiveMigration === true },
    mode: { force: o.force === true },
  };
}

/** `run --suspend-node` / `--resume-node` values, checked with the run options (see run-profile.ts). */
export function parseNodeName(raw: string, flag: string, problems: string[]): string | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/.test(raw)) {
    problems.push(`${flag}: ${JSON.stringify(raw)} is not a node name`);
    return undefined;
  }
  return raw;
}
