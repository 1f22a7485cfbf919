// `npm run mutate [-- <area>[/<part>]...] [--files <glob>[,<glob>...]] [--concurrency <n>]`: StrykerJS mutation
// testing, one area at a time (stryker.config.mjs lists them: core, ntlm, profiles; all of them by default), each
// area in parts (a part's modules with the unit tests about them), each Stryker run under `nice -n 19` with
// `--concurrency` test processes (2 by default: the machine this was sized for has 2 cores). It prints one score
// line per file, then one line per folder and the whole command's wall and CPU time. Reports go to
// reports/mutation/<area>-<part>.{json,html}; a re-run tests again only the mutants whose code or tests changed
// (Stryker's incremental mode); the whole command (no area named) starts fresh: it deletes every part's incremental
// file first, so that its scores and times are those of one complete run. `--files` narrows one part to some of
// its files, for a quick look at one module. Not part of CI (docs/testing.md).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { AREAS, FOLDERS } from '../stryker.config.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const wanted = [];
let files;
/** Test processes per Stryker run: 2 by default (2 cores assumed, docs/testing.md), never more than the cores. */
let concurrency = Math.min(2, cpus().length);
let badConcurrency = false;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--files') files = args[++i];
  else if (args[i] === '--concurrency') {
    concurrency = Number(args[++i]);
    badConcurrency = !Number.isInteger(concurrency) || concurrency < 1;
  } else wanted.push(args[i]);
}
/** The parts to run, by area: every part of an area named alone, or the one part named `area/part`. */
const runs = new Map();
const unknown = [];
for (const name of wanted.length > 0 ? wanted : Object.keys(AREAS)) {
  const [area, part] = name.split('/');
  if (!(area in AREAS) || (part !== undefined && !(part in AREAS[area]))) {
    unknown.push(name);
    continue;
  }
  runs.set(area, [...(runs.get(area) ?? []), ...(part === undefined ? Object.keys(AREAS[area]) : [part])]);
}
const partCount = [...runs.values()].reduce((n, parts) => n + parts.length, 0);
/** The whole command: every part of every area, each tested in full (no incremental file kept). */
const whole = wanted.length === 0 && files === undefined;
if (unknown.length > 0 || (files !== undefined && partCount !== 1) || badConcurrency) {
  const known = Object.entries(AREAS).map(([area, parts]) => `${area} (${Object.keys(parts).join(', ')})`);
  process.stderr.write(
    `usage: npm run mutate [-- <area>[/<part>]...] [--files <globs>] [--concurrency <n>]   areas (parts): ${known.join('; ')}` +
      `${unknown.length > 0 ? `; unknown: ${unknown.join(', ')}` : ''}; --files needs exactly one part (area/part); ` +
      `--concurrency is a whole number of test processes, at least 1\n`,
  );
  process.exit(2);
}

/** Counts of one set of mutants: detected (killed, timed out) over all valid mutants (Stryker's mutation score). */
function tally(mutants) {
  const counts = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, other: 0 };
  for (const mutant of mutants) {
    if (mutant.status in counts) counts[mutant.status] += 1;
    else counts.other += 1;
  }
  const detected = counts.Killed + counts.Timeout;
  const valid = detected + counts.Survived + counts.NoCoverage;
  return { ...counts, detected, valid, percent: valid === 0 ? 100 : (100 * detected) / valid };
}

const describe = (s) =>
  `${s.percent.toFixed(1)}% (${s.detected} of ${s.valid}: ${s.Killed} killed, ${s.Timeout} timed out, ` +
  `${s.Survived} survived, ${s.NoCoverage} without a test)`;
const minutes = (ms) => `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s`;

/**
 * CPU time (user + system, ms) of this process and of every process it waited for, their own children included
 * (Linux: /proc/self/stat's cutime and cstime); undefined where there is no /proc.
 */
function cpuMs() {
  const own = process.cpuUsage();
  try {
    // Fields after the command name (which may hold spaces, so split after its closing parenthesis): the 14th
    // and 15th of them are cutime and cstime, in clock ticks (100 per second on Linux).
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    const ticks = Number(fields[13]) + Number(fields[14]);
    return (own.user + own.system) / 1000 + ticks * 10;
  } catch {
    return undefined;
  }
}
const cpuText = (ms) => (ms === undefined ? 'CPU not measured (no /proc)' : `CPU ${minutes(ms)}`);
const load = () => {
  try {
    return `load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`;
  } catch {
    return undefined;
  }
};

/** Per file: its score line; per area: its folder line (printed last, one plain line per folder). */
const lines = [];
const folderLines = [];
let failed = false;
const started = Date.now();
const startLoad = load();
const stryker = join(root, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');
if (whole) {
  for (const [area, parts] of runs) {
    for (const part of parts) rmSync(join(root, 'reports', 'mutation', `${area}-${part}.incremental.json`), { force: true });
  }
}
for (const [area, parts] of runs) {
  const areaStarted = Date.now();
  const areaCpu = cpuMs();
  const failures = [];
  for (const part of parts) {
    const env = { ...process.env, CAUCTL_MUTATE_AREA: area, CAUCTL_MUTATE_PART: part, ...(files ? { CAUCTL_MUTATE_FILES: files } : {}) };
    const reportPath = join(root, 'reports', 'mutation', `${area}-${part}.json`);
    rmSync(reportPath, { force: true });
    const partStarted = Date.now();
    const partCpu = cpuMs();
    const result = spawnSync('nice', ['-n', '19', process.execPath, stryker, 'run', 'stryker.config.mjs', '--concurrency', String(concurrency)], { cwd: root, env, stdio: 'inherit' });
    const after = cpuMs();
    lines.push(`${area}/${part}: Stryker ${minutes(Date.now() - partStarted)} wall, ${cpuText(partCpu === undefined || after === undefined ? undefined : after - partCpu)}`);
    // Said at once too, so that a run cut short still shows what it measured (its report is in reports/mutation/).
    process.stdout.write(`\n${lines.at(-1)}, ${load() ?? ''}\n`);
    if (result.status !== 0 || !existsSync(reportPath)) failures.push(`${area}/${part}: Stryker failed (exit ${result.status ?? result.signal})`);
  }
  const areaEnd = cpuMs();
  const took = `${minutes(Date.now() - areaStarted)} wall, ${cpuText(areaCpu === undefined || areaEnd === undefined ? undefined : areaEnd - areaCpu)}`;
  if (failures.length > 0) {
    failed = true;
    folderLines.push(...failures.map((f) => `${FOLDERS[area]} not scored: ${f} (${took})`));
    continue;
  }
  // The area's score counts every part's latest report: those run now, and those of an earlier run (said).
  /** Every file's mutants, from every part's report. */
  const byFile = new Map();
  const earlier = [];
  const missing = [];
  for (const part of Object.keys(AREAS[area])) {
    const reportPath = join(root, 'reports', 'mutation', `${area}-${part}.json`);
    if (!existsSync(reportPath)) {
      missing.push(part);
      continue;
    }
    if (!parts.includes(part)) earlier.push(`${part} of ${statSync(reportPath).mtime.toISOString().slice(0, 16)}`);
    for (const [file, { mutants }] of Object.entries(JSON.parse(readFileSync(reportPath, 'utf8')).files)) {
      byFile.set(file, [...(byFile.get(file) ?? []), ...mutants]);
    }
  }
  const notes = [
    ...(files ? [`only ${files}`] : []),
    ...(earlier.length > 0 ? [`with the earlier report of ${earlier.join(', ')}`] : []),
    ...(missing.length > 0 ? [`not measured: ${missing.join(', ')}`] : []),
  ];
  for (const [file, mutants] of [...byFile].sort(([a], [b]) => a.localeCompare(b))) lines.push(`  ${file}: ${describe(tally(mutants))}`);
  folderLines.push(`${FOLDERS[area]} ${describe(tally([...byFile.values()].flat()))}${notes.length > 0 ? ` [${notes.join('; ')}]` : ''}, in ${took}`);
}
const end = load();
/** The commit measured, and whether the work tree differed from it. */
const git = (...gitArgs) => spawnSync('git', gitArgs, { cwd: root, encoding: 'utf8' });
const head = git('rev-parse', '--short', 'HEAD');
const commit = head.status === 0 ? `at ${head.stdout.trim()}${git('status', '--porcelain', '--untracked-files=no').stdout.trim() !== '' ? ' with uncommitted changes' : ''}, ` : '';
folderLines.push(
  `all: ${commit}${minutes(Date.now() - started)} wall, ${cpuText(cpuMs())}, concurrency ${concurrency}` +
    `${startLoad !== undefined && end !== undefined ? `, ${startLoad} at the start, ${end} at the end` : ''}` +
    `${whole ? ', every part in full (no incremental file)' : ''}`,
);
process.stdout.write(`\n${[...lines, ...folderLines].join('\n')}\n`);
process.exit(failed ? 1 : 0);
