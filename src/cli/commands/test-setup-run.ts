/** The body of `cauctl test-setup`: gather, judge, print; with --fix, apply the safe remedies and judge again. */
import { evaluateSetup, gatherSetupFacts, hasErrors, planFixes, type RuleResult } from '../../core/readiness.js';
import { ExitCode, usageError } from '../../errors.js';
import { renderTable } from '../../output/table.js';
import type { Theme } from '../../output/theme.js';
import type { CommandEnv } from '../command-env.js';
import { openCluster, type ClusterContext } from '../context.js';
import type { GlobalProfile } from '../global-options.js';
import { probeCauRole } from './cau-role-run.js';
import type { TestSetupProfile } from './test-setup.js';

function printRules(results: readonly RuleResult[], env: CommandEnv, theme: Theme): void {
  const rows = results.map((r) => [r.id, r.severity, theme.status(r.state), r.title, r.detail]);
  env.io.stdout.write(renderTable(['Rule', 'Severity', 'State', 'Title', 'Detail'], rows, { tty: env.io.stdout.isTTY }));
  const failing = results.filter((r) => r.state === 'Fail');
  for (const r of failing) {
    env.io.stdout.write(`\n${theme.bold(`${r.id} ${r.title}`)} — ${theme.status(r.severity === 'Error' ? 'Error' : 'Warning')}\n`);
    for (const n of r.nodes.filter((x) => x.state === 'Fail')) env.io.stdout.write(`  ${n.node}: ${n.detail}\n`);
    if (r.nodes.length === 0) env.io.stdout.write(`  ${r.detail}\n`);
    env.io.stdout.write(`  remedy${r.fixable ? ' (cauctl test-setup --fix)' : ''}: ${r.remedy}\n`);
  }
}

function summary(results: readonly RuleResult[]): { errors: number; warnings: number; passed: number; notApplicable: number } {
  return {
    errors: results.filter((r) => r.state === 'Fail' && r.severity === 'Error').length,
    warnings: results.filter((r) => r.state === 'Fail' && r.severity !== 'Error').length,
    passed: results.filter((r) => r.state === 'Pass').length,
    notApplicable: results.filter((r) => r.state === 'NotApplicable').length,
  };
}

async function check(ctx: ClusterContext): Promise<RuleResult[]> {
  return evaluateSetup(await gatherSetupFacts(ctx.gateway, ctx.entry, () => probeCauRole(ctx.gateway, ctx.entry)));
}

export async function runTestSetupCommand(profile: TestSetupProfile, globals: GlobalProfile, env: CommandEnv): Promise<number> {
  const ctx = await openCluster(globals, env.io);
  try {
    let results = await check(ctx);
    const applied: Array<{ node: string; applied: string[] }> = [];
    const before = results;
    if (profile.fix) {
      const plan = planFixes(results);
      if (plan.size > 0) {
        const lines = [...plan.entries()].map(([node, p]) =>
          `  ${node}: ${[p.enableRemoteShutdownFirewall ? 'enable the Remote Shutdown firewall group' : null, p.installFeatures.length ? `install ${p.installFeatures.join(', ')}` : null, p.disableCredSspServer ? 'turn the CredSSP server role off' : null].filter(Boolean).join('; ')}`,
        );
        if (!profile.force) {
          if (!env.io.stdinIsTty) {
            throw usageError('CONFIRMATION_REQUIRED', `test-setup --fix would change ${plan.size} node(s) and needs confirmation, but stdin is not a terminal.`, {
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
          const result = await ctx.gateway.call(node, 'repair-setup', p);
          applied.push({ node, applied: result.applied });
          if (globals.output === 'human') env.io.stderr.write(`fixed on ${node}: ${result.applied.join(', ') || 'nothing to do'}\n`);
        }
        results = await check(ctx);
      } else if (globals.output === 'human') {
        env.io.stderr.write('No safe remedy to apply.\n');
      }
    }
    const counts = summary(results);
    if (globals.output === 'human') {
      if (profile.fix && applied.length > 0) env.io.stdout.write(`Re-check after the fixes (before: ${summary(before).errors} error(s), ${summary(before).warnings} warning(s)):\n`);
      printRules(results, env, ctx.theme);
      env.io.stdout.write(`\n${counts.passed} passed, ${counts.errors} error(s), ${counts.warnings} warning(s), ${counts.notApplicable} not applicable.\n`);
    } else {
      const doc = {
        schemaVersion: 1,
        clusterName: ctx.entry,
        summary: counts,
        rules: results,
        ...(profile.fix ? { fixesApplied: applied, before: summary(before) } : {}),
      };
      if (globals.output === 'ndjson') for (const rule of results) env.io.stdout.write(`${JSON.stringify({ schemaVersion: 1, clusterName: ctx.entry, ...rule })}\n`);
      else env.io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    }
    return hasErrors(results) ? ExitCode.refused : ExitCode.ok;
  } finally {
    await ctx.close();
  }
}
