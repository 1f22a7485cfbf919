/**
 * The restart options `run` and `scan` share (Invoke-CauRun and Invoke-CauScan: AttemptSoftReboot,
 * RebootMode, and cauctl's --disable-soft-reboot), normalized once: the mode's name as CAU spells it, the
 * conflicts, and whether a Kernel Soft Reboot is asked for (REBOOT_MODE_MEANING). Depends on core's types only.
 */
import { REBOOT_MODES, type RebootMode } from '../core/types.js';

export interface RawRestartOptions {
  readonly rebootMode?: string | undefined;
  readonly attemptSoftReboot?: boolean | undefined;
  readonly disableSoftReboot?: boolean | undefined;
}

export interface RestartChoice {
  /** Kernel Soft Reboot asked for (--attempt-soft-reboot, or --reboot-mode SoftReboot). */
  readonly attemptSoftReboot: boolean;
  /** CAU's RebootMode as given; absent: not given. */
  readonly rebootMode?: RebootMode;
}

/** Problems are appended to `problems` as `field: message`. */
export function normalizeRestart(o: RawRestartOptions, problems: string[]): RestartChoice {
  let rebootMode: RebootMode | undefined;
  if (o.rebootMode !== undefined) {
    rebootMode = REBOOT_MODES.find((m) => m.toLowerCase() === o.rebootMode!.toLowerCase());
    if (rebootMode === undefined) problems.push(`rebootMode: must be one of ${REBOOT_MODES.join(', ')} (got ${JSON.stringify(o.rebootMode)})`);
  }
  if (rebootMode === 'FullReboot' && o.attemptSoftReboot === true) problems.push('rebootMode: --reboot-mode FullReboot and --attempt-soft-reboot conflict');
  if (rebootMode === 'SoftReboot' && o.disableSoftReboot === true) problems.push('rebootMode: --reboot-mode SoftReboot and --disable-soft-reboot conflict');
  if (o.attemptSoftReboot === true && o.disableSoftReboot === true) {
    problems.push('attemptSoftReboot: --attempt-soft-reboot and --disable-soft-reboot conflict');
  }
  return {
    attemptSoftReboot: rebootMode === 'SoftReboot' || (rebootMode !== 'FullReboot' && o.attemptSoftReboot === true),
    ...(rebootMode !== undefined ? { rebootMode } : {}),
  };
}
