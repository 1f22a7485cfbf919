/** The body of `cauctl test-setup`: gather, judge, print; with --fix, apply the safe remedies and judge again. */
import { evaluateSetup, gatherSetupFacts, hasErrors, planFixes, type RuleResult, type SetupFacts } from '../../../core/readiness.js';
import { ExitCode, usageError } from '../../../errors.js';
import { plural } from '../../../output/format.js';
import { writeResult, type HumanPrinter } from '../../../output/result.js';
import type { CommandEnv } from '../../command-env.js';
import type { Gateway } from '../../../cluster/gateway.js';
import { commandGateway } from '../../command-gateway.js';
import { nativeCauUnknown } from '../../native-cau-unknown.js';
import { openCluster, progressFor, resultEnvFor, type ClusterContext } from '../../context.js';
import type { GlobalProfile } from '../../global-options.js';
import { probeCauRole } from '../cau-role/action.js';
import type { TestSetupProfile } from './index.js';

function printRules(results: readonly RuleResult[], out: HumanPrinter): void {
  const { theme } = out;
  out.table(['Rule', 'Severity', 'State', 'Title', 'Detail'], results.map((r) => [r.id, r.severity, theme.status(r.state), r.title, r.detail]));
  for (const r of results.filter((x) => x.state === 'Fail')) {
    out.line();
    out.line(`${theme.bold(`${r.id} ${r.title}`)} — ${theme.status(r.severity === 'Error' ? 'Error' : 'Warning')}`);
    for (const n of r.nodes.filter((x) => x.state === 'Fail')) out.line(`  ${n.node}: ${n.detail}`);
    if (r.nodes.length === 0) out.line(`  ${r.detail}`);
    out.line(`  remedy${r.fixable ? ' (cauctl test-setup --fix)' : ''}: ${r.remedy}`);
  }
}

type Counts = ReturnType<typeof summary>;

function describeCounts(c: Counts): string {
  return `${plural(c.errors, 'error')}, ${plural(c.warnings, 'warning')}`;
}

function summary(results: readonly RuleResult[]): { errors: number; warnings: number; passed: number; notApplicable: number } {
  return {
    errors: results.filter((r) => r.state === 'Fail' && r.severity === 'Error').length,
    warnings: results.filter((r) => r.state === 'Fail' && r.severity !== 'Error').length,
    passed: results.filter((r) => r.state === 'Pass').length,
    notApplicable: results.filter((r) => r.state === 'NotApplicable').length,
  };
}

/** The cluster's Site fault domains and their nodes, in node order; empty when no node is in a site. */
export interface SiteView {
  readonly site: string;
  readonly nodes: readonly string[];
}

function sitesOf(cluster: SetupFacts['cluster']): SiteView[] {
  const sites = new Map<string, { site: string; nodes: string[] }>();
  for (const node of cluster?.nodes ?? []) {
    const site = node.site ?? '(none)';
    const entry = sites.get(site.toUpperCase()) ?? { site, nodes: [] };
    entry.nodes.push(node.name);
    sites.set(site.toUpperCase(), entry);
  }
  return sites.size === 1 && sites.has('(NONE)') ? [] : [...sites.values()];
}

async function check(ctx: ClusterContext, gateway: Gateway): Promise<{ results: RuleResult[]; sites: SiteView[]; nativeUnknown: string | undefined }> {
  const facts = await gatherSetupFacts(gateway, ctx.entry, () => probeCauRole(gateway, ctx.entry));
  return { results: evaluateSetup(facts), sites: sitesOf(facts.cluster), nativeUnknown: facts.cluster === null ? undefined : nativeCauUnknown(facts.cluster) };
}

export async function runTestSetupCommand(profile: TestSetupProfile, globals: GlobalProfile, env: CommandEnv): Promise<number> {
  const ctx = await openCluster(globals, env.io);
  try {
    const gateway = commandGateway(ctx);
    const first = await check(ctx, gateway);
    if (first.nativeUnknown !== undefined) env.io.stderr.write(`cauctl: warning: ${first.nativeUnknown}\n`);
    let { results, sites } = first;
    const applied: Array<{ node: string; applied: string[] }> = [];
    const progress = progressFor(globals, env.io);
    const before = results;
    if (profile.fix) {
      const plan = planFixes(results);
      if (plan.size > 0) {
        const lines = [...plan.entries()].map(([node, p]) =>
          `  ${node}: ${[p.enableRemoteShutdownFirewall ? 'enable the Remote Shutdown firewall group' : null, p.installFeatures.length ? `install ${p.installFeatures.join(', ')}` : null, p.disableCredSspServer ? 'turn the CredSSP server role off' : null].filter(Boolean).join('; ')}`,
        );
        if (!profile.force) {
          if (!env.io.stdinIsTty) {
            throw usageError('CONFIRMATION_REQUIRED', `test-setup --fix would change ${plural(plan.size, 'node')} and needs confirmation, but stdin is not a terminal.`, {
              hint: 'Add --force to apply the fixes without asking.',
            });
          }
          env.io.stderr.write(`These fixes will be applied:\n${lines.join('\n')}\n`);
          const answer = (await env.io.promptLine('Apply them? [y/N] ')).trim().toLowerCase();
          if (answer !== 'y' && answer !== 'yes') {
            env.io.stderr.write('Nothing changed.\n');
            return ExitCode.refused;
          }
        }
        for (const [node, p] of plan) {
          const result = await gateway.call(node, 'repair-setup', p);
          applied.push({ node, applied: result.applied });
          progress(`fixed on ${node}: ${result.applied.join(', ') || 'nothing to do'}`);
        }
        ({ results, sites } = await check(ctx, gateway));
      } else {
        progress('No safe remedy to apply.');
      }
    }
    const counts = summary(results);
    const document = {
      schemaVersion: 1,
      clusterName: ctx.entry,
      summary: counts,
      rules: results,
      // The Site fault domains, for run --site-aware-updating-order; absent when the cluster defines none.
      ...(sites.length > 0 ? { sites } : {}),
      ...(profile.fix ? { fixesApplied: applied, before: summary(before) } : {}),
    };
    writeResult(
      resultEnvFor(globals, env.io),
      document,
      (out) => {
        if (profile.fix && applied.length > 0) out.line(`Re-check after the fixes (before: ${describeCounts(summary(before))}):`);
        printRules(results, out);
        out.line();
        out.line(`${counts.passed} passed, ${describeCounts(counts)}, ${counts.notApplicable} not applicable.`);
        if (sites.length > 0) out.line(`Sites: ${sites.map((s) => `${s.site} (${s.nodes.join(', ')})`).join('; ')}`);
      },
      { records: results.map((rule) => ({ schemaVersion: 1, clusterName: ctx.entry, ...rule })) },
    );
    return hasErrors(results) ? ExitCode.refused : ExitCode.ok;
  } finally {
    await ctx.close();
  }
}
