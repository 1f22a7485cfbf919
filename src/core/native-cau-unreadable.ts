/**
 * A command that changes the cluster read MSFT_CAURun on a node and could not (NATIVE_CAU_UNREADABLE: access
 * denied, or any failure but an absent CAU provider): whether a native CAU Updating Run holds the cluster is
 * unknown, and "no run" cannot be told from "cannot see one". Refused before anything is touched (exit 5),
 * naming the node (the node's own text does) and what to check, instead of a failed operation (exit 3), as
 * `run` and `offline-update` refuse it. Depends on the gateway's error type and errors.ts only.
 */
import { OperationFailedError } from '../cluster/gateway.js';
import { NativeCauErrorCode } from '../cluster/operations-native-cau.js';
import { refusedError, type AppError } from '../errors.js';

/** What to check, for every refusal of an unreadable MSFT_CAURun. */
export const NATIVE_CAU_READ_HINT = 'Once that node lets the account read MSFT_CAURun (local Administrators, or access to the CIM namespace root/Microsoft/Windows/ClusterUpdate)';

/**
 * `error` as the refusal when it says MSFT_CAURun could not be read; undefined for any other error.
 * `refused` says what the command will not do (“feature-update will not upgrade HCI01”), `retry` what to run
 * once the node can be read.
 */
export function nativeCauUnreadableRefusal(error: unknown, refused: string, retry: string): AppError | undefined {
  if (!(error instanceof OperationFailedError) || error.scriptCode !== NativeCauErrorCode.unreadable) return undefined;
  return refusedError('NATIVE_CAU_UNREADABLE', `${error.message.replace(/\s*$/, '')} ${refused} beside a native CAU run it cannot see; nothing was touched.`, {
    hint: `${NATIVE_CAU_READ_HINT}, ${retry}; scan and run --what-if work meanwhile.`,
    details: { operation: error.operation, node: error.node, scriptCode: error.scriptCode },
  });
}

/** Runs `read` (the command's first look at the cluster), turning an unreadable MSFT_CAURun into the refusal. */
export async function refusingUnreadableNativeCau<T>(read: () => Promise<T>, refused: string, retry: string): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw nativeCauUnreadableRefusal(error, refused, retry) ?? error;
  }
}
