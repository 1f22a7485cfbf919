// `npm run mutate [-- <area>[/<part>]...] [--files <glob>[,<glob>...]]`: StrykerJS mutation testing, one area at a
// time (stryker.config.mjs lists them: core, ntlm, profiles; all of them by default), each area in parts (a part's
// modules with the unit tests about them), each Stryker run under `nice -n 19` with one test process; then one
// score line per area, and one per file. Reports go to reports/mutation/<area>-<part>.{json,html}; a re-run tests
// again only the mutants whose code or tests changed (Stryker's incremental mode). `--files` narrows one part to
// some of its files, for a quick look at one module. Not part of CI (docs/testing.md).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { AREAS } from '../stryker.config.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const wanted = [];
let files;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--files') files = args[++i];
  else wanted.push(args[i]);
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
if (unknown.length > 0 || (files !== undefined && partCount !== 1)) {
  const known = Object.entries(AREAS).map(([area, parts]) => `${area} (${Object.keys(parts).join(', ')})`);
  process.stderr.write(
    `usage: npm run mutate [-- <area>[/<part>]...] [--files <globs>]   areas (parts): ${known.join('; ')}` +
      `${unknown.length > 0 ? `; unknown: ${unknown.join(', ')}` : ''}; --files needs exactly one part (area/part)\n`,
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

const lines = [];
let failed = false;
const started = Date.now();
const stryker = join(root, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');
for (const [area, parts] of runs) {
  const areaStarted = Date.now();
  const failures = [];
  for (const part of parts) {
    const env = { ...process.env, CAUCTL_MUTATE_AREA: area, CAUCTL_MUTATE_PART: part, ...(files ? { CAUCTL_MUTATE_FILES: files } : {}) };
    const reportPath = join(root, 'reports', 'mutation', `${area}-${part}.json`);
    rmSync(reportPath, { force: true });
    const result = spawnSync('nice', ['-n', '19', process.execPath, stryker, 'run', 'stryker.config.mjs'], { cwd: root, env, stdio: 'inherit' });
    if (result.status !== 0 || !existsSync(reportPath)) failures.push(`${area}/${part}: Stryker failed (exit ${result.status ?? result.signal})`);
  }
  const took = minutes(Date.now() - areaStarted);
  if (failures.length > 0) {
    failed = true;
    lines.push(...failures.map((f) => `${f}, area ${area} not scored (${took})`));
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
  lines.push(`${area}: mutation score ${describe(tally([...byFile.values()].flat()))}${notes.length > 0 ? ` [${notes.join('; ')}]` : ''}, in ${took}`);
  for (const [file, mutants] of [...byFile].sort(([a], [b]) => a.localeCompare(b))) lines.push(`  ${file}: ${describe(tally(mutants))}`);
}
lines.push(`all: ${minutes(Date.now() - started)}`);
process.stdout.write(`\n${lines.join('\n')}\n`);
process.exit(failed ? 1 : 0);
