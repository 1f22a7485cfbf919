/**
 * The simulator's model of HotfixPlugin exit conditions: classifies a hotfix installer's exit code the way the
 * plug-in's `<ExitConditions>` do (cau-surface §8), with default rules and custom rules given as data. On a node
 * the update worker does this (start-update-task.ps1); nothing in cauctl's coordinator uses this module, so it
 * lives with the simulator (it was src/plugins/hotfix-rules.ts). Pure: depends on zod only.
 */
import { z } from 'zod';

/** An installer exit code: a number (negative HRESULTs allowed) or hex text such as `0x80240017`. */
export const ExitCodeValue = z.union([
  z.number().int().min(-0x80000000).max(0xffffffff),
  z.string().regex(/^0x[0-9a-fA-F]{1,8}$/, 'expected hex text such as 0x80240017'),
]);
export type ExitCodeValue = z.infer<typeof ExitCodeValue>;

/**
 * Exit-condition lists, mirroring the config XML's elements. A code listed nowhere is a failure with no
 * restart. `alwaysReboot` (a `<Folder alwaysReboot>` rule) turns every success into success-with-restart.
 */
export const HotfixExitRules = z.strictObject({
  success: z.array(ExitCodeValue).min(1),
  successRebootRequired: z.array(ExitCodeValue).default([]),
  failRebootRequired: z.array(ExitCodeValue).default([]),
  alreadyInstalled: z.array(ExitCodeValue).default([]),
  notApplicable: z.array(ExitCodeValue).default([]),
  alwaysReboot: z.boolean().default(false),
});
export type HotfixExitRules = z.infer<typeof HotfixExitRules>;

/** The usual installer codes: 0, 3010 (reboot), 0x00240006 (already installed), 0x80240017 (not applicable). */
export const DEFAULT_HOTFIX_RULES: HotfixExitRules = Object.freeze({
  success: [0],
  successRebootRequired: [3010],
  failRebootRequired: [],
  alreadyInstalled: [0x00240006],
  notApplicable: [0x80240017],
  alwaysReboot: false,
});

export interface HotfixClassification {
  /** As in UpdateInstallResult: `Succeeded`, `Failed`, `AlreadyInstalled` or `NotApplicable`. */
  readonly resultCode: 'Succeeded' | 'Failed' | 'AlreadyInstalled' | 'NotApplicable';
  readonly rebootRequired: boolean;
  /** The exit code as hex text (`0x0`, `0xBC2`, `0x80240017`). */
  readonly errorCode: string;
}

/** Normalizes an exit code to its unsigned 32-bit value, so -2145124329 and 0x80240017 compare equal. */
export function exitCodeToUint32(code: ExitCodeValue): number {
  const n = typeof code === 'string' ? Number.parseInt(code.slice(2), 16) : code;
  return n >>> 0;
}

export function formatExitCode(code: ExitCodeValue): string {
  return `0x${exitCodeToUint32(code).toString(16).toUpperCase()}`;
}

export function classifyHotfixExitCode(
  exitCode: ExitCodeValue,
  rules: HotfixExitRules = DEFAULT_HOTFIX_RULES,
): HotfixClassification {
  const code = exitCodeToUint32(exitCode);
  const listed = (list: readonly ExitCodeValue[]): boolean => list.some((c) => exitCodeToUint32(c) === code);
  const errorCode = formatExitCode(code);
  // The order matters only when a code is listed twice; success lists win, as a success is what the
  // administrator declared the code to mean.
  if (listed(rules.success)) return { resultCode: 'Succeeded', rebootRequired: rules.alwaysReboot, errorCode };
  if (listed(rules.successRebootRequired)) return { resultCode: 'Succeeded', rebootRequired: true, errorCode };
  if (listed(rules.alreadyInstalled)) return { resultCode: 'AlreadyInstalled', rebootRequired: false, errorCode };
  if (listed(rules.notApplicable)) return { resultCode: 'NotApplicable', rebootRequired: false, errorCode };
  if (listed(rules.failRebootRequired)) return { resultCode: 'Failed', rebootRequired: true, errorCode };
  return { resultCode: 'Failed', rebootRequired: false, errorCode };
}
