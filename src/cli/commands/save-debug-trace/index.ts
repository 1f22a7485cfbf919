/** `cauctl save-debug-trace` (Save-CauDebugTrace): wiring only; the work is in action.ts. */
import { Command } from 'commander';
import type { CommandEnv } from '../../command-env.js';
import { globalsOf } from '../../command-env.js';
import type { GlobalProfile } from '../../global-options.js';
import { examples } from '../../help.js';

export interface SaveDebugTraceProfile {
  /** The zip file to write. */
  readonly path: string;
  /** Only this run; every run of the cluster in this host's state when absent. */
  readonly runId: string | undefined;
  /** Overwrite an existing file. @default false */
  readonly force: boolean;
}

export type SaveDebugTraceRunner = (profile: SaveDebugTraceProfile, globals: GlobalProfile, env: CommandEnv) => Promise<number>;

interface RawSaveDebugTraceOptions {
  path: string;
  runId?: string;
  force?: boolean;
}

export function parseSaveDebugTraceProfile(raw: RawSaveDebugTraceOptions): SaveDebugTraceProfile {
  return { path: raw.path, runId: raw.runId, force: raw.force === true };
}

export function buildSaveDebugTraceCommand(env: CommandEnv, run?: SaveDebugTraceRunner): Command {
  const command = new Command('save-debug-trace').description(
    "Write a zip for a support case (mirrors Save-CauDebugTrace): the cluster's run journals, the run profiles, the run history and the versions of cauctl, Node and the OS, from this host's state. Passwords, tokens, web hook URLs and other secrets are redacted. Needs no connection to the cluster.",
  );
  command
    .requiredOption('--path <file.zip>', 'the zip file to write (FilePath, alias Path, in CAU)')
    .option('--run-id <id>', 'only this run (cauctl get-report lists the run ids)')
    .option('-f, --force', 'overwrite the file if it exists')
    .addHelpText(
      'after',
      examples([
        ['everything this host knows of the simulated cluster', 'cauctl save-debug-trace --simulate --path trace.zip'],
        ['one run of a real cluster, replacing an older trace', 'cauctl save-debug-trace --cluster-name HCI01 --run-id 3f1c9a2e-0b7d-4c55-9e8a-1d2f3a4b5c6d --path trace.zip --force'],
      ]) +
        '\nThe archive holds: versions.json (cauctl, Node, OS), journals/ (each run\'s write-ahead journal, its\n' +
        'sidecar and the run profile it started with), history/ (the result of each run), README.txt.\n' +
        'cauctl keeps no separate log file: the journal is the step-by-step log of a run.\n' +
        'Secrets are replaced by [REDACTED]: values under keys such as password, token, secret, credential or\n' +
        'webhook; the path and query of every http(s) URL (web hooks carry their secret there); key=value pairs\n' +
        'naming a secret; Bearer and Basic credentials. The environment is never read into the archive.\n' +
        'An existing file is never overwritten without --force (exit 2); a path that cannot be written is exit 2,\n' +
        'named, and leaves no temporary file behind. An unknown --run-id is exit 2.\n',
    )
    .action(async (opts: RawSaveDebugTraceOptions, cmd: Command) => {
      const globals = globalsOf(cmd, env.io);
      const runner = run ?? (await import('./action.js')).runSaveDebugTraceCommand;
      env.setExitCode(await runner(parseSaveDebugTraceProfile(opts), globals, env));
    });
  return command;
}
