/** Help texts shared by commands: the exit-code table and example blocks. */

export const EXIT_CODES_HELP = `
Exit codes:
  0    all done
  1    internal error (a bug: please report it with --verbose output)
  2    usage or profile invalid (bad option, bad value, bad file)
  3    the run failed or was stopped (failure budget exceeded, StopAfter reached, stop-run, an interrupt,
       a journal or history write that failed)
  4    cannot connect, or authentication refused
  5    refused before touching anything (readiness failed, lock held, nodes offline)
  6    finished with failed nodes within the budget (PartiallyFailed)
  130  interrupted (outside a run, or abandoned by a third interrupt)`;

/** How runs react to signals and closed outputs (invariant 10), for the help of commands that run. */
export const SIGNALS_HELP = `
Signals and closed outputs:
  Ctrl-C (SIGINT), kill (SIGTERM) and a closed terminal (SIGHUP) all stop the run at its next safe point:
  the current node is finished and resumed, no further node is touched, exit 3. A second interrupt prints
  what is still paused; a third abandons the run at once (exit 130; continue later with --resume).
  A closed stdout or stderr (| head, a closed terminal) only ends output to that stream: the run goes on
  and its result still reaches the journal and the history (cauctl get-report).`;

export function examples(lines: ReadonlyArray<[string, string]>): string {
  return `\nExamples:\n${lines.map(([what, cmd]) => `  # ${what}\n  $ ${cmd}`).join('\n')}\n`;
}
