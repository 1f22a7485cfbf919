/** The body of `cauctl scan`: scan, then print a table grouped by node, or the JSON list. */
import { nodeRestart, restartFor } from '../../../core/restart-kind.js';
import { checkFeatureOffers, explainMixedOffers, scanCluster } from '../../../core/scan.js';
import { ExitCode, refusedError } from '../../../errors.js';
import { plural } from '../../../output/format.js';
import { writeResult } from '../../../output/result.js';
import type { ScanProfile } from '../../../profiles/scan-profile.js';
import type { CommandEnv } from '../../command-env.js';
import type { Gateway } from '../../../cluster/gateway.js';
import type { NodeSetup } from '../../../cluster/operations.js';
import { commandGateway } from '../../command-gateway.js';
import { openCluster, resultEnvFor } from '../../context.js';
import { nativeCauUnknown } from '../../native-cau-unknown.js';
import type { GlobalProfile } from '../../global-options.js';

type KernelSoftReboot = NonNullable<NodeSetup['kernelSoftReboot']>;

/**
 * Each scanned node's Kernel Soft Reboot as restart-node would find it (get-node-setup), read only when a soft
 * restart is asked: a node without KSR (Windows Server) or that opts out restarts fully. A node whose answer
 * is missing (a read that failed, an older reply) is left out: its prediction stays as the updates give it.
 */
async function readSoftReboot(gateway: Gateway, nodes: readonly string[]): Promise<Map<string, KernelSoftReboot>> {
  const found = new Map<string, KernelSoftReboot>();
  await Promise.all(
    nodes.map(async (node) => {
      try {
        const status = (await gateway.call(node, 'get-node-setup', {})).kernelSoftReboot;
        if (status !== undefined) found.set(node, status);
      } catch {
        // Said by the prediction: "unknown" for this node.
      }
    }),
  );
  return found;
}

export async function runScanCommand(profile: ScanProfile, globals: GlobalProfile, env: CommandEnv): Promise<number> {
  const ctx = await openCluster(globals, env.io);
  try {
    const gateway = commandGateway(ctx);
    const result = await scanCluster(gateway, ctx.entry, profile);
    const unknown = nativeCauUnknown(result.cluster);
    if (unknown !== undefined) env.io.stderr.write(`cauctl: warning: ${unknown}\n`);
    const failed = result.nodes.filter((n) => n.status !== 'Scanned');
    const restart = profile.restart;
    const scanned = result.nodes.filter((n) => n.status === 'Scanned').map((n) => n.node);
    const ksr = restart?.attemptSoftReboot === true ? await readSoftReboot(gateway, scanned) : new Map<string, KernelSoftReboot>();
    // A soft restart where the node can do one; unknown (not read) keeps what the updates give.
    const softOn = (node: string): boolean => restart?.attemptSoftReboot === true && (ksr.get(node) ?? 'Enabled') === 'Enabled';
    const rebootCell = (u: (typeof result.entries)[number]): string => {
      if (restart === undefined) return u.rebootRequired ? 'yes' : 'no';
      const kind = restartFor(u, softOn(u.nodeName));
      return kind === null ? 'no' : kind === 'SoftReboot' ? 'soft' : 'full';
    };
    const offers = profile.plugins.some((p) => p.plugin === 'Microsoft.RollingUpgradePlugin') ? checkFeatureOffers(result) : undefined;
    const mixed = offers !== undefined && !offers.consistent ? refusedError('MIXED_FEATURE_OFFERS', explainMixedOffers(offers), { details: { groups: offers.groups } }) : undefined;
    const list = [
      ...result.entries.map((e) => ({
        nodeName: e.nodeName,
        updateId: e.updateId,
        updateTitle: e.title,
        kb: e.kb,
        rebootRequired: e.rebootRequired,
        plugin: e.plugin,
        ...(e.featureUpdate ? { featureUpdate: e.featureUpdate } : {}),
        // Only with --attempt-soft-reboot or --reboot-mode, so the scan's JSON is otherwise as it was.
        ...(restart !== undefined ? { restartKind: restartFor(e, softOn(e.nodeName)) } : {}),
      })),
      ...failed.map((n) => ({ nodeName: n.node, updateId: null, updateTitle: null, kb: null, rebootRequired: null, plugin: null, error: n.error })),
    ];
    const output = resultEnvFor(globals, env.io);
    // Machine output of mixed offers is the error document alone; people see the table, then the error.
    if (mixed !== undefined && output.format !== 'human') throw mixed;
    writeResult(
      output,
      list,
      (out) => {
        const rows: string[][] = [];
        for (const node of result.nodes) {
          const updates = result.entries.filter((e) => e.nodeName === node.node);
          if (node.status !== 'Scanned') rows.push([node.node, '', out.theme.err(`${node.status.toUpperCase()}: ${node.error?.message ?? ''}`), '', '']);
          else if (updates.length === 0) rows.push([node.node, '', out.theme.dim('no applicable updates'), '', '']);
          updates.forEach((u, i) => rows.push([i === 0 ? node.node : '', u.kb, u.featureUpdate ? `${u.title} (feature update)` : u.title, rebootCell(u), u.plugin.replace(/^Microsoft\./, '')]));
        }
        out.table(['Node', 'KB', 'Title', 'Reboot', 'Plug-in'], rows);
        env.io.stderr.write(`${plural(result.entries.length, 'update')} on ${result.nodes.length - failed.length} of ${plural(result.nodes.length, 'node')} of ${result.clusterName}.\n`);
        if (restart !== undefined) {
          const perNode = scanned.map((node) => {
            const updates = result.entries.filter((e) => e.nodeName === node);
            const kind = nodeRestart(updates, softOn(node)) ?? 'none';
            // Why a node that would restart softly restarts fully: it has no KSR, or opts out of it.
            const fallback = restart.attemptSoftReboot && nodeRestart(updates, true) === 'SoftReboot' ? ksr.get(node) : undefined;
            const why = fallback === 'NotInstalled' ? ' (no Kernel Soft Reboot on this node)' : fallback === 'Bypassed' ? ' (CauBypassSoftBootOnNode opts it out)' : '';
            const unknown = restart.attemptSoftReboot && kind === 'SoftReboot' && !ksr.has(node) ? ' (if the node has Kernel Soft Reboot: it did not say)' : '';
            return `${node} ${kind}${why}${unknown}`;
          });
          env.io.stderr.write(
            `Restart a run would bring${restart.rebootMode !== undefined ? ` (--reboot-mode ${restart.rebootMode})` : ''}: ${perNode.join(', ')}. A feature update, and a script plug-in's update, always restart fully.\n`,
          );
        }
      },
      // ndjson: one entry per line, for streaming consumers.
      { records: list },
    );
    for (const node of failed) env.io.stderr.write(`cauctl: ${node.node} was not scanned: ${node.error?.message ?? node.status}\n`);
    if (mixed !== undefined) throw mixed;
    return failed.length > 0 ? ExitCode.partiallyFailed : ExitCode.ok;
  } finally {
    await ctx.close();
  }
}
