/**
 * CAU's SiteAwareUpdatingOrder: the nodes grouped by site (the Site fault domain above them in
 * Get-ClusterFaultDomain), every node of one site before any node of the next, sites in the order given.
 * Within a site the run's own order stands (NodeOrder, then the fewest clustered roles first). Pure: no I/O,
 * no clock. Depends on nothing.
 *
 * CAU documents the parameter as "the order in which the command updates cluster nodes" with site names
 * (UNCONFIRMED in cau-surface.md), and nothing about sites left out or nodes with no site. cauctl takes the
 * reading that never guesses: every site of the cluster must be named and every node must have a site,
 * otherwise the run is refused before anything is touched, naming what is missing.
 */

/** A node and its site; `site` null or absent: no Site fault domain above it. */
export interface SitedNode {
  readonly name: string;
  readonly site?: string | null | undefined;
}

/** One site's nodes, in update order. */
export interface SiteGroup {
  readonly site: string;
  readonly nodes: readonly string[];
}

export type SiteOrderResult =
  | { readonly ok: true; readonly order: readonly string[]; readonly groups: readonly SiteGroup[] }
  | { readonly ok: false; readonly problems: readonly string[] };

const FIELD = 'siteAwareUpdatingOrder';

/**
 * Reorders `baseOrder` (every node, already in the run's order) site by site, as `siteOrder` lists the
 * sites. Site names compare case-insensitively, as Windows compares fault domain names; the result spells
 * them as the cluster does. Every problem is returned at once, each as `siteAwareUpdatingOrder: …`.
 */
export function orderBySite(baseOrder: readonly string[], nodes: readonly SitedNode[], siteOrder: readonly string[]): SiteOrderResult {
  const siteOf = new Map(nodes.map((n) => [n.name.toUpperCase(), n.site ?? null]));
  /** The cluster's sites, spelled as the cluster does, each with its nodes in base order. */
  const clusterSites = new Map<string, { name: string; nodes: string[] }>();
  const unsited: string[] = [];
  for (const node of baseOrder) {
    const site = siteOf.get(node.toUpperCase()) ?? null;
    if (site === null || site.trim() === '') {
      unsited.push(node);
      continue;
    }
    const key = site.toUpperCase();
    const entry = clusterSites.get(key) ?? { name: site, nodes: [] };
    entry.nodes.push(node);
    clusterSites.set(key, entry);
  }
  const describeSites = (): string =>
    clusterSites.size === 0 ? 'none defined' : [...clusterSites.values()].map((s) => `${s.name} (${s.nodes.join(', ')})`).join(', ');

  const problems: string[] = [];
  const seen = new Set<string>();
  for (const wanted of siteOrder) {
    const key = wanted.toUpperCase();
    if (seen.has(key)) problems.push(`${FIELD}: ${wanted} is listed twice`);
    else if (!clusterSites.has(key)) problems.push(`${FIELD}: ${wanted} is not a site of this cluster (sites: ${describeSites()})`);
    seen.add(key);
  }
  const missing = [...clusterSites.entries()].filter(([key]) => !seen.has(key)).map(([, s]) => `${s.name} (${s.nodes.join(', ')})`);
  if (missing.length > 0) {
    problems.push(`${FIELD}: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not listed; name every site, in the order to update them`);
  }
  if (unsited.length > 0) {
    problems.push(
      `${FIELD}: ${unsited.join(', ')} ${unsited.length === 1 ? 'has' : 'have'} no site (no Site fault domain above ${unsited.length === 1 ? 'it' : 'them'}); place every node in a site (New-ClusterFaultDomain -Type Site, Set-ClusterFaultDomain -Parent) or leave the option out`,
    );
  }
  if (problems.length > 0) return { ok: false, problems };

  const groups: SiteGroup[] = [];
  for (const wanted of siteOrder) {
    const site = clusterSites.get(wanted.toUpperCase())!;
    groups.push({ site: site.name, nodes: [...site.nodes] });
  }
  return { ok: true, order: groups.flatMap((g) => g.nodes), groups };
}
