/**
 * Flag parsing of get-report and export-report, with the command bodies injected (STYLE.md §2): argv →
 * profile, or the usage error. The bodies themselves are tested end to end in test/report/.
 */
import { Command } from 'commander';
import type { CommandEnv } from '../../command-env.js';
import { addGlobalOptions } from '../../global-options.js';
import type { CliIo } from '../../io.js';
import { buildExportReportCommand, type ExportReportProfile } from '../export-report/index.js';
import { buildGetReportCommand, type GetReportProfile } from './index.js';
import { AppError } from '../../../errors.js';

function fakeIo(): CliIo {
  const sink = { write: () => undefined, isTTY: false };
  return { stdout: sink, stderr: sink, stdinIsTty: false, env: {}, platform: 'linux', promptSecret: async () => '', promptLine: async () => '' };
}

async function parse<P>(build: (env: CommandEnv, run: (p: P) => Promise<number>) => Command, argv: string[]): Promise<P | string> {
  let captured: P | undefined;
  const env: CommandEnv = { io: fakeIo(), interrupts: { onInterrupt: () => () => undefined, exit: () => undefined }, setExitCode: () => undefined, abandon: () => undefined };
  const program = addGlobalOptions(new Command('cauctl')).exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  const command = build(env, async (p) => {
    captured = p;
    return 0;
  });
  command.exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  program.addCommand(command);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    return error instanceof AppError ? `${error.code}: ${error.message}` : `commander: ${(error as Error).message}`;
  }
  return captured as P;
}

const getReport = (argv: string[]): Promise<GetReportProfile | string> => parse<GetReportProfile>((env, run) => buildGetReportCommand(env, (p) => run(p)), ['get-report', ...argv]);
const exportReport = (argv: string[]): Promise<ExportReportProfile | string> => parse<ExportReportProfile>((env, run) => buildExportReportCommand(env, (p) => run(p)), ['export-report', ...argv]);

describe('get-report flags', () => {
  it.each([
    ['nothing: every run, summaries', [], { query: { last: false }, detailed: false, includeCluster: false }],
    ['--last --detailed', ['--last', '--detailed'], { query: { last: true }, detailed: true, includeCluster: false }],
    ['a date range', ['--start-date', '2024-10-01', '--end-date', '2024-10-31'], { query: { last: false, startMs: Date.parse('2024-10-01T00:00:00Z'), endMs: Date.parse('2024-10-31T23:59:59.999Z') }, detailed: false, includeCluster: false }],
    ['--run-id', ['--run-id', 'abc123'], { query: { last: false, runId: 'abc123' }, detailed: false, includeCluster: false }],
    ['--include-cluster', ['--include-cluster'], { query: { last: false }, detailed: false, includeCluster: true }],
  ])('%s', async (_name, argv, expected) => {
    expect(await getReport(argv)).toEqual(expected);
  });

  it.each([
    ['--last and --run-id', ['--last', '--run-id', 'x'], /^USAGE_CONFLICT: --last and --run-id conflict/],
    ['a bad date', ['--end-date', '31/10/2024'], /^USAGE_DATE: --end-date must be a date/],
    ['an unknown flag', ['--format', 'html'], /^commander: error: unknown option '--format'/],
  ])('refuses %s', async (_name, argv, message) => {
    expect(await getReport(argv)).toMatch(message);
  });
});

describe('export-report flags', () => {
  it.each([
    ['html with defaults', ['--format', 'html', '--path', 'r.html'], { query: { last: false }, format: 'html', path: 'r.html', timeZone: 'UTC', force: false, passThru: false, includeCluster: false }],
    ['csv, last, zone, force', ['--format', 'csv', '--path', 'r.csv', '--last', '--time-zone', 'Europe/Paris', '-f'], { query: { last: true }, format: 'csv', path: 'r.csv', timeZone: 'Europe/Paris', force: true, passThru: false, includeCluster: false }],
    ['--pass-thru, and a Windows zone name as its IANA zone', ['--format', 'html', '--path', 'r.html', '--pass-thru', '--time-zone', 'Romance Standard Time'], { query: { last: false }, format: 'html', path: 'r.html', timeZone: 'Europe/Paris', force: false, passThru: true, includeCluster: false }],
  ])('%s', async (_name, argv, expected) => {
    expect(await exportReport(argv)).toEqual(expected);
  });

  it.each([
    ['another format', ['--format', 'pdf', '--path', 'x'], /^commander: error: option '--format <format>' argument 'pdf' is invalid/],
    ['no path', ['--format', 'csv'], /^commander: error: required option '--path <file>' not specified/],
    ['no format', ['--path', 'x.csv'], /^commander: error: required option '--format <format>' not specified/],
    ['an unknown zone', ['--format', 'csv', '--path', 'x', '--time-zone', 'Nowhere/Land'], /^USAGE_TIME_ZONE:/],
    ['conflicting filters', ['--format', 'csv', '--path', 'x', '--last', '--start-date', '2024-01-01'], /^USAGE_CONFLICT:/],
  ])('refuses %s', async (_name, argv, message) => {
    expect(await exportReport(argv)).toMatch(message);
  });
});
