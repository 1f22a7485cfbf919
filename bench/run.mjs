// `npm run bench`: runs every section in bench/sections/ (in file-name order), prints its figures with
// "goal met / MISSED", and writes them all to bench/results/bench.json. Exits 0 whether goals are met or not;
// 1 only if a section crashed (its error is in the JSON), 2 on bad arguments.
//
// A section is a file bench/sections/NN-name.mjs exporting `id`, `title` and `async function run(ctx)`
// returning `{ figures, data }` (see bench/README.md). Adding a figure set is adding a file.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import process from 'node:process';
import { formatFigure } from './lib/figures.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(benchDir, '..');

const USAGE = `usage: node bench/run.mjs [--only <id>[,<id>...]] [--runs <n>] [--warmup <n>] [--cpu-runs <n>] [--out <file>] [--keep-temp] [--sections <dir>]
  --only      run only these sections (ids as printed, e.g. cold-start,coordinator-overhead)
  --runs      timed runs per command in the cold-start section (default 15)
  --warmup    untimed warm-up runs per command first (default 2)
  --cpu-runs  fresh child processes for the CPU section (default 3)
  --out       where the JSON goes (default bench/results/bench.json)
  --keep-temp keep each section's temporary directory and print its path
  --sections  take sections from this directory instead of bench/sections (to try one out)`;

function parseArgs(argv) {
  const options = { only: null, runs: 15, warmup: 2, cpuRuns: 3, out: join(benchDir, 'results', 'bench.json'), keepTemp: false, sectionsDir: join(benchDir, 'sections') };
  const positive = (name, text, min) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name}: expected an integer >= ${min}, got ${text}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--only') options.only = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (arg === '--runs') options.runs = positive('--runs', value(), 1);
    else if (arg === '--warmup') options.warmup = positive('--warmup', value(), 0);
    else if (arg === '--cpu-runs') options.cpuRuns = positive('--cpu-runs', value(), 1);
    else if (arg === '--out') options.out = resolve(value());
    else if (arg === '--keep-temp') options.keepTemp = true;
    else if (arg === '--sections') options.sectionsDir = resolve(value());
    else if (arg === '--help' || arg === '-h') options.help = true;
    else throw new Error(`unknown argument ${arg}`);
  }
  return options;
}

async function loadSections(dir) {
  const files = readdirSync(dir).filter((f) => f.endsWith('.mjs') && !f.endsWith('.test.mjs')).sort();
  const sections = [];
  for (const file of files) {
    const mod = await import(pathToFileURL(join(dir, file)).href);
    if (typeof mod.id !== 'string' || typeof mod.title !== 'string' || typeof mod.run !== 'function') {
      throw new Error(`${join(dir, file)} must export id, title and run(ctx)`);
    }
    sections.push({ file, id: mod.id, title: mod.title, run: mod.run });
  }
  return sections;
}

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const distDir = join(root, 'dist');
  if (!existsSync(join(distDir, 'cauctl.js'))) {
    process.stderr.write('bench: dist/ is missing; run `npm run build` (npm run bench does it for you).\n');
    return 2;
  }
  const sections = await loadSections(options.sectionsDir);
  if (options.only) {
    const unknown = options.only.filter((id) => !sections.some((s) => s.id === id));
    if (unknown.length > 0) {
      process.stderr.write(`bench: unknown section(s) ${unknown.join(', ')}; known: ${sections.map((s) => s.id).join(', ')}\n`);
      return 2;
    }
  }
  const selected = options.only ? sections.filter((s) => options.only.includes(s.id)) : sections;
  const report = {
    schemaVersion: 1,
    generatedAt: new Date().toISOString(),
    commit: gitCommit(),
    machine: { node: process.version, platform: process.platform, arch: process.arch, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? null },
    options: { runs: options.runs, warmup: options.warmup, cpuRuns: options.cpuRuns },
    sections: {},
  };
  let crashed = 0;
  for (const section of selected) {
    process.stdout.write(`\n${section.title}  [${section.id}]\n`);
    const tmpDir = mkdtempSync(join(tmpdir(), `cauctl-bench-${section.id}-`));
    const ctx = {
      root,
      benchDir,
      distDir,
      cliPath: join(root, 'bin', 'cauctl.js'),
      nodePath: process.execPath,
      tmpDir,
      runs: options.runs,
      warmup: options.warmup,
      cpuRuns: options.cpuRuns,
      log: (line) => process.stdout.write(`  ${line}\n`),
    };
    const started = process.hrtime.bigint();
    try {
      const { figures, data } = await section.run(ctx);
      for (const fig of figures) process.stdout.write(`${formatFigure(fig)}\n`);
      report.sections[section.id] = { title: section.title, file: section.file, wallSeconds: Number(process.hrtime.bigint() - started) / 1e9, figures, data };
    } catch (error) {
      crashed += 1;
      process.stdout.write(`  CRASHED: ${error?.stack ?? error}\n`);
      report.sections[section.id] = { title: section.title, file: section.file, error: String(error?.stack ?? error) };
    } finally {
      if (options.keepTemp) process.stdout.write(`  temp: ${tmpDir}\n`);
      else rmSync(tmpDir, { recursive: true, force: true });
    }
  }
  const all = Object.values(report.sections).flatMap((s) => s.figures ?? []);
  const goals = all.filter((f) => f.goal);
  report.summary = { goals: goals.length, met: goals.filter((f) => f.met).length, missed: goals.filter((f) => !f.met).map((f) => f.label), crashedSections: crashed };
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\n${report.summary.met} of ${goals.length} goals met${crashed ? `, ${crashed} section(s) crashed` : ''}; figures written to ${options.out}\n`);
  return crashed > 0 ? 1 : 0;
}

process.exitCode = await main();
