/** `cauctl stop-run` (Stop-CauRun): asks the coordinator to stop at its next safe point. */
import { Command } from 'commander';
import { hostname } from 'node:os';
import type { CommandEnv } from '../../command-env.js';
import { globalsOf } from '../../command-env.js';
import { examples } from '../../help.js';

export function buildStopRunCommand(env: CommandEnv): Command {
  return new Command('stop-run')
    .description('Cancel the run in progress (mirrors Stop-CauRun) at its next safe point: the current node is finished and resumed, no further node is touched, and the remaining nodes are Canceled.')
    .option('--wait', 'wait until the canceled run has ended')
    .option('-f, --force', 'accepted for compatibility with Stop-CauRun; stop-run never prompts')
    .addHelpText('after', examples([['stop the simulated run from another terminal and wait for it', 'cauctl stop-run --simulate --wait']]) + '\nPrints RunNotInProgress (exit 0) when there is nothing to stop.\n')
    .action(async (opts: { wait?: boolean }, cmd: Command) => {
      const globals = globalsOf(cmd, env.io);
      const [{ openCluster, progressFor, resultEnvFor }, { writeStopRequest }, { readView }, { ExitCode }, { writeResult }] = await Promise.all([
        import('../../context.js'),
        import('../../../core/cluster-lock.js'),
        import('../get-run/action.js'),
        import('../../../errors.js'),
        import('../../../output/result.js'),
      ]);
      const ctx = await openCluster(globals, env.io, { readOnly: true });
      try {
        let view = await readView(ctx);
        const output = resultEnvFor(globals, env.io);
        if (view.runState !== 'RunInProgress' || view.runId === null) {
          const { runState, detail } = view;
          writeResult(output, { schemaVersion: 1, stopped: false, runState, runId: view.runId }, (out) => out.line(`${runState}: nothing to stop on ${ctx.entry}.${detail ? ` ${detail}` : ''}`));
          env.setExitCode(ExitCode.ok);
          return;
        }
        const runId = view.runId;
        await writeStopRequest({ gateway: ctx.gateway, entryNode: ctx.entry }, { runId, requestedAt: new Date(ctx.wallClock.now()).toISOString(), requestedBy: `${ctx.owner.user}@${hostname()}` });
        // Said at once on stderr while --wait waits; the result (stdout) comes at the end.
        if (opts.wait) {
          progressFor(globals, env.io)(`Stop requested for run ${runId}; it stops at its next safe point.`);
          while (view.runState === 'RunInProgress' && view.runId === runId) {
            await ctx.wallClock.sleep(500);
            view = await readView(ctx);
          }
        }
        writeResult(output, { schemaVersion: 1, stopped: true, runId, ended: opts.wait === true }, (out) =>
          out.line(opts.wait ? `Run ${runId} has ended.` : `Stop requested for run ${runId}; it stops at its next safe point.`),
        );
        env.setExitCode(ExitCode.ok);
      } finally {
        await ctx.close();
      }
    });
}
