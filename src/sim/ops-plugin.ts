/**
 * A registered script plug-in on the simulated nodes: the model of the example vendor plug-in
 * (examples/plugins/contoso-firmware), a firmware tool driven by the vendor's CLI on the node. The simulator
 * cannot run PowerShell, so it plays what that plug-in does against the node's vendor tool (fixture
 * `nodes[].vendorFirmware`): scan.ps1 lists the components whose repository version differs from the
 * installed one, install.ps1 applies them in the SYSTEM update task and reads the tool's exit codes (0 applied,
 * 3010 applied with a restart needed, 2 already at that version, anything else failed). Written from the
 * plug-in's contract (docs/plugins.md) and the vendor's documented behaviour, not from cauctl's code.
 * Depends on the catalogue's types, the model state and op-context only.
 */
import type { OperationParams, OperationResult } from '../cluster/operations.js';
import { ScriptErrorCode } from '../cluster/operations.js';
import type { SimNodeState, SimTaskState, SimVendorFirmware } from './model-state.js';
import { requireNetworkLogon } from './network-logon.js';
import { OpFailure, sleepSeconds, type OpContext } from './op-context.js';

/** The example plug-in's update ids: `contoso-fw:<component>:<version>`, stable between its scan and install. */
const UPDATE_ID = /^contoso-fw:([A-Za-z0-9._-]+):([A-Za-z0-9._-]+)$/;
/** E_INVALIDARG, as the example's install.ps1 reports an id it did not issue. */
const INVALID_ID = '0x80070057';

type TaskResult = SimTaskState['results'][number];

/** The node's tool for this plug-in, or the failure its scan.ps1 reports on a node without the tool. */
function toolFor(node: SimNodeState, plugin: string): SimVendorFirmware {
  const tool = node.vendorFirmware;
  if (tool === undefined || tool.plugin.toLowerCase() !== plugin.toLowerCase()) {
    throw new OpFailure(
      ScriptErrorCode.scriptError,
      `${plugin} scan.ps1 failed on ${node.name}: the vendor tool it drives is not installed on this node (rehearsal model: no nodes[].vendorFirmware for ${plugin}).`,
    );
  }
  return tool;
}

function hex(code: number): string {
  return `0x${(code >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
}

/** scan-updates for a script plug-in: its scan.ps1 asks the vendor tool's inventory, reading the repository share. */
export async function scanScriptPlugin(ctx: OpContext, p: OperationParams<'scan-updates'>): Promise<OperationResult<'scan-updates'>> {
  const tool = toolFor(ctx.node, p.plugin);
  // The vendor repository is a share: the node's own session cannot reach it (the second hop).
  requireNetworkLogon(ctx, p.networkCredential, `${p.plugin} scan.ps1 reading its repository`);
  await sleepSeconds(ctx, ctx.model.state.timing.scanSeconds);
  return {
    updates: tool.components
      .filter((c) => c.installedVersion !== c.availableVersion)
      .map((c) => ({
        updateId: `contoso-fw:${c.id}:${c.availableVersion}`,
        title: `Contoso ${c.name} firmware ${c.availableVersion} (installed ${c.installedVersion})`,
        kb: '',
        // Firmware takes effect at the next restart.
        rebootRequired: true,
      })),
  };
}

/**
 * start-update-task for a script plug-in: the same one-shot SYSTEM task, for this many seconds. Download has
 * nothing to do (a vendor tool fetches at apply time); Install runs install.ps1 for `timing.installSeconds`.
 * The caller has audited the install (drained, touched); an apply of a version already installed is the
 * coordinator losing track.
 */
export function scriptPluginTaskSeconds(ctx: OpContext, p: OperationParams<'start-update-task'>): number {
  const m = ctx.model;
  const node = ctx.node;
  if (p.mode !== 'Install' || p.updateIds.length === 0) return 0;
  for (const id of p.updateIds) {
    const match = UPDATE_ID.exec(id);
    const component = match === null ? undefined : node.vendorFirmware?.components.find((c) => c.id === match[1]);
    if (component !== undefined && component.installedVersion === match![2]) m.audit.violation(m.now, `${node.name} was given ${id} to install again after it was installed.`);
  }
  return m.state.timing.installSeconds;
}

/** One id through the vendor tool's `apply`, as install.ps1 reads its exit code. */
function applyOne(tool: SimVendorFirmware | undefined, id: string): TaskResult {
  const match = UPDATE_ID.exec(id);
  const component = match === null ? undefined : tool?.components.find((c) => c.id === match[1] && c.availableVersion === match[2]);
  if (match === null || component === undefined) return { updateId: id, kb: '', title: id, resultCode: 'Failed', errorCode: INVALID_ID, rebootRequired: false };
  const title = `Contoso ${component.id} firmware ${component.availableVersion}`;
  let code = component.installedVersion === component.availableVersion ? 2 : component.exitCode;
  if (code !== 2 && component.failsLeft > 0) {
    component.failsLeft -= 1;
    code = component.failExitCode;
  }
  if (code === 0 || code === 3010) {
    component.installedVersion = component.availableVersion;
    return { updateId: id, kb: '', title, resultCode: 'Succeeded', errorCode: '0x0', rebootRequired: code === 3010 };
  }
  if (code === 2) return { updateId: id, kb: '', title, resultCode: 'AlreadyInstalled', errorCode: '0x0', rebootRequired: false };
  return { updateId: id, kb: '', title, resultCode: 'Failed', errorCode: hex(code), rebootRequired: false };
}

/** The task's end: install.ps1 returned its results (the worker writes them whatever they say: Completed). */
export function finishScriptPluginTask(node: SimNodeState, task: SimTaskState): void {
  if (task.mode === 'Download') {
    task.results = [];
    task.state = 'Completed';
    task.message = 'Download finished';
    return;
  }
  task.results = task.updateIds.map((id) => applyOne(node.vendorFirmware, id));
  task.rebootRequired = task.results.some((r) => r.rebootRequired);
  if (task.rebootRequired) node.rebootPending = true;
  task.state = 'Completed';
  task.message = 'Install finished';
}
