/** `cauctl register-plugin` (Register-CauPlugin, for script plug-ins): wiring only; the work is in action.ts. */
import { Command } from 'commander';
import type { CommandEnv } from '../../command-env.js';
import { globalsOf } from '../../command-env.js';
import type { GlobalProfile } from '../../global-options.js';
import { examples } from '../../help.js';

export interface RegisterPluginProfile {
  /** The plug-in folder: plugin.json, scan.ps1, install.ps1. */
  readonly path: string;
}

export type RegisterPluginRunner = (profile: RegisterPluginProfile, globals: GlobalProfile, env: CommandEnv) => Promise<number>;

export function buildRegisterPluginCommand(env: CommandEnv, run?: RegisterPluginRunner): Command {
  return new Command('register-plugin')
    .description(
      "Register a script plug-in on this host (mirrors Register-CauPlugin, for cauctl's script plug-ins rather than .NET classes): a folder with plugin.json (name, version, the arguments it accepts), a node-side scan.ps1 and install.ps1. Checks the manifest and parses both scripts with PowerShell's own parser under the Windows PowerShell 5.1 rules (needs pwsh or powershell.exe on PATH), then keeps a copy in the state directory. Registering the same name again replaces it. The contract: docs/plugins.md.",
    )
    .requiredOption('--path <folder>', 'the plug-in folder (CAU: -Path)')
    .addHelpText(
      'after',
      examples([
        ['register the example firmware plug-in', 'cauctl register-plugin --path examples/plugins/contoso-firmware'],
        ['then list the plug-ins', 'cauctl get-plugin'],
      ]) + '\nAdditional exit codes: 2 when the folder fails a check (each problem named by file and field); 5 when no PowerShell is on PATH to parse the scripts.\n',
    )
    .action(async (opts: { path: string }, cmd: Command) => {
      const globals = globalsOf(cmd, env.io);
      const runner = run ?? (await import('./action.js')).runRegisterPluginCommand;
      env.setExitCode(await runner({ path: opts.path }, globals, env));
    });
}
