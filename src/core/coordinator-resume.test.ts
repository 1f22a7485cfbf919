/**
 * Resume at the exact crash windows that random kill points rarely hit: the journal holds the write-ahead
 * record of a step whose call never reached the node. The crash is played by a transport that stops passing
 * calls on at a chosen operation; the resumed run sees the journal only up to the record written just before.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterGateway } from '../cluster/gateway.js';
import { MemoryJournal, type JournalRecord } from '../journal/journal.js';
import { nullSink } from './events.js';
import { systemClock } from '../platform/clock.js';
import { openSimulator, type Simulator } from '../sim/index.js';
import type { ScriptInvocation, Transport } from '../transport/transport.js';
import { RollingRun } from './coordinator.js';
import { aRunProfile } from '../../test/support/profiles.js';

const profile = aRunProfile();

/** Passes calls to the simulator until `crashAt` is called; from then on nothing reaches the cluster. */
function crashingTransport(inner: Transport, crashAt: string): Transport {
  let crashed = false;
  const [name, mode] = crashAt.split(':');
  return {
    name: 'crashing',
    async run(node: string, invocation: ScriptInvocation, options) {
      if (invocation.name === name && (mode === undefined || invocation.params.mode === mode)) crashed = true;
      if (crashed) throw new Error(`the coordinator died before ${invocation.name} reached ${node}`);
      return inner.run(node, invocation, options);
    },
    close: () => inner.close(),
  };
}

function run(sim: Simulator, transport: Transport, journal: MemoryJournal, resumeFrom?: readonly JournalRecord[], runProfile = profile): Promise<Awaited<ReturnType<RollingRun['execute']>>> {
  return new RollingRun(
    runProfile,
    {
      gateway: new ClusterGateway(transport),
      clock: sim.clock,
      wallClock: systemClock,
      sink: nullSink,
      journal,
      owner: { host: 'mgmt01', user: 'admin', pid: process.pid },
      isProcessAlive: () => false,
      stop: { requested: false },
      newRunId: () => 'run-1',
      onHalt: () => sim.noteHalt(),
    },
    { entry: sim.clusterName, forceRecovery: false, ...(resumeFrom ? { resumeFrom: { records: resumeFrom } } : {}) },
  ).execute();
}

describe('resume at a write-ahead record whose call never happened', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cauctl-resume-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['restart-node', 'restart-requested'],
    ['suspend-node', 'suspend-requested'],
    ['start-update-task:Install', 'task-started'],
    ['resume-node', 'resume-requested'],
  ])('crash before %s: the resumed run finishes every node, once', async (operation, lastStep) => {
    const fixturePath = join(dir, 'f.json');
    writeFileSync(fixturePath, JSON.stringify({
      name: 'WINDOW',
      storage: { s2d: true },
      quorum: { witnessType: 'Cloud', witnessState: 'Online' },
      nodes: ['N1', 'N2', 'N3'].map((name, i) => ({ name, roles: [`${name}-vm`], updates: [{ id: `u${i}`, kb: `KB${i}`, title: 'cu', rebootRequired: true }] })),
    }));
    const sim = openSimulator({ fixturePath, stateDir: join(dir, 'state'), speed: 'max', reset: true, ephemeral: true });
    const journal = new MemoryJournal();
    // The dying run may end in any way (an exception, a failed result): only its journal matters.
    await run(sim, crashingTransport(sim.transport, operation), journal).catch(() => undefined);
    const records = journal.records();
    const cut = records.findIndex((r) => r.type === 'step' && r.step === lastStep);
    expect(cut).toBeGreaterThan(0);
    const survived = records.slice(0, cut + 1);

    const result = await run(sim, sim.transport, new MemoryJournal(survived), survived);
    sim.noteRunEnd();
    expect(result.resumed).toBe(true);
    expect(result.status).toBe('Succeeded');
    expect(result.nodeResults.map((r) => [r.node, r.status])).toEqual([
      ['N1', 'Succeeded'],
      ['N2', 'Succeeded'],
      ['N3', 'Succeeded'],
    ]);
    expect(sim.audit().violations).toEqual([]);
  });
});

describe('resume after a failed drain', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cauctl-resume-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a crash between drain-failed and the resume: the node is resumed, the attempt counts as failed, the retry drains it again', async () => {
    const fixturePath = join(dir, 'f.json');
    writeFileSync(fixturePath, JSON.stringify({
      name: 'DRAINCRASH',
      storage: { s2d: true },
      quorum: { witnessType: 'Cloud', witnessState: 'Online' },
      nodes: ['N1', 'N2', 'N3'].map((name, i) => ({ name, roles: [`${name}-vm`], updates: [{ id: `u${i}`, kb: `KB${i}`, title: 'cu', rebootRequired: true }], ...(name === 'N1' ? { faults: [{ kind: 'drainFails', times: 1 }] } : {}) })),
    }));
    const sim = openSimulator({ fixturePath, stateDir: join(dir, 'state'), speed: 'max', reset: true, ephemeral: true });
    const journal = new MemoryJournal();
    await run(sim, crashingTransport(sim.transport, 'resume-node'), journal).catch(() => undefined);
    const records = journal.records();
    const cut = records.findIndex((r) => r.type === 'step' && r.step === 'drain-failed');
    expect(cut).toBeGreaterThan(0);
    const survived = records.slice(0, cut + 1);
    const node = String(records[cut]!.node);

    const result = await run(sim, sim.transport, new MemoryJournal(survived), survived);
    sim.noteRunEnd();
    expect(result.status).toBe('Succeeded');
    expect(result.nodeResults.find((r) => r.node === node)).toMatchObject({ status: 'Succeeded', attempts: 2 });
    expect(sim.audit().violations).toEqual([]);
  });
});

describe('resume of an attempt that had failed', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cauctl-resume-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a crash on the failure path (after its attempt-failed record, before the resume): the node is resumed, the attempt counts as failed, the retry installs', async () => {
    const fixturePath = join(dir, 'f.json');
    writeFileSync(fixturePath, JSON.stringify({
      name: 'FAILCRASH',
      storage: { s2d: true },
      quorum: { witnessType: 'Cloud', witnessState: 'Online' },
      nodes: ['N1', 'N2', 'N3'].map((name, i) => ({ name, roles: [`${name}-vm`], updates: [{ id: `u${i}`, kb: `KB${i}`, title: 'cu', rebootRequired: true }], ...(name === 'N1' ? { faults: [{ kind: 'installFails', times: 1, errorCode: '0x80070643' }] } : {}) })),
    }));
    const sim = openSimulator({ fixturePath, stateDir: join(dir, 'state'), speed: 'max', reset: true, ephemeral: true });
    const journal = new MemoryJournal();
    await run(sim, crashingTransport(sim.transport, 'resume-node'), journal).catch(() => undefined);
    const records = journal.records();
    const cut = records.findIndex((r) => r.type === 'step' && r.step === 'attempt-failed');
    expect(cut).toBeGreaterThan(0);
    expect(records[cut]).toMatchObject({ node: 'N1', attempt: 1, error: { code: 'InstallFailed' }, awaitStorage: true });
    const survived = records.slice(0, cut + 1);

    const result = await run(sim, sim.transport, new MemoryJournal(survived), survived);
    sim.noteRunEnd();
    // Before the attempt-failed record, this resumed at the resume and reported N1 Succeeded after 1 attempt,
    // its failed update neither retried nor counted.
    expect(result.nodeResults.find((r) => r.node === 'N1')).toMatchObject({ status: 'Succeeded', attempts: 2 });
    expect(result.status).toBe('Succeeded');
    expect(sim.audit().violations).toEqual([]);
  });
});

describe('resume while a node restarts', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cauctl-resume-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Passes calls on until the first restart-node has been answered; the coordinator dies at its next call. */
  function dyingAfterRestart(inner: Transport): Transport {
    let restarted = false;
    return {
      name: 'dying-after-restart',
      async run(node: string, invocation: ScriptInvocation, options) {
        if (restarted) throw new Error(`the coordinator died before ${invocation.name} reached ${node}`);
        const outcome = await inner.run(node, invocation, options);
        if (invocation.name === 'restart-node') restarted = true;
        return outcome;
      },
      close: () => inner.close(),
    };
  }

  it.each([
    ['a full restart', false, true, 'FullReboot'],
    ['a soft restart', true, true, 'SoftReboot'],
    ['a soft restart, journal without the kind (an older cauctl): the kind asked for', true, false, 'SoftReboot'],
  ])('%s: the resumed run reports the restart it waited for, not None', async (_what, soft, keepKind, bootType) => {
    const fixturePath = join(dir, 'f.json');
    writeFileSync(fixturePath, JSON.stringify({
      name: 'REBOOTING',
      storage: { s2d: false },
      quorum: { witnessType: 'Cloud', witnessState: 'Online' },
      nodes: ['N1', 'N2'].map((name, i) => ({ name, roles: [], kernelSoftReboot: 'Enabled', updates: [{ id: `u${i}`, kb: `KB${i}`, title: 'cu', rebootRequired: true }] })),
    }));
    const sim = openSimulator({ fixturePath, stateDir: join(dir, 'state'), speed: 'max', reset: true, ephemeral: true });
    const runProfile = aRunProfile({ attemptSoftReboot: soft });
    const journal = new MemoryJournal();
    await run(sim, dyingAfterRestart(sim.transport), journal, undefined, runProfile).catch(() => undefined);
    const records = journal.records();
    const cut = records.findIndex((r) => r.type === 'step' && r.step === 'restart-issued');
    const issued = records[cut]!;
    expect(issued).toMatchObject({ node: 'N1', bootType });
    // The journal as the crash left it: up to the restart's record (what the dying run wrote after is not kept).
    const { bootType: _kind, ...withoutKind } = issued;
    const survived = [...records.slice(0, cut), keepKind ? issued : withoutKind];

    const result = await run(sim, sim.transport, new MemoryJournal(survived), survived, runProfile);
    sim.noteRunEnd();
    expect(result.resumed).toBe(true);
    expect(result.nodeResults.map((r) => [r.node, r.status, r.nodeRebootResult])).toEqual([
      ['N1', 'Succeeded', { bootType, reboots: 1 }],
      ['N2', 'Succeeded', { bootType, reboots: 1 }],
    ]);
    expect(sim.audit().violations).toEqual([]);
  });
});
