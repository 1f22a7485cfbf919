/** `cauctl unregister-plugin` (Unregister-CauPlugin): wiring only; the work is in action.ts. */
import { Command } from 'commander';
import type { CommandEnv } from '../../command-env.js';
import { globalsOf } from '../../command-env.js';
import type { GlobalProfile } from '../../global-options.js';
import { examples } from '../../help.js';

export interface UnregisterPluginProfile {
  readonly name: string;
}

export type UnregisterPluginRunner = (profile: UnregisterPluginProfile, globals: GlobalProfile, env: CommandEnv) => Promise<number>;

export function buildUnregisterPluginCommand(env: CommandEnv, run?: UnregisterPluginRunner): Command {
  return new Command('unregister-plugin')
    .description('Remove a script plug-in registered on this host (mirrors Unregister-CauPlugin). The built-in plug-ins cannot be unregistered.')
    .requiredOption('--name <name>', 'the plug-in (CAU: -Name)')
    .addHelpText('after', examples([['remove the example firmware plug-in', 'cauctl unregister-plugin --name Contoso.FirmwarePlugin']]) + '\nAdditional exit codes: 2 for a built-in or a name that is not registered.\n')
    .action(async (opts: { name: string }, cmd: Command) => {
      const globals = globalsOf(cmd, env.io);
      const runner = run ?? (await import('./action.js')).runUnregisterPluginCommand;
      env.setExitCode(await runner({ name: opts.name }, globals, env));
    });
}
