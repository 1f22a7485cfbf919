/**
 * Catalogue entries for the CAU clustered role (self-updating mode): get, add, set, and change (enable,
 * disable or remove), each one `.ps1` in `scripts/` calling the native *-CauClusterRole cmdlets. Depends on zod
 * only.
 */
import { z } from 'zod';
import { networkCredentialParam } from './operations-credential.js';

/** `YYYY-MM-DDTHH:mm`, a wall time in the cluster's own time zone (CAU's StartDate has no zone). */
const localDateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'must be YYYY-MM-DDTHH:mm');
const weekdays = z.number().int().min(1).max(127);
/** A TimeSpan as .NET parses it: `hh:mm:ss`, optionally `d.` in front and `.fff` behind. */
const timeSpan = z.string().regex(/^(\d+\.)?\d{2}:\d{2}:\d{2}(\.\d{1,7})?$/, 'must be a TimeSpan such as 01:30:00');

/**
 * The schedule, always sent whole: Add/Set-CauClusterRole get every parameter of one parameter set, so CAU
 * never fills in its default "third Tuesday" (cau-surface.md §5). Field names follow `CauSchedule`.
 */
export const roleScheduleParams = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('MonthlyDayOfWeek'), startDate: localDateTime, daysOfWeek: weekdays, weeksOfMonth: z.array(z.number().int().min(1).max(5)).min(1).max(5) }),
  z.strictObject({ kind: z.literal('Weekly'), startDate: localDateTime, daysOfWeek: weekdays, intervalWeeks: z.number().int().min(1).max(520) }),
  z.strictObject({ kind: z.literal('Once'), startDate: localDateTime }),
]);
export type RoleScheduleParams = z.infer<typeof roleScheduleParams>;

/**
 * The run options the role accepts, under the cmdlet's own parameter names (Invoke-CauRun's options minus
 * ForceRecovery, ClearCorruptReports, SuspendNode, ResumeNode and ForceSelfUpdate). Only the ones given are
 * sent; switches travel as `true` and are left out otherwise.
 */
export const roleRunOptions = z.strictObject({
  CauPluginName: z.array(z.string().min(1)).min(1).optional(),
  CauPluginArguments: z.array(z.record(z.string(), z.string())).optional(),
  MaxFailedNodes: z.number().int().min(0).optional(),
  MaxRetriesPerNode: z.number().int().min(0).max(64).optional(),
  NodeOrder: z.array(z.string().min(1)).min(1).optional(),
  PreUpdateScript: z.string().min(1).max(260).optional(),
  PostUpdateScript: z.string().min(1).max(260).optional(),
  ConfigurationName: z.string().min(1).optional(),
  RequireAllNodesOnline: z.literal(true).optional(),
  WarnAfter: timeSpan.optional(),
  StopAfter: timeSpan.optional(),
  RebootTimeoutMinutes: z.number().int().min(1).optional(),
  SeparateReboots: z.literal(true).optional(),
  EnableFirewallRules: z.literal(true).optional(),
  FailbackMode: z.enum(['Immediate', 'Policy', 'NoFailback']).optional(),
  SuspendClusterNodeTimeoutMinutes: z.number().int().min(1).optional(),
  WaitForStorageRepairTimeoutMinutes: z.number().int().min(1).optional(),
  ForcePauseAndDrain: z.literal(true).optional(),
  AttemptSoftReboot: z.literal(true).optional(),
  RunPluginsSerially: z.literal(true).optional(),
  StopOnPluginFailure: z.literal(true).optional(),
  // The run additions of 2022 and 2025 (cau-surface.md §1); a node whose build lacks one refuses the call.
  ForcePauseNoDrain: z.literal(true).optional(),
  ForcePauseDrainAndReboot: z.literal(true).optional(),
  SkipUpdateChecks: z.literal(true).optional(),
  SiteAwareUpdatingOrder: z.array(z.string().min(1).max(64)).min(1).optional(),
  RebootMode: z.enum(['ClusProp', 'FullReboot', 'SoftReboot', 'PluginCustomReboot', 'OrchestratorDefault']).optional(),
  SuspendRetriesPerNode: z.number().int().min(1).max(64).optional(),
});
export type RoleRunOptions = z.infer<typeof roleRunOptions>;
export const ROLE_OPTION_NAMES = Object.keys(roleRunOptions.shape) as Array<keyof RoleRunOptions>;

/** One CauParameter of Get-CauClusterRole, its value made JSON (dates as local `YYYY-MM-DDTHH:mm`, enums as text). */
export const roleParameter = z.object({
  name: z.string().min(1),
  value: z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.unknown()), z.record(z.string(), z.unknown())]),
});
export type RoleParameter = z.infer<typeof roleParameter>;

export const getCauRoleParams = z.object({});
export const getCauRoleResult = z.object({
  /** The node's `(Get-TimeZone).Id` (a Windows id such as `W. Europe Standard Time`, or an IANA name). */
  timeZoneId: z.string(),
  /** The IANA name when the node could convert it (.NET 6+), otherwise null. */
  ianaTimeZone: z.string().nullable(),
  role: z
    .object({
      /** The role's cluster group (CAU's ResourceGroupName). */
      groupName: z.string(),
      /** Nodes that may own the group. */
      possibleOwners: z.array(z.string()),
      /** Get-CauClusterRole's Name/Value pairs, in CAU's order. */
      parameters: z.array(roleParameter),
    })
    .nullable(),
});
export type CauRoleView = z.infer<typeof getCauRoleResult>;

export const addCauRoleParams = z.object({
  schedule: roleScheduleParams,
  options: roleRunOptions,
  virtualComputerObjectName: z.string().min(1).max(15).optional(),
  groupName: z.string().min(1).max(64).optional(),
  networkCredential: networkCredentialParam,
});
export const roleChangeResult = z.object({ groupName: z.string(), status: z.string() });

/**
 * Set-CauClusterRole -Force with the whole schedule and the options given. `useDefault` (-UseDefault): every
 * run option not given returns to CAU's default (it is dropped from the role); without it they keep their values.
 */
export const setCauRoleParams = z.object({ schedule: roleScheduleParams, options: roleRunOptions, useDefault: z.literal(true).optional(), networkCredential: networkCredentialParam });

/**
 * Set-CauClusterRole -UpdateNow -Force: the role's coordinator starts an Updating Run at once, with the role's
 * settings (its own parameter set: no schedule, no options). Needs network credentials like every role cmdlet.
 */
export const updateCauRoleNowParams = z.object({ networkCredential: networkCredentialParam });

/**
 * Enable-, Disable- or Remove-CauClusterRole -Force. Disable keeps the role and its schedule; Remove takes the
 * role and its VCO (unless prestaged).
 */
export const CauRoleAction = z.enum(['Enable', 'Disable', 'Remove']);
export type CauRoleAction = z.infer<typeof CauRoleAction>;
export const changeCauRoleParams = z.object({ action: CauRoleAction, networkCredential: networkCredentialParam });
export const changeCauRoleResult = z.object({
  groupName: z.string(),
  /** The role's status after the change; `Removed` once the role is gone. */
  status: z.string(),
  /** Whether the role is gone (only ever true for `Remove`). */
  removed: z.boolean(),
});

/** Script error codes of the role operations. */
export const RoleErrorCode = {
  /** Get, set or change on a cluster without the role (CAU's "not configured" error). */
  notFound: 'CAU_ROLE_NOT_FOUND',
  /** Add on a cluster that already has the role. */
  exists: 'CAU_ROLE_EXISTS',
} as const;

export const roleOperations = {
  'get-cau-role': { params: getCauRoleParams, result: getCauRoleResult, idempotent: true, readOnly: true },
  'add-cau-role': { params: addCauRoleParams, result: roleChangeResult, idempotent: false },
  'set-cau-role': { params: setCauRoleParams, result: roleChangeResult, idempotent: true },
  'change-cau-role': { params: changeCauRoleParams, result: changeCauRoleResult, idempotent: false },
  // Never repeated blindly: a second -UpdateNow could start a second run once the first has ended.
  'update-cau-role-now': { params: updateCauRoleNowParams, result: roleChangeResult, idempotent: false },
} as const;
