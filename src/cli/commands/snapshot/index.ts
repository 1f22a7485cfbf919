/** `cauctl snapshot`: wiring only; the work is in action.ts, loaded when the command runs. */
import { Command } from 'commander';
import type { CommandEnv } from '../../command-env.js';
import { globalsOf } from '../../command-env.js';
import type { GlobalProfile } from '../../global-options.js';
import { examples } from '../../help.js';
import type { ScanProfile } from '../../../profiles/scan-profile.js';
import { addPluginOptions } from '../scan/index.js';

export interface SnapshotProfile {
  /** Where the model goes; absent: stdout. */
  readonly path: string | undefined;
  readonly scan: ScanProfile;
}

export type SnapshotRunner = (profile: SnapshotProfile, globals: GlobalProfile, env: CommandEnv) => Promise<number>;

export function buildSnapshotCommand(env: CommandEnv, run?: SnapshotRunner): Command {
  const command = new Command('snapshot')
    .description(
      'Read a cluster, read-only, and write a rehearsal model of it in the fixture format: nodes, roles, memory and VMs, quorum, storage, builds, the updates each node is offered now, setup facts and the CAU role. Rehearse on it with --simulate <file>.',
    )
    .option('--path <file>', 'write the model to this file (default: stdout)')
    .addHelpText(
      'after',
      examples([
        ['model a real cluster, then rehearse its run on the model', 'cauctl snapshot --cluster-name HCI01 --username CONTOSO\\admin --path hci01.json\n  cauctl run --what-if --simulate hci01.json'],
        ['a model to attach to a bug report, with names replaced', 'cauctl snapshot --cluster-name HCI01 --username CONTOSO\\admin --anonymize --path hci01-anon.json'],
        ['round trip on the built-in model', 'cauctl snapshot --simulate --path copy.json'],
      ]) +
        '\nOnly operations the catalogue marks read-only are sent; any other is refused before it leaves (exit 1, a bug).\nTimings come from this host\'s run history of the cluster (the median of each phase), else from the defaults; the model\'s description says which.\n',
    );
  addPluginOptions(command).action(async (opts: { path?: string }, cmd: Command) => {
    const globals = globalsOf(cmd, env.io);
    const { parseScanProfile } = await import('../../../profiles/scan-profile.js');
    const { path: _path, ...pluginOptions } = cmd.opts<Record<string, unknown>>();
    const profile: SnapshotProfile = { path: opts.path, scan: parseScanProfile(pluginOptions) };
    const runner = run ?? (await import('./action.js')).runSnapshotCommand;
    env.setExitCode(await runner(profile, globals, env));
  });
  return command;
}
