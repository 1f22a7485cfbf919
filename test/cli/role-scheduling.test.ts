/**
 * The scheduler examples in docs/scheduling (systemd service and timer, crontab, Task Scheduler) and the README's
 * "Scheduled runs" section: every `cauctl run` line in them parses with the real CLI and plans a run (the
 * connection options swapped for a simulated cluster of the same name, --what-if added), carries --force and
 * --json, and the unit files have the keys systemd needs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, parseJson, sandbox, type Sandbox } from '../support/cli.js';

const DOCS = join(ROOT, 'docs', 'scheduling');
const read = (name: string): string => readFileSync(join(DOCS, name), 'utf8');

/** Options that only make sense against a real cluster; the rehearsal replaces them with --simulate. */
const CONNECTION_OPTIONS = new Set(['--username', '--password-file', '--transport']);

/** A line that runs cauctl: `cauctl run --…`, or Task Scheduler's `-Argument 'run --…'`. */
const RUN_LINE = /cauctl(\.cmd)? run --|-Argument 'run --/;

/**
 * The argv after `cauctl` in one line: the quoted text of `-Argument '…'` or `/TR "…"`, otherwise from
 * `cauctl run` up to a shell redirection or a closing backtick.
 */
function cauctlArgs(line: string): string[] {
  const quoted = /-Argument '([^']*)'/.exec(line) ?? /\/TR "([^"]*)"/.exec(line);
  const text = quoted ? quoted[1]!.replace(/^\S*cauctl(\.cmd)?\s+/, '') : line.slice(line.search(/cauctl run /) + 'cauctl '.length);
  return text.split(/\s[0-9]?>|`/)[0]!.trim().split(/\s+/);
}

function commandsIn(name: string): string[] {
  return read(name).split('\n').filter((line) => RUN_LINE.test(line));
}

function rehearse(box: Sandbox, argv: readonly string[], fixture: string): ReturnType<Sandbox['run']> {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    if (CONNECTION_OPTIONS.has(argv[i]!)) i += 1;
    else kept.push(argv[i]!);
  }
  return box.run([...kept, '--what-if', '--simulate', fixture]);
}

let box: Sandbox;
let fixture: string;
beforeEach(() => {
  box = sandbox();
  fixture = box.fixture({ name: 'HCI01', nodes: [{ name: 'NODE1' }, { name: 'NODE2' }, { name: 'NODE3' }] });
});
afterEach(() => box.cleanup());

const sources: Array<[string, string[]]> = [
  ['cauctl-run.service', commandsIn('cauctl-run.service')],
  ['crontab', commandsIn('crontab')],
  ['register-task.ps1', commandsIn('register-task.ps1')],
  ['README.md', readFileSync(join(ROOT, 'README.md'), 'utf8').split('## Scheduled runs')[1]!.split('\n## ')[0]!.split('\n').filter((l) => RUN_LINE.test(l))],
];

describe('scheduler examples', () => {
  it('finds the commands (a guard against an empty search)', () => {
    expect(sources.map(([name, lines]) => [name, lines.length > 0])).toEqual(sources.map(([name]) => [name, true]));
    expect(sources.find(([n]) => n === 'register-task.ps1')![1]).toHaveLength(2); // Register-ScheduledTask and schtasks
  });

  it.each(sources.flatMap(([name, lines]) => lines.map((line, i): [string, string] => [`${name} #${i + 1}`, line])))('%s: runs with --force --json and parses with the real CLI', (_name, line) => {
    const argv = cauctlArgs(line);
    expect(argv[0]).toBe('run');
    expect(argv).toContain('--force');
    expect(argv).toContain('--json');
    const result = rehearse(box, argv, fixture);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(parseJson<{ whatIf: boolean; clusterName: string }>(result)).toMatchObject({ whatIf: true, clusterName: 'HCI01' });
  });

  it('the argv extraction is strict enough to fail: an unknown option is refused by the CLI', () => {
    const result = rehearse(box, cauctlArgs('cauctl run --cluster-name HCI01 --frobnicate --force --json'), fixture);
    expect(result.code).toBe(2);
  });

  it('the systemd unit and timer have the keys systemd needs', () => {
    const sections = (text: string): Record<string, Record<string, string>> => {
      const out: Record<string, Record<string, string>> = {};
      let current = '';
      for (const line of text.split('\n')) {
        const header = /^\[(\w+)\]$/.exec(line.trim());
        if (header) out[(current = header[1]!)] = {};
        else if (current && /^\w+=/.test(line)) out[current]![line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
      }
      return out;
    };
    const service = sections(read('cauctl-run.service'));
    expect(service.Service).toMatchObject({ Type: 'oneshot' });
    expect(service.Service!.ExecStart).toMatch(/^\/\S+\/cauctl run /);
    expect(service.Unit!.Description).toBeTruthy();
    const timer = sections(read('cauctl-run.timer'));
    expect(timer.Timer!.OnCalendar).toBe('Thu *-*-10..16 03:00:00'); // the Thursday after Patch Tuesday
    expect(timer.Timer!.Persistent).toBe('true');
    expect(timer.Install!.WantedBy).toBe('timers.target');
  });

  it('the crontab line has five time fields, escapes % as cron needs, and never puts a password on the line', () => {
    const line = read('crontab').split('\n').find((l) => /cauctl run /.test(l) && !l.startsWith('#'))!;
    expect(line.split(/\s+/).slice(0, 5)).toEqual(['0', '2', '*', '*', '0']);
    expect(line).not.toMatch(/(^|[^\\])%/);
    for (const name of ['crontab', 'cauctl-run.service', 'register-task.ps1']) expect(read(name)).not.toMatch(/--password[ =]/);
  });
});
