/**
 * The rehearsal model's entry point: opens a simulated cluster from a fixture, restores or creates its
 * persistent state under the user's state directory, and exposes it as a Transport plus a virtual Clock.
 *
 * The saved model is a shared store, as a real cluster is: every operation's read-modify-write holds the
 * model's mutex (`.model-lock` beside model.json), reloads the model first when another process saved since
 * (a stat of the files tells; its `storeGeneration` moved), and saves what the operation changed before
 * letting go. So `add-role` during a run is never overwritten by the run's next save, and a process killed at
 * any point leaves a model the next command opens as it was after the last whole operation. A save appends the
 * changed parts to model.log; the command's end folds the log into model.json (model-store.ts). Operations of
 * one process that overlap (parallel scans) share one holding of the mutex.
 * Only the transport factory and tests import this. Depends on sim/, platform/ and the transport interface.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, ExitCode } from '../errors.js';
import { systemClock, type Clock } from '../platform/clock.js';
import { encodePathSegment, ensurePrivateDir } from '../platform/fs.js';
import type { RunOptions, ScriptInvocation, ScriptOutcome, Transport } from '../transport/transport.js';
import { SimAudit, type SimulationAudit } from './audit.js';
import { ClusterModel } from './cluster-model.js';
import { BUILTIN_FIXTURE_PATH, loadFixture, type ClusterFixture, type SimTiming } from './fixture.js';
import { createModelState, MODEL_STATE_VERSION, type ModelState } from './model-state.js';
import { ModelStore, ModelStoreCorrupt } from './model-store.js';
import { MemoryPropertyStore, PropertyStore, releaseLock, tryTakeLock, withLockSync } from './properties.js';
import { SimTransport } from './sim-transport.js';
import { VirtualClock, type SimSpeed } from './virtual-clock.js';

export { BUILTIN_FIXTURE_PATH, loadFixture };
export type { ClusterFixture, SimTiming, SimulationAudit, SimSpeed };

export interface SimulatorOptions {
  /** The fixture file; undefined = the built-in model (fixtures/clusters/hci01-4node-s2d.json). */
  fixturePath?: string;
  /** The user's state dir; model state lives under `<stateDir>/sim/<model name>/`. */
  stateDir: string;
  /** Virtual seconds per real second, or 'max' = no real waiting at all. */
  speed: number | 'max';
  /** --sim-reset: start again from the fixture (deletes the state and the cluster properties). */
  reset: boolean;
  /**
   * A watcher beside a live run (get-run, stop-run): never writes the model, which the run's process owns;
   * cluster properties are still read and written (they are separate files).
   */
  readOnly?: boolean;
  /** Nothing is read from or written to disk: a throwaway model for in-process tests (property tests). */
  ephemeral?: boolean;
  /**
   * Asked before `reset` removes anything, with the cluster's properties as they are (under their mutex): throws
   * to refuse, e.g. while a live run holds the cluster's lock. The simulator itself knows no lock format.
   */
  resetGuard?: (readProperty: (name: string) => string | null) => void;
}

/** How long a command waits for another process's operation on the model to finish (real time). */
const MODEL_LOCK_WAIT_MS = 120_000;
const MODEL_LOCK_RETRY_MS = 20;
/**
 * A process keeps the model's mutex between its operations for up to this long (real time), so that a run at
 * `--sim-speed max` does not make and remove the mutex thousands of times. It lets go within a few ms when
 * another process is waiting (that one leaves a marker beside the mutex), and before any wait of its own.
 */
const MODEL_LEASE_MS = 50;
/** Within a lease, how often (real ms) the holder looks for another process's waiting marker. */
const WAITER_LOOK_MS = 5;

/** Mutexes this process holds between operations, by path: how to let each go (another simulator instance of
 * this process, e.g. a test's second handle on the model, must not wait for the first). */
const idleLeases = new Map<string, () => void>();

/** Lets go of this process's idle hold on `lock`, if any, before waiting for it. */
function dropIdleLease(lock: string): void {
  idleLeases.get(lock)?.();
}

function modelBusy(dir: string): AppError {
  return new AppError('SIM_MODEL_BUSY', ExitCode.refused, `The simulated cluster in ${dir} stayed busy with another cauctl process's operation for ${MODEL_LOCK_WAIT_MS / 1000} s; nothing was changed.`, {
    hint: 'Try again when that operation is done; if no cauctl process runs, remove the .model-lock folder there.',
  });
}

export interface Simulator {
  /** Transport named 'simulator'. */
  readonly transport: Transport;
  /**
   * The model itself, for the WS-Man test server in front of the simulator (it must know when a node is away
   * or restarted). Read-only use; never for the code under test.
   */
  readonly model: ClusterModel;
  /** The virtual clock; the coordinator uses it for every wait. */
  readonly clock: Clock;
  readonly clusterName: string;
  readonly nodeNames: readonly string[];
  /** Resolved timings (defaults filled), for --what-if predictions. */
  readonly timing: SimTiming;
  /** The validated fixture. */
  readonly fixture: ClusterFixture;
  /** The run stopped for good: any later suspend, install start or restart is a violation (invariant 4). */
  noteHalt(): void;
  /**
   * What the model recorded of installs, per node: the updates it holds installed now, and the last result each
   * install task gave per update (Failed, Aborted...). For tests that judge a run's report against the cluster.
   */
  installRecord(): { node: string; installed: string[]; lastResults: Record<string, string> }[];
  /** The run's end: every node the run paused is resumed, unless it never came back (invariant 3). */
  noteRunEnd(): void;
  /** virtualSeconds = virtual time elapsed since openSimulator. */
  audit(): SimulationAudit;
  /**
   * The audit of an offline update, where every node is down by design: the end state instead of the rolling
   * invariants. Violations: the cluster is not started (or has no quorum), a reachable node's cluster service
   * is not Automatic, a virtual disk of `onlineBefore` (friendly names) is not online.
   */
  auditOffline(onlineBefore: readonly string[]): SimulationAudit;
  /** Persists the model now (also done after every mutating operation). */
  save(): void;
}

function fixtureHash(fixture: ClusterFixture): string {
  return createHash('sha256').update(JSON.stringify(fixture)).digest('hex').slice(0, 16);
}

function readState(store: ModelStore, fixture: ClusterFixture, hash: string): ModelState | undefined {
  let state: ModelState | undefined;
  try {
    state = store.read() as ModelState | undefined;
  } catch (cause) {
    if (!(cause instanceof ModelStoreCorrupt)) throw cause;
    throw new AppError('SIM_STATE_CORRUPT', ExitCode.usage, `The saved state of simulated cluster ${fixture.name} (${store.snapshotPath}) is not valid JSON.`, {
      cause,
      hint: 'Start again from the fixture with --sim-reset.',
    });
  }
  if (state === undefined) return undefined;
  if (state.version !== MODEL_STATE_VERSION) {
    throw new AppError('SIM_STATE_CORRUPT', ExitCode.usage, `The saved state of simulated cluster ${fixture.name} has version ${String(state.version)}, not ${MODEL_STATE_VERSION}.`, {
      hint: 'Start again from the fixture with --sim-reset.',
    });
  }
  if (state.fixtureHash !== hash) {
    throw new AppError('SIM_STATE_STALE', ExitCode.usage, `The fixture of simulated cluster ${fixture.name} changed since its saved state was created.`, {
      hint: 'Add --sim-reset to start again from the edited fixture.',
    });
  }
  return state;
}

/**
 * `--sim-reset`: removes the saved model and the cluster properties, after `guard` approved (both mutexes
 * held, so no run can take the cluster's lock in between). The mutex folders themselves stay.
 */
function resetStore(dir: string, guard: SimulatorOptions['resetGuard']): void {
  ensurePrivateDir(dir);
  dropIdleLease(join(dir, MODEL_LOCK_DIR));
  withLockSync(join(dir, MODEL_LOCK_DIR), MODEL_LOCK_WAIT_MS, () => {
    const properties = new PropertyStore(join(dir, 'properties'));
    properties.withLock(() => {
      guard?.((name) => properties.get(name));
      for (const entry of readdirSync(dir)) {
        if (entry === MODEL_LOCK_DIR || entry === `${MODEL_LOCK_DIR}${WAITING_SUFFIX}`) continue;
        if (entry !== 'properties') {
          rmSync(join(dir, entry), { recursive: true, force: true });
          continue;
        }
        for (const file of readdirSync(join(dir, 'properties'))) {
          if (file !== '.lock') rmSync(join(dir, 'properties', file), { recursive: true, force: true });
        }
      }
    });
  }, () => modelBusy(dir));
}

const MODEL_LOCK_DIR = '.model-lock';

/** Leaves the marker that says this process waits for the mutex (a symlink to its process id). */
function markWaiting(marker: string): void {
  try {
    symlinkSync(String(process.pid), marker);
  } catch {
    // Already there (another waiter's), or symlinks are not allowed here: the lease then runs out by itself.
  }
}
/** Beside the mutex: another process waits for it (the holder then lets go of an idle hold at once). */
const WAITING_SUFFIX = '.waiting';

export function openSimulator(options: SimulatorOptions): Simulator {
  const fixture = loadFixture(options.fixturePath ?? BUILTIN_FIXTURE_PATH);
  const hash = fixtureHash(fixture);
  const dir = join(options.stateDir, 'sim', encodePathSegment(fixture.name));
  const store = new ModelStore(join(dir, 'model.json'));
  const lockDir = join(dir, MODEL_LOCK_DIR);
  const persistent = options.ephemeral !== true;
  if (options.reset && persistent) resetStore(dir, options.resetGuard);

  let state = persistent ? readState(store, fixture, hash) : undefined;
  const isNew = state === undefined;
  // A new model starts at the real current time, so its reports read naturally.
  state ??= createModelState(fixture, hash, systemClock.now());

  const clock = new VirtualClock({ startMs: state.virtualNow, speed: options.speed as SimSpeed, base: systemClock });
  const audit = new SimAudit(clock.now());
  const model = new ClusterModel(state, clock, audit);
  const mayWrite = persistent && !(options.readOnly === true && !isNew);
  /** The generation of the saved model that `model.state` is (or will be once saved). */
  let generation = state.storeGeneration ?? 0;
  /** Overlapping operations of this process: the mutex is taken at 0 → 1 and let go at 1 → 0. */
  let holders = 0;

  /**
   * After another process saved, the store's copy is that process's model, which ours may differ from with no
   * write of ours to mark it (defaults filled in on read; two processes that made the model at one
   * generation): the next save compares every node, role and feature fact. A rare path, so its cost is small.
   */
  const markAll = (): void => {
    const dirty = model.dirty;
    for (const node of model.state.nodes) model.touch(node);
    for (const role of model.state.roles) model.touchRole(role);
    model.markFeature();
    model.dirty = dirty;
  };
  /** Takes the saved model when another process saved since this one last read or wrote it. */
  const refresh = (): void => {
    if (!store.changedOnDisk()) return;
    const saved = readState(store, fixture, hash);
    if (saved === undefined || (saved.storeGeneration ?? 0) === generation) {
      markAll(); // the store's copy is now the other process's, ours may differ from it (two at one generation)
      return;
    }
    // Virtual time never goes back: the other process may have run its clock behind ours.
    const virtualNow = Math.max(model.state.virtualNow, saved.virtualNow);
    // Fields the other process removed (remove-role) must go here too, or the next save would revive them.
    for (const key of Object.keys(model.state)) if (!(key in saved)) delete (model.state as unknown as Record<string, unknown>)[key];
    Object.assign(model.state, saved, { virtualNow });
    generation = saved.storeGeneration ?? 0;
    markAll();
  };
  const write = (): void => {
    model.advance();
    generation += 1;
    model.state.storeGeneration = generation;
    store.append(model.state, generation, model.written);
    model.clearWritten();
    model.dirty = false;
  };
  /** This process holds the mutex (during an operation, or idle until the lease ends). */
  let held = false;
  let heldSince = 0;
  let leaseTimer: NodeJS.Timeout | undefined;
  /** The last hold ended because another process waited: give it a moment before taking the mutex again. */
  let yielded = false;
  const waitingMarker = `${lockDir}${WAITING_SUFFIX}`;
  const letGo = (): void => {
    if (leaseTimer !== undefined) clearTimeout(leaseTimer);
    leaseTimer = undefined;
    if (!held || holders > 0) return;
    held = false;
    idleLeases.delete(lockDir);
    store.settle();
    releaseLock(lockDir);
  };
  /** When leave() last looked for a waiter's marker (real ms). */
  let lookedAt = 0;
  const someoneWaits = (): boolean => lstatSync(waitingMarker, { throwIfNoEntry: false }) !== undefined;
  /** Runs `body` holding the mutex, outside an operation (closing, an explicit save). */
  const withModelLock = (body: () => void): void => {
    if (held) {
      body();
      return;
    }
    dropIdleLease(lockDir);
    withLockSync(
      lockDir,
      MODEL_LOCK_WAIT_MS,
      () => {
        try {
          body();
        } finally {
          store.settle();
        }
      },
      () => modelBusy(dir),
    );
  };
  const save = (): void => {
    if (!mayWrite) return;
    if (holders > 0) {
      write();
      return;
    }
    ensurePrivateDir(dir);
    withModelLock(() => {
      refresh();
      write();
    });
  };
  /** The command's end: the log is folded into model.json, so the next command reads one file. */
  const compact = (): void => {
    if (!mayWrite) return;
    withModelLock(() => {
      refresh();
      if (model.dirty) write();
      if (store.hasLog) store.compact(model.state);
    });
    letGo();
  };
  const enter = async (): Promise<void> => {
    if (!persistent) return;
    if (!mayWrite) {
      // A watcher (get-run): no mutex, no writes; it reads the latest saved model (snapshot and log).
      refresh();
      model.advance();
      return;
    }
    holders += 1;
    if (holders > 1) return;
    if (held) {
      // Still ours since the last operation: nobody else can have written. The lease's timer stays armed: if it
      // fires during the operation it lets nothing go (an operation holds), and leave() then finds the lease over.
      model.advance();
      return;
    }
    const started = systemClock.now();
    try {
      if (yielded) {
        yielded = false;
        await systemClock.sleep(2 * MODEL_LOCK_RETRY_MS);
      }
      dropIdleLease(lockDir);
      while (!tryTakeLock(lockDir)) {
        if (systemClock.now() - started > MODEL_LOCK_WAIT_MS) throw modelBusy(dir);
        markWaiting(waitingMarker);
        await systemClock.sleep(MODEL_LOCK_RETRY_MS);
        dropIdleLease(lockDir);
      }
      held = true;
      heldSince = systemClock.now();
      idleLeases.set(lockDir, letGo);
      releaseLock(waitingMarker);
      refresh();
      model.advance();
    } catch (error) {
      holders -= 1;
      letGo();
      throw error;
    }
  };
  const leave = (): void => {
    if (!persistent || !mayWrite) return;
    holders -= 1;
    if (holders > 0) return;
    try {
      if (model.dirty) write();
    } finally {
      const now = systemClock.now();
      const left = MODEL_LEASE_MS - (now - heldSince);
      // A stat per operation cost more than the operation: look for a waiter every few ms, and always when the
      // lease is over (a waiter then gets its turn before this process takes the mutex again).
      const look = left <= 0 || now - lookedAt >= WAITER_LOOK_MS;
      if (look) lookedAt = now;
      const waited = look && someoneWaits();
      if (waited || left <= 0) {
        yielded = waited;
        letGo();
      } else if (leaseTimer === undefined) {
        // Armed once per lease (its end does not move while the mutex is held), not once per operation.
        leaseTimer = setTimeout(letGo, left);
        leaseTimer.unref();
      }
    }
  };
  if (isNew) {
    // Roles of nodes that start Down are already running elsewhere.
    for (const node of state.nodes) {
      if (node.clusterState === 'Down') model.moveRoles(node.name, state.roles.filter((r) => r.owner === node.name));
    }
  }
  if (isNew && mayWrite) {
    ensurePrivateDir(dir);
    dropIdleLease(lockDir);
    withLockSync(lockDir, MODEL_LOCK_WAIT_MS, () => {
      // Another process may have created it in the meantime: then that one is the cluster.
      try {
        if (!store.changedOnDisk()) write();
        else refresh();
      } finally {
        store.settle();
      }
    }, () => modelBusy(dir));
  }
  model.advance();
  model.changed();
  const inner = new SimTransport(model, persistent ? new PropertyStore(join(dir, 'properties')) : new MemoryPropertyStore(), save);
  const transport: Transport = {
    name: inner.name,
    async run(node: string, invocation: ScriptInvocation, runOptions?: RunOptions): Promise<ScriptOutcome> {
      await enter();
      try {
        return await inner.run(node, invocation, runOptions);
      } finally {
        leave();
      }
    },
    close: async () => {
      await inner.close();
      if (persistent) compact();
    },
  };

  return {
    transport,
    model,
    clock,
    clusterName: fixture.name,
    nodeNames: fixture.nodes.map((n) => n.name),
    timing: fixture.timing,
    fixture,
    noteHalt: () => audit.halt(),
    installRecord: () => {
      model.advance();
      return model.state.nodes.map((node) => {
        const lastResults: Record<string, string> = {};
        for (const task of model.state.tasks) {
          if (task.node !== node.name || task.mode !== 'Install') continue;
          for (const r of task.results) lastResults[r.updateId] = r.resultCode;
        }
        return { node: node.name, installed: node.updates.filter((u) => u.installed).map((u) => u.id), lastResults };
      });
    },
    noteRunEnd: () => {
      model.advance();
      audit.runEnded(model.now, (name) => model.state.jobs.some((j) => j.node === name && j.state === 'Running'));
      for (const node of model.state.nodes) {
        if (node.pausedByRun && node.clusterState === 'Paused' && node.power === 'on') {
          audit.violation(model.now, `${node.name} was paused by the run and is still Paused at the run's end.`);
        }
      }
    },
    audit: () => {
      model.advance();
      return audit.report(clock.now());
    },
    auditOffline: (onlineBefore) => {
      model.advance();
      const at = audit.when(model.now);
      const violations: string[] = [];
      if (model.state.clusterStopped === true) violations.push(`At ${at}: the cluster is still stopped.`);
      else if (!model.quorumHealthy()) violations.push(`At ${at}: the cluster has no quorum.`);
      for (const node of model.state.nodes) {
        const reachable = node.reachable && node.power === 'on';
        if (reachable && node.setup.clusterServiceStartMode !== 'Auto') {
          violations.push(`At ${at}: the cluster service on ${node.name} is ${node.setup.clusterServiceStartMode}, not Automatic.`);
        }
      }
      const offline = new Set(model.state.offlineVirtualDisks ?? []);
      for (const disk of onlineBefore) {
        if (offline.has(disk)) violations.push(`At ${at}: virtual disk ${disk} was online before the update and is offline now.`);
      }
      return { ...audit.report(clock.now()), violations };
    },
    save,
  };
}
