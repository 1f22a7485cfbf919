/**
 * Issue 14 §8: an interrupt at the password prompt, in a real terminal (tmux). `run` over WinRM with Basic
 * authentication asks for the password before its first request; the admin types a few characters and then
 * presses Ctrl-C, or the process gets SIGINT, SIGTERM or SIGHUP from elsewhere. Each time: exit 130 with a
 * message, the terminal given back as it was (echo and line mode on, which `stty -a` shows right after), the
 * typed characters never on screen, and no journal or history written. Waits on screen content with generous
 * bounds; asserts no timing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, sandbox, type Sandbox } from '../support/cli.js';

const SOCKET = `cauctl-prompt-${process.pid}`;
/** Real-time bound on one wait: node starting on a loaded 2-core machine. */
const BOUND_MS = 90_000;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

const quote = (arg: string): string => `'${arg.replace(/'/g, `'\\''`)}'`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
  spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
  const shell = `cd ${quote(ROOT)} && exec env -u CAUCTL_PASSWORD CAUCTL_STATE_DIR=${quote(box.stateDir)} NO_COLOR=1 PS1='$ ' sh`;
  tmux('new-session', '-d', '-x', '120', '-y', '30', '-s', 'prompt', shell);
});
afterEach(() => {
  spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
  box.cleanup();
});

const screen = (): string => tmux('capture-pane', '-p', '-t', 'prompt');

async function until(done: (s: string) => boolean, what: string): Promise<string> {
  const deadline = Date.now() + BOUND_MS;
  for (;;) {
    const s = screen();
    if (done(s)) return s;
    if (Date.now() > deadline) throw new Error(`waited ${BOUND_MS / 1000} s for ${what}; the pane shows:\n${s}`);
    await sleep(200);
  }
}

/** Files in the state directory that a run writes when it starts: journals and history. */
function runFiles(): string[] {
  const found: string[] = [];
  for (const sub of ['runs', 'history']) {
    const dir = join(box.stateDir, sub);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) if (entry.isFile()) found.push(join(entry.parentPath, entry.name));
  }
  return found;
}

/** The pid of the cauctl process the pane's shell started. */
function cauctlPid(): number {
  const shellPid = tmux('display-message', '-p', '-t', 'prompt', '#{pane_pid}').trim();
  const child = spawnSync('pgrep', ['-P', shellPid], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
  if (child === undefined || child === '') throw new Error('no cauctl process under the pane shell');
  return Number(child);
}

describe('an interrupt at the password prompt (tmux)', () => {
  it.each([
    ['Ctrl-C typed at the prompt', 'key'],
    ['SIGINT sent to the process', 'SIGINT'],
    ['SIGTERM sent to the process', 'SIGTERM'],
    ['SIGHUP sent to the process', 'SIGHUP'],
  ] as const)('%s: exit 130, echo back on, nothing written', async (_name, how) => {
    const args = ['run', '--cluster-name', 'HCI01', '--username', 'CONTOSO\\admin', '--authentication', 'Basic', '--allow-unencrypted', '--node-address', 'HCI01=127.0.0.1:9', '--force'];
    // stty right after cauctl, before the shell reads its next line: the terminal as cauctl left it.
    tmux('send-keys', '-t', 'prompt', `${quote(process.execPath)} ${quote(BIN)} ${args.map(quote).join(' ')}; echo EXIT=$?; stty -a | tr ' ;' '\\n\\n' | grep -x -e echo -e -echo -e icanon -e -icanon | tr '\\n' ' '; echo TTY-DONE-$((6*7))`, 'Enter');
    await until((s) => s.includes('Password for CONTOSO\\admin:'), 'the password prompt');
    tmux('send-keys', '-t', 'prompt', '-l', 'hunter2');
    if (how === 'key') tmux('send-keys', '-t', 'prompt', 'C-c');
    else process.kill(cauctlPid(), how);
    const after = await until((s) => s.includes('TTY-DONE-42'), 'cauctl to end');
    expect(after).toContain('EXIT=130');
    const modes = /^(.*)TTY-DONE-42$/m.exec(after)![1]!.trim().split(/\s+/).sort();
    expect(modes).toEqual(['echo', 'icanon']);
    expect(after).toMatch(how === 'key' ? /Ctrl-C at the password prompt/ : new RegExp(`${how === 'SIGINT' ? 'Ctrl-C' : how} at the password prompt`));
    expect(after).not.toContain('hunter2');
    expect(runFiles()).toEqual([]);
  }, 240_000);
});
