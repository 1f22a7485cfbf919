// `npm run mutate [-- <area>...] [--files <glob>[,<glob>...]]`: StrykerJS mutation testing, one area at a time
// (stryker.config.mjs lists them: core, ntlm, profiles; all of them by default), each under `nice -n 19` with
// one test process, then one score line per area. Reports go to reports/mutation/<area>.{json,html}; a re-run
// tests again only the mutants whose code or tests changed (Stryker's incremental mode). `--files` narrows
// one area to some of its files, for a quick look at one module. Not part of CI (docs/testing.md).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { AREAS } from '../stryker.config.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const areas = [];
let files;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--files') files = args[++i];
  else areas.push(args[i]);
}
const unknown = areas.filter((a) => !(a in AREAS));
if (unknown.length > 0 || (files !== undefined && areas.length !== 1)) {
  process.stderr.write(
    `usage: npm run mutate [-- <area>...] [--files <globs>]   areas: ${Object.keys(AREAS).join(', ')}` +
      `${unknown.length > 0 ? `; unknown: ${unknown.join(', ')}` : ''}; --files needs exactly one area\n`,
  );
  process.exit(2);
}

/** Stryker's mutation score from its JSON report: detected (killed, timed out) over all valid mutants. */
export function score(report) {
  const counts = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, other: 0 };
  for (const file of Object.values(report.files)) {
    for (const mutant of file.mutants) {
      if (mutant.status in counts) counts[mutant.status] += 1;
      else counts.other += 1;
    }
  }
  const detected = counts.Killed + counts.Timeout;
  const valid = detected + counts.Survived + counts.NoCoverage;
  return { ...counts, detected, valid, percent: valid === 0 ? 100 : (100 * detected) / valid };
}

const lines = [];
let failed = false;
for (const area of areas.length > 0 ? areas : Object.keys(AREAS)) {
  const env = { ...process.env, CAUCTL_MUTATE_AREA: area, ...(files ? { CAUCTL_MUTATE_FILES: files } : {}) };
  const stryker = join(root, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');
  const result = spawnSync('nice', ['-n', '19', process.execPath, stryker, 'run', 'stryker.config.mjs'], { cwd: root, env, stdio: 'inherit' });
  const reportPath = join(root, 'reports', 'mutation', `${area}.json`);
  if (result.status !== 0 || !existsSync(reportPath)) {
    failed = true;
    lines.push(`${area}: Stryker failed (exit ${result.status ?? result.signal})`);
    continue;
  }
  const s = score(JSON.parse(readFileSync(reportPath, 'utf8')));
  lines.push(
    `${area}: mutation score ${s.percent.toFixed(1)}% (${s.detected} of ${s.valid}: ${s.Killed} killed, ${s.Timeout} timed out, ` +
      `${s.Survived} survived, ${s.NoCoverage} without a test)${files ? ` [only ${files}]` : ''}`,
  );
}
process.stdout.write(`\n${lines.join('\n')}\n`);
process.exit(failed ? 1 : 0);
