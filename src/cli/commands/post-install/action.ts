/**
 * The body of `cauctl post-install`: the confirmation of the irreversible steps (--force, or the cluster's
 * name typed back on a terminal), the steps of core/post-install.ts, and the JSON document or a summary.
 */
import { exitCodeFor } from '../../../core/error-codes.js';
import { runPostInstall, type PostInstallProfile, type PostInstallResult } from '../../../core/post-install.js';
import { usageError } from '../../../errors.js';
import { writeResult, type HumanPrinter } from '../../../output/result.js';
import type { PostInstallMode } from '../../../profiles/feature-profile.js';
import type { CommandEnv } from '../../command-env.js';
import { openCluster, progressFor, resultEnvFor } from '../../context.js';
import type { GlobalProfile } from '../../global-options.js';

function printSummary(result: PostInstallResult, out: HumanPrinter): void {
  const { theme } = out;
  out.table(['Step', 'Status', 'Detail'], result.steps.map((s) => [s.step, theme.status(s.status), s.detail]));
  const vms = result.nodeResults.flatMap((n) => n.vms.map((v) => [v.vm, v.node, theme.status(v.status), `${v.versionBefore} → ${v.versionAfter}`, v.detail]));
  if (vms.length > 0) out.table(['VM', 'Node', 'Status', 'Version', 'Detail'], vms);
  out.line(`${result.whatIf ? 'What if: ' : ''}post-install on ${result.clusterName}: ${theme.status(result.status)}, functional level ${result.functionalLevel}${result.whatIf ? '. Nothing was touched.' : ''}`);
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
      progress: progressFor(globals, env.io),
    });
    const simulation = ctx.sim ? ctx.sim.audit() : undefined;
    const document = { ...result, ...(simulation ? { simulation } : {}) };
    writeResult(resultEnvFor(globals, env.io), document, (out) => printSummary(result, out));
    return exitCodeFor(result);
  } finally {
    await ctx.close();
  }
}
