/** `cauctl stop-run`'s body: writes the stop request the coordinator reads at its next safe point. */
import { hostname } from 'node:os';
import { writeStopRequest } from '../../../core/cluster-lock.js';
import { ExitCode } from '../../../errors.js';
import { writeResult } from '../../../output/result.js';
import type { CommandEnv } from '../../command-env.js';
import { openCluster, progressFor, resultEnvFor } from '../../context.js';
import type { GlobalProfile } from '../../global-options.js';
import { readView } from '../get-run/action.js';

export interface StopRunOptions {
  wait: boolean;
}

export async function runStopRunCommand(opts: StopRunOptions, globals: GlobalProfile, env: CommandEnv): Promise<number> {
  const ctx = await openCluster(globals, env.io, { readOnly: true });
  try {
    let view = await readView(ctx);
    const output = resultEnvFor(globals, env.io);
    if (view.runState !== 'RunInProgress' || view.runId === null) {
      const { runState, detail } = view;
      writeResult(output, { schemaVersion: 1, stopped: false, runState, runId: view.runId }, (out) => out.line(`${runState}: nothing to stop on ${ctx.entry}.${detail ? ` ${detail}` : ''}`));
      return ExitCode.ok;
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
    writeResult(output, { schemaVersion: 1, stopped: true, runId, ended: opts.wait }, (out) =>
      out.line(opts.wait ? `Run ${runId} has ended.` : `Stop requested for run ${runId}; it stops at its next safe point.`),
    );
    return ExitCode.ok;
  } finally {
    await ctx.close();
  }
}
