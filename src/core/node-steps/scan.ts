/**
 * Scanning one node, written once: each plug-in in CauPluginName order, every update tagged with the plug-in
 * that offered it. Used by the rolling run (preflight scan and rescans), the offline update and `scan`.
 */
import type { Gateway } from '../../cluster/gateway.js';
import type { PluginName, UpdateInfo } from '../../cluster/operations.js';
import type { PluginSpec } from '../types.js';

export type ScannedUpdate = UpdateInfo & { readonly plugin: PluginName };

/** One plug-in's applicable updates on `node`. */
export async function scanNodePlugin(gateway: Gateway, node: string, spec: PluginSpec): Promise<ScannedUpdate[]> {
  // A script plug-in's scan.ps1 travels as data beside its arguments; the node's scan-updates dispatches to it.
  const script = spec.script !== undefined ? { pluginScript: spec.script.scan } : {};
  const { updates } = await gateway.call(node, 'scan-updates', { plugin: spec.plugin, arguments: { ...spec.arguments }, ...script });
  return updates.map((u) => ({ ...u, plugin: spec.plugin }));
}

/** Every plug-in's applicable updates on `node`, in plug-in order. */
export async function scanNode(gateway: Gateway, node: string, plugins: readonly PluginSpec[]): Promise<ScannedUpdate[]> {
  const all: ScannedUpdate[] = [];
  for (const spec of plugins) all.push(...(await scanNodePlugin(gateway, node, spec)));
  return all;
}
