/** Help texts shared by commands: the exit-code table and example blocks. */

export const EXIT_CODES_HELP = `
Exit codes:
  0    all done
  1    internal error (a bug: please report it with --verbose output)
  2    usage or profile invalid (bad option, bad value, bad file)
  3    the run failed or was stopped (failure budget exceeded, StopAfter reached, stop-run)
  4    cannot connect, or authentication refused
  5    refused before touching anything (readiness failed, lock held, nodes offline)
  6    finished with failed nodes within the budget (PartiallyFailed)
  130  interrupted`;

export function examples(lines: ReadonlyArray<[string, string]>): string {
  return `\nExamples:\n${lines.map(([what, cmd]) => `  # ${what}\n  $ ${cmd}`).join('\n')}\n`;
}
