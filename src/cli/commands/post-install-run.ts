/**
 * The body of `cauctl post-install`: the confirmation of the irreversible steps (--force, or the cluster's
 * name typed back on a terminal), the steps of core/post-install.ts, and the JSON document or a summary.
 */
import { exitCodeFor } from '../../core/error-codes.js';
import { runPostInstall, type PostInstallProfile, type PostInstallResult } from '../../core/post-install.js';
import { usageError } from '../../errors.js';
import { renderTable } from '../../output/table.js';
import type { PostInstallMode } from '../../profiles/feature-profile.js';
import type { CommandEnv } from '../command-env.js';
import { openCluster, type ClusterContext } from '../context.js';
import type { GlobalProfile } from '../global-options.js';

function printSummary(result: PostInstallResult, env: CommandEnv, ctx: ClusterContext): void {
  const rows = result.steps.map((s) => [s.step, ctx.theme.status(s.status), s.detail]);
  env.io.stdout.write(renderTable(['Step', 'Status', 'Detail'], rows, { tty: env.io.stdout.isTTY }));
  const vms = result.nodeResults.flatMap((n) => n.vms.map((v) => [v.vm, v.node, ctx.theme.status(v.status), `${v.versionBefore} → ${v.versionAfter}`, v.detail]));
  if (vms.length > 0) env.io.stdout.write(renderTable(['VM', 'Node', 'Status', 'Version', 'Detail'], vms, { tty: env.io.stdout.isTTY }));
  env.io.stdout.write(`${result.whatIf ? 'What if: ' : ''}post-install on ${result.clusterName}: ${ctx.theme.status(result.status)}, functional level ${result.functionalLevel}${result.whatIf ? '. Nothing was touched.' : ''}\n`);
}

export async function runPostInstallCommand(profile: PostInstallProfile, mode: PostInstallMode, globals: GlobalProfile, env: CommandEnv): Promise<number> {
  const ctx = await openCluster(globals, env.io);
  try {
    const result = await runPostInstall(profile, {
      gateway: ctx.gateway,
      entry: ctx.entry,
      confirmIrreversible: async (clusterName, summary) => {
        if (mode.force) return true;
        if (!env.io.stdinIsTty) {
          throw usageError('CONFIRMATION_REQUIRED', `post-install would make changes that cannot be undone (${summary.join('; ')}) and asks for confirmation, but stdin is not a terminal; nothing was touched.`, {
            hint: 'Add --force to confirm them, or --what-if to see the steps.',
          });
        }
        env.io.stderr.write(`These steps cannot be undone:\n${summary.map((s) => `  ${s}`).join('\n')}\n`);
        const answer = (await env.io.promptLine(`Type the cluster name (${clusterName}) to go on: `)).trim();
        return answer.toUpperCase() === clusterName.toUpperCase();
      },
      progress: (line) => {
        if (globals.output === 'human') env.io.stderr.write(`${line}\n`);
      },
    });
    const simulation = ctx.sim ? ctx.sim.audit() : undefined;
    const document = { ...result, ...(simulation ? { simulation } : {}) };
    if (globals.output === 'json' || globals.output === 'ndjson') env.io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    else printSummary(result, env, ctx);
    return exitCodeFor(result);
  } finally {
    await ctx.close();
  }
}
