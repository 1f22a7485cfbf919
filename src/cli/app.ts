/**
 * The command line: commander wiring, global options, error printing. `runCli` returns the exit code and
 * never exits, so tests drive it with fake streams; main.ts is the only place that exits.
 */
import { Command, CommanderError } from 'commander';
import { AppError, ExitCode, isAppError } from '../errors.js';
import { fsUserError } from '../platform/fs.js';
import { VERSION } from '../version.js';
import type { CommandEnv, InterruptSource } from './command-env.js';
import { roleCommandBuilders } from './commands/cau-role/index.js';
import { buildClusterlessRunCommand } from './commands/clusterless-run/index.js';
import { buildGetClusterlessRunCommand } from './commands/get-clusterless-run/index.js';
import { buildExportReportCommand } from './commands/export-report/index.js';
import { buildFeatureUpdateCommand } from './commands/feature-update/index.js';
import { buildPostInstallCommand } from './commands/post-install/index.js';
import { buildGetReportCommand } from './commands/get-report/index.js';
import { buildGetRunCommand } from './commands/get-run/index.js';
import { buildOfflineUpdateCommand } from './commands/offline-update/index.js';
import { buildRunCommand } from './commands/run/index.js';
import { buildGetPluginCommand } from './commands/get-plugin/index.js';
import { buildRegisterPluginCommand } from './commands/register-plugin/index.js';
import { buildSaveDebugTraceCommand } from './commands/save-debug-trace/index.js';
import { buildUnregisterPluginCommand } from './commands/unregister-plugin/index.js';
import { buildScanCommand } from './commands/scan/index.js';
import { buildSnapshotCommand } from './commands/snapshot/index.js';
import { buildStopRunCommand } from './commands/stop-run/index.js';
import { buildTestSetupCommand } from './commands/test-setup/index.js';
import { addGlobalOptions } from './global-options.js';
import { EXIT_CODES_HELP, examples } from './help.js';
import type { CliIo } from './io.js';

export function buildProgram(env: CommandEnv): Command {
  const program = new Command('cauctl')
    .description('Cluster-Aware Updating for Windows Server failover clusters and Azure Local, from any OS.\nMirrors the CAU cmdlets; every command rehearses on a simulated cluster with --simulate.')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => env.io.stdout.write(s),
      writeErr: (s) => env.io.stderr.write(s),
      outputError: (s, write) => write(`cauctl: ${s.replace(/^error: /, '')}`),
    });
  addGlobalOptions(program);
  program.addHelpText(
    'after',
    examples([
      ['check that a cluster is ready for CAU', 'cauctl test-setup --simulate'],
      ['list the updates each node would get', 'cauctl scan --simulate --json'],
      ['rehearse a rolling run on the built-in model', 'cauctl run --simulate --force'],
    ]) + EXIT_CODES_HELP + '\n',
  );
  for (const build of [buildTestSetupCommand, buildScanCommand, buildRunCommand, buildGetRunCommand, buildStopRunCommand, buildClusterlessRunCommand, buildGetClusterlessRunCommand, buildGetReportCommand, buildExportReportCommand, buildOfflineUpdateCommand, ...roleCommandBuilders, buildFeatureUpdateCommand, buildPostInstallCommand, buildSaveDebugTraceCommand, buildGetPluginCommand, buildRegisterPluginCommand, buildUnregisterPluginCommand, buildSnapshotCommand]) {
    const command = build(env);
    command.exitOverride().configureOutput(program.configureOutput());
    command.showSuggestionAfterError(true);
    command.addHelpText('after', EXIT_CODES_HELP + '\n');
    program.addCommand(command);
  }
  return program;
}

export function printError(thrown: unknown, io: CliIo, options: { verbose: boolean; json: boolean }): number {
  // A file-system error the user can fix is theirs, not a bug: a message naming the path, exit 2, no stack.
  const error = isAppError(thrown) ? thrown : (fsUserError(thrown) ?? thrown);
  if (isAppError(error)) {
    io.stderr.write(`cauctl: ${error.message}\n`);
    if (error.hint) io.stderr.write(`  try: ${error.hint}\n`);
    if (options.verbose && error.stack) io.stderr.write(`${error.stack}\n`);
    if (options.json) {
      io.stdout.write(`${JSON.stringify({ schemaVersion: 1, error: { code: error.code, message: error.message, hint: error.hint ?? null, exitCode: error.exitCode, ...(error.details ? { details: error.details } : {}) } }, null, 2)}\n`);
    }
    return error.exitCode;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(`cauctl: internal error — this is a bug, please report it with the output below.\n${stack}\n`);
  if (options.json) {
    io.stdout.write(`${JSON.stringify({ schemaVersion: 1, error: { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error), hint: null, exitCode: 1 } }, null, 2)}\n`);
  }
  return ExitCode.internal;
}

const noInterrupts: InterruptSource = { onInterrupt: () => () => undefined, exit: () => undefined };

export async function runCli(argv: readonly string[], io: CliIo, interrupts: InterruptSource = noInterrupts): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const env: CommandEnv = { io, interrupts, setExitCode: (code) => (exitCode = code), abandon: (code) => interrupts.exit(code) };
  const program = buildProgram(env);
  const verbose = argv.includes('--verbose');
  const json = argv.includes('--json') || argv.some((a, i) => (a === '--output' && argv[i + 1] === 'json') || a === '--output=json');
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return ExitCode.ok;
      if (error.code === 'commander.executeSubCommandAsync') return ExitCode.internal;
      if (json) io.stdout.write(`${JSON.stringify({ schemaVersion: 1, error: { code: 'USAGE', message: error.message.replace(/^error: /, ''), hint: null, exitCode: 2 } }, null, 2)}\n`);
      if (error.code === 'commander.missingArgument' || error.code === 'commander.unknownCommand' || error.code === 'commander.unknownOption' || error.code === 'commander.optionMissingArgument' || error.code === 'commander.invalidArgument') {
        // Point to the help of the command that was given, where its options are listed.
        const command = error.code === 'commander.unknownCommand' ? undefined : argv.find((arg) => program.commands.some((c) => c.name() === arg));
        io.stderr.write(`  try: cauctl ${command === undefined ? '' : `${command} `}--help\n`);
      }
      return ExitCode.usage;
    }
    return printError(error, io, { verbose, json });
  }
}

export { AppError };
