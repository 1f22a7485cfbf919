/** The body of `cauctl get-clusterless-run`: get-run's view, over the clusterless run's local state. */
import type { CommandEnv } from '../../command-env.js';
import { openCluster } from '../../context.js';
import { clusterlessEntry, clusterlessGlobals, requireStandaloneModel } from '../../clusterless-state.js';
import type { GlobalProfile } from '../../global-options.js';
import { runGetRunCommand, type GetRunOptions } from '../get-run/action.js';

const COMMAND = 'get-clusterless-run';

export function runGetClusterlessRunCommand(options: GetRunOptions, globals: GlobalProfile, env: CommandEnv): Promise<number> {
  return runGetRunCommand(options, globals, env, {
    command: 'clusterless-run',
    none: `no clusterless run is in progress from this state directory${globals.simulate !== undefined ? ' on the simulated servers' : ''}.`,
    open: async () => {
      const ctx = await openCluster(clusterlessGlobals(globals, COMMAND), env.io, { readOnly: true, entryTransport: clusterlessEntry });
      try {
        requireStandaloneModel(ctx.sim?.fixture, COMMAND);
        return ctx;
      } catch (error) {
        await ctx.close();
        throw error;
      }
    },
  });
}
