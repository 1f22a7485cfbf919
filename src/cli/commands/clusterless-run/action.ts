/**
 * The body of `cauctl clusterless-run`: its options read as the rolling run's (one profile parser), its
 * servers validated, then cauctl run's body over a clusterless target (src/core/clusterless.ts) with the
 * run's lock in the state directory (clusterless-state.ts).
 */
import { parseComputerNames } from '../../../core/clusterless.js';
import { parseRunProfile } from '../../../profiles/run-profile.js';
import type { PluginContext } from '../../../profiles/scan-profile.js';
import { ProfileError } from '../../../profiles/issues.js';
import { AppError, usageError } from '../../../errors.js';
import type { CommandEnv } from '../../command-env.js';
import { openCluster } from '../../context.js';
import { CLUSTERLESS_ENTRY, clusterlessEntry, clusterlessGlobals, requireStandaloneModel } from '../../clusterless-state.js';
import type { GlobalProfile } from '../../global-options.js';
import { runRunCommand } from '../run/action.js';

const COMMAND = 'clusterless-run';

/** The option names of this command in a problem the run's parser words with its own (--max-retries-per-node). */
function asClusterless(error: unknown): unknown {
  if (!(error instanceof ProfileError)) return error;
  const problems = error.problems.map((p) => p.replace(/^maxRetriesPerNode:/, 'maxRetries:').replace(/--max-retries-per-node/g, '--max-retries'));
  return new ProfileError(problems, `invalid ${COMMAND} options`);
}

export async function runClusterlessRunCommand(opts: Record<string, unknown>, globals: GlobalProfile, env: CommandEnv, pluginContext: PluginContext = {}): Promise<number> {
  const { computerName, maxRetries, ...rest } = opts;
  let parsed: ReturnType<typeof parseRunProfile>;
  try {
    parsed = parseRunProfile({ ...rest, ...(maxRetries !== undefined ? { maxRetriesPerNode: maxRetries } : {}) }, pluginContext);
  } catch (error) {
    throw asClusterless(error);
  }
  const { profile, mode } = parsed;
  // Resuming or recovering, the servers are the journal's (or none are touched); otherwise they are required.
  const given = computerName as string[] | undefined;
  const servers = mode.resume || mode.forceRecovery ? (given === undefined ? [] : parseComputerNames(given)) : parseComputerNames(given);
  if (servers.some((s) => s.toUpperCase() === CLUSTERLESS_ENTRY)) {
    throw usageError('USAGE_COMPUTER_NAME', `--computer-name: ${CLUSTERLESS_ENTRY} is the name cauctl files clusterless runs under; a server of that name cannot be updated by clusterless-run.`, { details: { field: 'computerName' } });
  }
  const open = async (): Promise<Awaited<ReturnType<typeof openCluster>>> => {
    const ctx = await openCluster(clusterlessGlobals(globals, COMMAND), env.io, { entryTransport: clusterlessEntry });
    try {
      requireStandaloneModel(ctx.sim?.fixture, COMMAND);
      const names = new Set((ctx.sim?.nodeNames ?? servers).map((n) => n.toUpperCase()));
      if (servers.some((s) => s.toUpperCase() === ctx.entry.toUpperCase())) {
        throw usageError('USAGE_COMPUTER_NAME', `--computer-name: ${ctx.entry} is the name of the simulated model, not one of its servers (${ctx.sim?.nodeNames.join(', ')}).`, { details: { field: 'computerName' } });
      }
      // On the simulator an unknown name is a typing mistake, said before anything starts (a real one is probed).
      const unknown = servers.filter((s) => !names.has(s.toUpperCase()));
      if (unknown.length > 0) {
        throw usageError('USAGE_COMPUTER_NAME', `--computer-name: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not a server of the simulated model ${ctx.entry} (${ctx.sim!.nodeNames.join(', ')}).`, { details: { field: 'computerName' } });
      }
      return ctx;
    } catch (error) {
      await ctx.close();
      throw error;
    }
  };
  try {
    return await runRunCommand(profile, mode, globals, env, {}, { command: COMMAND, open, clusterless: { servers } });
  } catch (error) {
    throw inOwnWords(error, globals);
  }
}

/**
 * The lock's refusals speak of "the cluster" and of run/get-run/stop-run; a clusterless run's lock is the
 * state directory's, watched with get-clusterless-run and stopped with Ctrl-C in its terminal.
 */
function inOwnWords(error: unknown, globals: GlobalProfile): unknown {
  if (!(error instanceof AppError) || !['LOCK_HELD', 'LOCK_STALE'].includes(error.code)) return error;
  const target = globals.simulate === true ? ' --simulate' : typeof globals.simulate === 'string' ? ` --simulate ${globals.simulate}` : '';
  const message = error.message.replace(/^The cluster is locked by /, 'A clusterless run from this state directory holds its lock: ').replace(/cluster lock/g, 'clusterless lock');
  const hint =
    error.code === 'LOCK_HELD'
      ? `Watch it with cauctl get-clusterless-run${target}, wait for it (--wait-for-completion), or stop it with Ctrl-C in its terminal. A live lock is never cleared; one clusterless run at a time per state directory.`
      : `Continue it with cauctl clusterless-run${target} --resume --force, or clear its lock with cauctl clusterless-run${target} --force-recovery --force.`;
  return new AppError(error.code, error.exitCode, message, { hint, cause: error, ...(error.details !== undefined ? { details: error.details } : {}) });
}
