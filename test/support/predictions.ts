/**
 * Watching a run's predicted finish from another process, as an admin's `get-run` would: get-run --json polled
 * until the run's child process ends (never on a clock), keeping the views of the run in progress that carry a
 * prediction. Shared by the end-to-end tests of the prediction.
 */
import type { ChildProcess } from 'node:child_process';
import { parseJson, type Sandbox } from './cli.js';

/** What get-run --json says of the run in progress (the fields the prediction tests read). */
export interface RunView {
  runState: string;
  runStartTime: string | null;
  currentNode: string | null;
  currentPhase: string | null;
  predictedEndTime: string | null;
}

/**
 * The views with a predicted finish, in order, while `run` lives; with `human`, also get-run's human output taken
 * right after the first of them.
 */
export async function watchPredictions(box: Sandbox, fixture: string, run: ChildProcess, options: { human?: boolean } = {}): Promise<{ predicted: RunView[]; human: string | undefined }> {
  let ended = false;
  run.on('close', () => (ended = true));
  const predicted: RunView[] = [];
  let human: string | undefined;
  while (!ended) {
    const view = parseJson<RunView>(box.run(['get-run', '--simulate', fixture, '--json']));
    if (view.runState === 'RunInProgress' && view.predictedEndTime !== null) {
      predicted.push(view);
      if (options.human === true) human ??= box.run(['get-run', '--simulate', fixture]).stdout;
    }
    // Lets the child's close event in between two polls.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { predicted, human };
}
