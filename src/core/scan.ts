/**
 * The scan (Invoke-CauScan): every node in parallel with bounded concurrency; a node that fails is reported
 * beside the others. Also the same-offer check for feature updates (the mixed-patch-level problem).
 * Depends on the gateway and core types only.
 */
import { mapBounded } from './bounded.js';
import { clusterUnavailableRefusal } from './cluster-unavailable.js';
import type { Gateway } from '../cluster/gateway.js';
import type { ClusterInfo } from '../cluster/operations.js';
import { scanNodePlugin } from './node-steps/scan.js';
import { AppError, describeError } from '../errors.js';
import type { PluginSpec, ScanEntry } from './types.js';

export interface ScanOptions {
  readonly plugins: readonly PluginSpec[];
  readonly runPluginsSerially: boolean;
  readonly stopOnPluginFailure: boolean;
  /** At most this many nodes are scanned at once. @default 8 */
  readonly concurrency?: number;
}

export interface NodeScanStatus {
  readonly node: string;
  readonly status: 'Scanned' | 'Failed' | 'Offline';
  readonly error: { readonly code: string; readonly message: string } | null;
}

export interface ScanResult {
  readonly clusterName: string;
  readonly entries: readonly ScanEntry[];
  readonly nodes: readonly NodeScanStatus[];
}

export async function scanCluster(gateway: Gateway, entry: string, options: ScanOptions): Promise<ScanResult & { cluster: ClusterInfo }> {
  // Read-only: an MSFT_CAURun that cannot be read is reported (cluster.nativeCauUnreadable), not a failure.
  let cluster: ClusterInfo;
  try {
    cluster = await gateway.call(entry, 'get-cluster', { reportUnreadableNativeCau: true });
  } catch (error) {
    throw clusterUnavailableRefusal(entry, error) ?? error;
  }
  const limit = options.concurrency ?? 8;
  const online = cluster.nodes.filter((n) => n.state === 'Up' || n.state === 'Paused').map((n) => n.name);
  const entries = new Map<string, ScanEntry[]>();
  const failures = new Map<string, { code: string; message: string }>();

  const scanOne = async (node: string, spec: PluginSpec): Promise<void> => {
    if (failures.has(node) && options.stopOnPluginFailure) return;
    try {
      const updates = await scanNodePlugin(gateway, node, spec);
      const list = entries.get(node) ?? [];
      list.push(...updates.map((u) => ({ ...u, nodeName: node })));
      entries.set(node, list);
    } catch (error) {
      if (!failures.has(node)) {
        failures.set(node, { code: error instanceof AppError ? error.code : 'SCAN_FAILED', message: describeError(error) });
      }
    }
  };

  if (options.runPluginsSerially) {
    for (const spec of options.plugins) await mapBounded(online, limit, (node) => scanOne(node, spec));
  } else {
    await mapBounded(online, limit, async (node) => {
      for (const spec of options.plugins) await scanOne(node, spec);
    });
  }

  const nodes: NodeScanStatus[] = cluster.nodes.map((n) => {
    if (!online.includes(n.name)) {
      return { node: n.name, status: 'Offline', error: { code: 'NodeOffline', message: `${n.name} is ${n.state}; not scanned` } };
    }
    const failure = failures.get(n.name);
    return failure ? { node: n.name, status: 'Failed', error: failure } : { node: n.name, status: 'Scanned', error: null };
  });
  const ordered = cluster.nodes.flatMap((n) => entries.get(n.name) ?? []);
  return { clusterName: cluster.name, entries: ordered, nodes, cluster };
}

export interface FeatureOfferCheck {
  readonly consistent: boolean;
  /** Offer title (or `(none)`) → nodes offered it. */
  readonly groups: ReadonlyArray<{ readonly offer: string; readonly nodes: readonly string[] }>;
}

/**
 * Every node must be offered the same feature update. Different offers mean the nodes sit at different patch
 * levels (the known mixed-patch-level problem), and a rolling upgrade would leave the cluster on mixed builds.
 */
export function checkFeatureOffers(result: ScanResult): FeatureOfferCheck {
  const byNode = new Map<string, string>();
  for (const node of result.nodes) if (node.status === 'Scanned') byNode.set(node.node, '(none)');
  for (const entry of result.entries) {
    if (entry.plugin === 'Microsoft.RollingUpgradePlugin') byNode.set(entry.nodeName, entry.featureUpdate ?? entry.title);
  }
  const groups = new Map<string, string[]>();
  for (const [node, offer] of byNode) groups.set(offer, [...(groups.get(offer) ?? []), node]);
  const list = [...groups.entries()].map(([offer, nodes]) => ({ offer, nodes }));
  return { consistent: list.length <= 1, groups: list };
}

export function explainMixedOffers(check: FeatureOfferCheck): string {
  const lines = check.groups.map((g) => `  ${g.nodes.join(', ')}: ${g.offer === '(none)' ? 'no feature update offered' : g.offer}`);
  return [
    'The nodes are offered different feature updates:',
    ...lines,
    'This is the known mixed-patch-level problem: Windows Update offers a feature update according to the',
    "node's current cumulative update, so nodes at different patch levels see different offers (or none).",
    'Fix: bring every node to the same cumulative update first (cauctl run with Microsoft.WindowsUpdatePlugin),',
    'then scan again with Microsoft.RollingUpgradePlugin. Every node must be offered the same feature update.',
  ].join('\n');
}
