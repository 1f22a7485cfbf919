// The smoke suite for a real cluster (docs/real-cluster-smoke.md): `npm run smoke -- --cluster-name X [--username ...]`.
// Read-only by default: test-setup, scan, get-run, get-role, snapshot, and a transport round trip on each node,
// each run by the built CLI with --record, so the folder it writes holds a recording of every operation sent.
// It checks from those recordings that nothing but read operations left, and prints a table of what worked,
// with timings. `--maintenance NODE` (after a confirmation, or --force) then takes that one node through
// suspend and resume, and nothing else, and checks it is left as it was found.
// Every option it does not know is passed to each cauctl command (connection options: --username,
// --password-file, --node-address, --use-ssl, --transport ...); the password comes from CAUCTL_PASSWORD,
// --password-file or cauctl's own prompt, never from the command line.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import process from 'node:process';
import { performance } from 'node:perf_hooks';
import { URL } from 'node:url';
import { isReadOnlyOperation } from '../../dist/cluster/read-only-gateway.js';
import { readRecording } from '../../dist/transport/replay/format.js';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const BIN = join(ROOT, 'bin', 'cauctl.js');

const USAGE = `usage: npm run smoke -- --cluster-name NAME [--username DOMAIN\\user] [cauctl connection options]
                     [--out DIR] [--json] [--maintenance NODE [--force]]

Read-only unless --maintenance is given. Writes every command's recording, the snapshot and smoke.json to DIR
(default ./smoke-NAME-<time>). Exit 0 when every check worked, 1 when one did not, 2 for a usage error.`;

function parse(argv) {
  const own = { out: undefined, json: false, maintenance: undefined, force: false, help: false };
  const forward = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--out' || arg === '--maintenance') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new Error(`${arg} needs a value`);
      own[arg === '--out' ? 'out' : 'maintenance'] = value;
    } else if (arg === '--json') own.json = true;
    else if (arg === '--force') own.force = true;
    else if (arg === '--help' || arg === '-h') own.help = true;
    else if (arg === '--record' || arg === '--replay' || arg === '--anonymize') throw new Error(`${arg} is the smoke suite's own business: it records every command into --out`);
    else forward.push(arg);
  }
  const at = forward.indexOf('--cluster-name');
  const clusterName = at >= 0 ? forward[at + 1] : undefined;
  if (!own.help && (clusterName === undefined || forward.includes('--simulate'))) {
    throw new Error(clusterName === undefined ? '--cluster-name is required' : '--simulate has no place here: the smoke suite is for a real cluster');
  }
  return { ...own, forward, clusterName };
}

/** Runs one cauctl command with the connection options and --json, recorded into `dir`. */
function cauctl(args, connection, record) {
  const started = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args, ...connection, '--json', ...(record ? ['--record', record] : [])], {
    encoding: 'utf8',
    // The password prompt (when there is no CAUCTL_PASSWORD or --password-file) talks to the terminal.
    stdio: ['inherit', 'pipe', 'pipe'],
    timeout: 30 * 60 * 1000,
  });
  const seconds = (performance.now() - started) / 1000;
  let json;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    json = undefined;
  }
  return { code: r.status, seconds, json, stderr: r.stderr ?? '' };
}

/** What each read-only check calls a success: the command ran to its end and reported on the cluster. */
const CHECKS = [
  { name: 'test-setup', args: ['test-setup'], judge: (r) => (r.code === 0 ? 'ok: every rule passes' : r.code === 5 ? 'ok: it ran; some rules fail (see its output)' : undefined) },
  { name: 'scan', args: ['scan'], judge: (r) => (r.code === 0 ? `ok: ${Array.isArray(r.json) ? r.json.filter((e) => e.updateId).length : 0} update(s) offered` : undefined) },
  { name: 'get-run', args: ['get-run'], judge: (r) => (r.code === 0 ? `ok: ${r.json?.runState ?? 'read'}` : undefined) },
  { name: 'get-role', args: ['get-role'], judge: (r) => (r.code === 0 ? 'ok: CAU role read' : r.json?.error?.code === 'CAU_ROLE_NOT_FOUND' ? 'ok: no CAU role on this cluster' : undefined) },
];

function failure(r) {
  const message = r.json?.error?.message ?? r.stderr.trim().split('\n').find((l) => l.startsWith('cauctl:')) ?? `exit ${r.code}`;
  return `FAILED (exit ${r.code}): ${message.replace(/^cauctl: /, '')}`;
}

function operationsIn(dir) {
  try {
    return [...readRecording(dir).calls.entries()].flatMap(([node, calls]) => calls.map((c) => ({ node, ...c })));
  } catch {
    return [];
  }
}

function table(rows) {
  const headers = ['Check', 'Seconds', 'Operations', 'Result'];
  const cells = rows.map((r) => [r.check, r.seconds === null ? '-' : r.seconds.toFixed(2), r.operations === null ? '-' : String(r.operations), r.result]);
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]))).join('  ');
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

async function confirm(question) {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

async function main() {
  let options;
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`smoke: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const out = resolve(options.out ?? `smoke-${options.clusterName}-${new Date().toISOString().replace(/[:.]/g, '')}`);
  mkdirSync(out, { recursive: true });
  const rows = [];
  const say = (text) => {
    if (!options.json) process.stderr.write(`${text}\n`);
  };
  say(`Smoke suite on ${options.clusterName}${options.maintenance ? `, with maintenance of ${options.maintenance}` : ', read-only'}; recordings in ${out}`);

  for (const check of CHECKS) {
    const record = join(out, check.name);
    const r = cauctl(check.args, options.forward, record);
    const verdict = check.judge(r);
    rows.push({ check: check.name, ok: verdict !== undefined, seconds: r.seconds, operations: operationsIn(record).length, result: verdict ?? failure(r) });
    say(`  ${check.name}: ${verdict ?? failure(r)}`);
  }
  const snapshotPath = join(out, 'snapshot.json');
  const snap = cauctl(['snapshot', '--path', snapshotPath], options.forward, join(out, 'snapshot'));
  let model;
  if (snap.code === 0) model = JSON.parse(readFileSync(snapshotPath, 'utf8'));
  rows.push({
    check: 'snapshot',
    ok: model !== undefined,
    seconds: snap.seconds,
    operations: operationsIn(join(out, 'snapshot')).length,
    result: model ? `ok: ${model.nodes.length} node(s) modelled in snapshot.json` : failure(snap),
  });

  // The transport round trip of each node: its first operation of test-setup, as the recording timed it.
  const setupCalls = operationsIn(join(out, 'test-setup'));
  const endpoints = [...new Set(setupCalls.map((c) => c.node))];
  for (const node of endpoints) {
    const first = setupCalls.filter((c) => c.node === node).sort((a, b) => a.seq - b.seq)[0];
    const ok = first.outcome.kind !== 'threw';
    rows.push({
      check: `round trip ${node}`,
      ok,
      seconds: first.durationMs / 1000,
      operations: 1,
      result: ok ? `ok: ${first.op}` : `FAILED: ${first.outcome.code}: ${first.outcome.message}`,
    });
  }
  for (const node of (model?.nodes ?? []).map((n) => n.name).filter((n) => !endpoints.some((e) => e.toUpperCase() === n.toUpperCase()))) {
    rows.push({ check: `round trip ${node}`, ok: false, seconds: null, operations: 0, result: 'FAILED: test-setup sent it nothing' });
  }

  // Read-only means read-only: every operation in every recording so far is one the catalogue marks so.
  const sent = [...CHECKS.map((c) => c.name), 'snapshot'].flatMap((name) => operationsIn(join(out, name)));
  const writes = sent.filter((c) => !isReadOnlyOperation(c.op));
  rows.push({
    check: 'read-only',
    ok: writes.length === 0,
    seconds: null,
    operations: sent.length,
    result: writes.length === 0 ? 'ok: every operation sent only reads' : `FAILED: ${writes.map((c) => `${c.op} on ${c.node}`).join(', ')} may have changed the cluster (a bug in cauctl: report it)`,
  });

  if (options.maintenance !== undefined) {
    const node = model?.nodes.find((n) => n.name.toUpperCase() === options.maintenance.toUpperCase());
    if (node === undefined || node.state !== 'Up') {
      rows.push({ check: `maintenance ${options.maintenance}`, ok: false, seconds: null, operations: null, result: `REFUSED: ${node === undefined ? 'no such node in the snapshot' : `the node is ${node.state}, not Up`}; nothing was touched` });
    } else if (!options.force && !(await confirm(`Drain ${node.name} (its roles move to other nodes), pause it, then resume it? [y/N] `))) {
      rows.push({ check: `maintenance ${node.name}`, ok: false, seconds: null, operations: null, result: 'not confirmed; nothing was touched' });
    } else {
      const suspend = cauctl(['run', '--suspend-node', node.name, '--force'], options.forward, join(out, 'maintenance-suspend'));
      rows.push({ check: `suspend ${node.name}`, ok: suspend.code === 0, seconds: suspend.seconds, operations: operationsIn(join(out, 'maintenance-suspend')).length, result: suspend.code === 0 ? 'ok: drained and paused' : failure(suspend) });
      // Refused before touching anything (exit 5): there is nothing to resume.
      if (suspend.code !== 5) {
        const resume = cauctl(['run', '--resume-node', node.name, '--force'], options.forward, join(out, 'maintenance-resume'));
        rows.push({ check: `resume ${node.name}`, ok: resume.code === 0, seconds: resume.seconds, operations: operationsIn(join(out, 'maintenance-resume')).length, result: resume.code === 0 ? 'ok: resumed' : failure(resume) });
      }
      const after = cauctl(['snapshot', '--path', join(out, 'snapshot-after.json')], options.forward, join(out, 'snapshot-after'));
      const state = after.code === 0 ? JSON.parse(readFileSync(join(out, 'snapshot-after.json'), 'utf8')).nodes.find((n) => n.name === node.name)?.state : undefined;
      rows.push({ check: `left as found ${node.name}`, ok: state === 'Up', seconds: after.seconds, operations: null, result: state === 'Up' ? 'ok: Up, as before' : `FAILED: ${state ?? 'unknown state'}, it was Up` });
    }
  }

  const ok = rows.every((r) => r.ok);
  const summary = { schemaVersion: 1, clusterName: options.clusterName, ok, out, checks: rows };
  writeFileSync(join(out, 'smoke.json'), `${JSON.stringify(summary, null, 2)}\n`);
  if (options.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else process.stdout.write(`${table(rows)}\n\n${ok ? 'Every check worked.' : 'Some checks did not work (FAILED above).'} Recordings, snapshot and smoke.json: ${out}\n`);
  return ok ? 0 : 1;
}

process.exitCode = await main();
