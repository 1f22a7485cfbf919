/** The body of `cauctl scan`: scan, then print a table grouped by node, or the JSON list. */
import { nodeRestart, restartFor } from '../../../core/restart-kind.js';
import { checkFeatureOffers, explainMixedOffers, scanCluster } from '../../../core/scan.js';
import { ExitCode, refusedError } from '../../../errors.js';
import { plural } from '../../../output/format.js';
import { writeResult } from '../../../output/result.js';
import type { ScanProfile } from '../../../profiles/scan-profile.js';
import type { CommandEnv } from '../../command-env.js';
import { commandGateway } from '../../command-gateway.js';
import { openCluster, resultEnvFor } from '../../context.js';
import { nativeCauUnknown } from '../../native-cau-unknown.js';
import type { GlobalProfile } from '../../global-options.js';

export async function runScanCommand(profile: ScanProfile, globals: GlobalProfile, env: CommandEnv): Promise<number> {
  const ctx = await openCluster(globals, env.io);
  try {
    const result = await scanCluster(commandGateway(ctx), ctx.entry, profile);
    const unknown = nativeCauUnknown(result.cluster);
    if (unknown !== undefined) env.io.stderr.write(`cauctl: warning: ${unknown}\n`);
    const failed = result.nodes.filter((n) => n.status !== 'Scanned');
    const restart = profile.restart;
    const rebootCell = (u: (typeof result.entries)[number]): string => {
      if (restart === undefined) return u.rebootRequired ? 'yes' : 'no';
      const kind = restartFor(u, restart.attemptSoftReboot);
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
        ...(restart !== undefined ? { restartKind: restartFor(e, restart.attemptSoftReboot) } : {}),
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
          const perNode = result.nodes
            .filter((n) => n.status === 'Scanned')
            .map((n) => `${n.node} ${nodeRestart(result.entries.filter((e) => e.nodeName === n.node), restart.attemptSoftReboot) ?? 'none'}`);
          env.io.stderr.write(
            `Restart a run would bring${restart.rebootMode !== undefined ? ` (--reboot-mode ${restart.rebootMode})` : ''}: ${perNode.join(', ')}. A soft one falls back to a full restart on a node that cannot do Kernel Soft Reboot; a feature update always restarts fully.\n`,
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
