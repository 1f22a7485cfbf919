/** `cauctl get-plugin` (Get-CauPlugin): wiring only; the work is in action.ts. */
import { Command } from 'commander';
import type { CommandEnv } from '../../command-env.js';
import { globalsOf } from '../../command-env.js';
import type { GlobalProfile } from '../../global-options.js';
import { examples } from '../../help.js';

export interface GetPluginProfile {
  /** Only this plug-in; every one when absent. */
  readonly name: string | undefined;
}

export type GetPluginRunner = (profile: GetPluginProfile, globals: GlobalProfile, env: CommandEnv) => Promise<number>;

export function buildGetPluginCommand(env: CommandEnv, run?: GetPluginRunner): Command {
  return new Command('get-plugin')
    .description('List the plug-ins cauctl can use on this host (mirrors Get-CauPlugin): the built-ins, and the script plug-ins registered with register-plugin, with their versions and arguments.')
    .option('--name <name>', 'only this plug-in (CAU: -Name); exit 2 when there is none of that name')
    .addHelpText('after', examples([['every plug-in', 'cauctl get-plugin'], ['one, as JSON', 'cauctl get-plugin --name Microsoft.HotfixPlugin --json']]))
    .action(async (opts: { name?: string }, cmd: Command) => {
      const globals = globalsOf(cmd, env.io);
      const runner = run ?? (await import('./action.js')).runGetPluginCommand;
      env.setExitCode(await runner({ name: opts.name }, globals, env));
    });
}
