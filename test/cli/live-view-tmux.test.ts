/**
 * Issue 15 acceptance: the live run view in a real terminal. tmux at 80 and 160 columns, three panes: a live
 * `run --simulate --sim-speed 300` (confirmed with `y` at its prompt), `get-run --wait-for-completion` in the
 * second, `stop-run` in the third (at 80 columns; at 160 the run goes to its end). On every capture while a view
 * is up: no line wider than the pane, every node name on screen, `node n/N` shown (and on the run's pane a finish
 * time), and the pane's scrollback does not grow, so the view is redrawn in place and the screen does not scroll.
 * At 160 columns the finish predicted on the first frame is compared with the real end, in virtual time, and
 * logged. At --sim-speed 300 every real second the machine is slow (a loaded CI host, other panes polling) is
 * five virtual minutes of the run, so this bound is loose (15%, measured 4.5-5.7% on a loaded 2-core host): the
 * 5% acceptance is held without real time by issue-12-plan-capacity.test.ts (the plan against the run's virtual
 * duration at speed max, 2%) and src/output/live-view.test.ts (the first frame predicts the start plus the plan).
 * Waits on screen content with generous bounds; asserts no timing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { BIN, ROOT, sandbox, type Sandbox } from '../support/cli.js';

const NODES = ['NODE1', 'NODE2', 'NODE3', 'NODE4'];
const SOCKET = `cauctl-live-view-${process.pid}`;
/** Real-time bound on any one wait: a 3-hour virtual run at 300x is ~40 s, on a loaded 2-core machine far more. */
const BOUND_MS = 400_000;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

const quote = (arg: string): string => `'${arg.replace(/'/g, `'\\''`)}'`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Pane {
  readonly id: string;
  screen(): string;
  history(): number;
  type(command: string): void;
}

function pane(id: string): Pane {
  return {
    id,
    screen: () => tmux('capture-pane', '-p', '-t', id),
    history: () => Number(tmux('display-message', '-p', '-t', id, '#{history_size}').trim()),
    type: (command) => void tmux('send-keys', '-t', id, command, 'Enter'),
  };
}

/** What must hold on every capture of a pane while its view is up. */
interface ViewWatch {
  readonly pane: Pane;
  readonly width: number;
  /** Whether the screen shows the view (not the prompt before it, nor the result after it). */
  readonly isViewUp: (screen: string) => boolean;
  /** How the view says where the run is. @default `node n/4` */
  readonly position?: RegExp;
  /** The scrollback when the view was first seen. */
  history?: number;
  frames: number;
}

function checkView(watch: ViewWatch, screen: string, history: number): void {
  const lines = screen.split('\n');
  for (const line of lines) expect([...line].length).toBeLessThanOrEqual(watch.width);
  if (!watch.isViewUp(screen)) return;
  watch.frames += 1;
  for (const node of NODES) expect(screen).toContain(node);
  expect(screen).toMatch(watch.position ?? /node [0-4]\/4/);
  watch.history ??= history;
  expect({ pane: watch.pane.id, scrollback: history }).toEqual({ pane: watch.pane.id, scrollback: watch.history });
}

/** Polls until `done` holds on `main`'s screen, checking every watched view on each round. */
async function until(main: Pane, done: (screen: string) => boolean, watches: readonly ViewWatch[], what: string): Promise<string> {
  const deadline = Date.now() + BOUND_MS;
  for (;;) {
    for (const w of watches) {
      const history = w.pane.history();
      const screen = w.pane.screen();
      // The scrollback read before and after the screen: a frame counts only when neither moved in between.
      if (w.pane.history() === history) checkView(w, screen, history);
    }
    const screen = main.screen();
    if (done(screen)) return screen;
    if (Date.now() > deadline) throw new Error(`waited ${BOUND_MS / 1000} s for ${what}; the pane shows:\n${screen}`);
    await sleep(250);
  }
}

/** Each width has its own state directory, so that get-report --last is that width's run. */
let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => {
  spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
  box.cleanup();
});

/** A session `width` wide and 30 rows high, split into three panes, each a shell in the sandbox. */
function session(width: number): [Pane, Pane, Pane] {
  spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
  const shell = `cd ${quote(ROOT)} && exec env -u CAUCTL_PASSWORD -u COLUMNS -u LINES CAUCTL_STATE_DIR=${quote(box.stateDir)} TZ=UTC NO_COLOR=1 PS1='$ ' sh`;
  tmux('new-session', '-d', '-x', String(width), '-y', '30', '-s', 'live', shell);
  tmux('split-window', '-v', '-t', 'live', shell);
  tmux('split-window', '-v', '-t', 'live', shell);
  tmux('select-layout', '-t', 'live', 'even-vertical');
  const ids = tmux('list-panes', '-t', 'live', '-F', '#{pane_id}').trim().split('\n');
  return [pane(ids[0]!), pane(ids[1]!), pane(ids[2]!)];
}

const cauctl = `${quote(process.execPath)} ${quote(BIN)}`;
const runView = (s: string): boolean => /finish ~|elapsed/.test(s) && !/EXIT=|Run .* on HCI01:/.test(s);
const getRunView = (s: string): boolean => /elapsed/.test(s) && !/EXIT=|RunNotInProgress/.test(s);

describe('the live run view in tmux (issue 15)', () => {
  it.each([
    [80, true],
    [160, false],
  ])(
    'at %i columns: run, get-run --wait-for-completion beside it (stop-run from a third pane: %s)',
    async (width, stop) => {
      const [run, getRun, stopPane] = session(width);
      run.type(`${cauctl} run --simulate --sim-reset --sim-speed 300; echo EXIT=$?`);
      await until(run, (s) => s.includes('[y/N]'), [], 'the confirmation prompt');
      run.type('y');
      const runWatch: ViewWatch = { pane: run, width, isViewUp: runView, frames: 0 };
      const first = await until(run, (s) => /node \d\/4 .*finish ~\d\d:\d\d:\d\d/.test(s), [], 'the first frame with a finish time');
      const predicted = /finish ~(\d\d:\d\d:\d\d)/.exec(first)![1]!;
      getRun.type(`${cauctl} get-run --simulate --wait-for-completion; echo EXIT=$?`);
      const getRunWatch: ViewWatch = { pane: getRun, width, isViewUp: getRunView, frames: 0 };
      await until(getRun, getRunView, [runWatch], "get-run's view");
      // The finish the run predicts travels in the cluster lock: get-run's view shows it, and get-run --json says
      // the run's own prediction (the one its pane shows just before or after, give or take its moving).
      await until(getRun, (s) => /finish ~\d\d:\d\d:\d\d/.test(s), [runWatch, getRunWatch], "get-run's predicted finish");
      const shownBefore = /finish ~(\d\d:\d\d:\d\d)/.exec(run.screen())?.[1];
      const fromLock = JSON.parse(box.run(['get-run', '--simulate', '--json']).stdout) as { runState: string; predictedEndTime: string | null };
      const shownAfter = /finish ~(\d\d:\d\d:\d\d)/.exec(run.screen())?.[1];
      if (fromLock.runState === 'RunInProgress') {
        const seconds = (hms: string): number => hms.split(':').reduce((t, part) => t * 60 + Number(part), 0);
        const published = seconds(fromLock.predictedEndTime?.slice(11, 19) ?? '99:99:99');
        const apart = Math.min(...[shownBefore, shownAfter].filter((t): t is string => t !== undefined).map((t) => Math.abs(seconds(t) - published)).map((d) => Math.min(d, 86_400 - d)));
        expect({ published: fromLock.predictedEndTime, shownBefore, shownAfter, within5min: apart <= 300 }).toEqual({ published: fromLock.predictedEndTime, shownBefore, shownAfter, within5min: true });
      }
      if (stop) {
        await until(run, (s) => /node [23]\/4/.test(s), [runWatch, getRunWatch], 'the second or third node (not the last: a stop on it could come after the run ended)');
        stopPane.type(`${cauctl} stop-run --simulate; echo EXIT=$?`);
      }
      const end = await until(run, (s) => /EXIT=\d+/.test(s), [runWatch, getRunWatch], 'the end of the run');
      await until(getRun, (s) => /EXIT=\d+/.test(s), [getRunWatch], 'the end of get-run');
      expect(runWatch.frames).toBeGreaterThan(3);
      expect(getRunWatch.frames).toBeGreaterThan(1);
      expect(end).toContain(stop ? 'EXIT=3' : 'EXIT=0');
      if (stop) {
        expect(stopPane.screen()).toContain('EXIT=0');
        return;
      }
      // The finish first shown against the real end, in virtual time (UTC on the screen).
      const report = JSON.parse(box.run(['get-report', '--simulate', '--last', '--json']).stdout) as { reports: Array<{ startTime: string; endTime: string }> };
      const { startTime, endTime } = report.reports[0]!;
      const start = Date.parse(startTime);
      let finish = Date.parse(`${startTime.slice(0, 10)}T${predicted}Z`);
      if (finish < start) finish += 86_400_000;
      const duration = Date.parse(endTime) - start;
      const error = Math.abs(finish - Date.parse(endTime)) / duration;
      console.log(`predicted finish ${new Date(finish).toISOString()} (first frame), actual end ${endTime}, run ${Math.round(duration / 1000)} s: off by ${(error * 100).toFixed(1)}%`);
      expect({ predicted: new Date(finish).toISOString(), endTime, error: error <= 0.15 }).toEqual({ predicted: new Date(finish).toISOString(), endTime, error: true });
    },
    2 * BOUND_MS,
  );
});

/**
 * feature-update and offline-update show the same live view (issue 15): feature-update's rolling run with `node
 * n/4` and its predicted finish; offline-update every node at once, with `nodes n/4 done`, the cluster-wide step
 * under way, and a finish predicted from its steps. The same checks on every capture as above.
 */
describe('the live view of feature-update and offline-update in tmux (issue 15)', () => {
  const flows = [
    {
      name: 'feature-update',
      command: `${cauctl} feature-update --simulate --sim-reset --sim-speed 600 --wu-connected; echo EXIT=$?`,
      prompt: '[y/N]',
      answer: 'y',
      position: /node [0-4]\/4/,
      frame: /node \d\/4 .*finish ~\d\d:\d\d:\d\d/,
      done: /Feature update of HCI01[\s\S]*Succeeded/,
    },
    {
      name: 'offline-update',
      command: `${cauctl} offline-update --simulate --sim-reset --sim-speed 300; echo EXIT=$?`,
      prompt: 'to go on:',
      answer: 'HCI01',
      position: /nodes [0-4]\/4 done|node [0-4]\/4/,
      frame: /nodes 0\/4 done .*finish ~\d\d:\d\d:\d\d[\s\S]*cluster: install on every node/,
      done: /Offline update [\s\S]*HCI01: Succeeded/,
    },
  ];
  it.each(flows.flatMap((f) => [80, 160].map((width) => [f.name, width, f] as const)))(
    '%s at %i columns',
    async (_name, width, flow) => {
      const [main] = session(width);
      main.type(flow.command);
      await until(main, (s) => s.includes(flow.prompt), [], 'the confirmation prompt');
      main.type(flow.answer);
      const watch: ViewWatch = { pane: main, width, isViewUp: (s) => /finish ~/.test(s) && !/EXIT=/.test(s), position: flow.position, frames: 0 };
      await until(main, (s) => flow.frame.test(s), [watch], 'a frame with the nodes under way and a finish time');
      const end = await until(main, (s) => /EXIT=\d+/.test(s), [watch], 'the end');
      expect(watch.frames).toBeGreaterThan(3);
      expect(end).toContain('EXIT=0');
      expect(end).toMatch(flow.done);
    },
    2 * BOUND_MS,
  );
});
