/**
 * The simulated cluster's behaviour over virtual time: scheduled events (reboots, crashes, task ends, repair
 * jobs) applied in time order when the model is brought up to the clock, plus the cluster's derived views
 * (storage health, quorum, roles). Depends on the model state, the audit and the Clock interface only.
 */
import type { Clock } from '../platform/clock.js';
import { classifyHotfixExitCode } from './hotfix-rules.js';
import { hotfixRulesFor } from './hotfix-folders.js';
import type { SimAudit } from './audit.js';
import { failOver, finishDrain } from './drain.js';
import type { ModelState, SimEvent, SimJobState, SimNodeState, SimRoleState } from './model-state.js';
import { quorumSurvivesDown, serversAcrossFaultDomains, type FaultDomainMap, type WitnessVote } from './oracles.js';
import { nativeRunEnd, selfUpdatingTrigger } from './native-cau.js';
import { finishScriptPluginTask } from './ops-plugin.js';

/** Services still starting after a boot, as Get-Service would list them. */
const LATE_SERVICES = ['vmms', 'HealthService', 'SDDC Management'];
/** A soft (kernel) reboot skips firmware and hardware init: about 40% of a full one. */
const SOFT_REBOOT_FACTOR = 0.4;
/** A stuck repair gets this far before it suspends. */
const STUCK_REPAIR_FRACTION = 0.3;
const RECENT_OPS_KEPT = 50;

type EventInput = SimEvent extends infer E ? (E extends SimEvent ? Omit<E, 'seq'> : never) : never;

export interface StorageView {
  s2dEnabled: boolean;
  jobs: { name: string; jobState: string; bytesProcessed: number; bytesTotal: number; percentComplete: number }[];
  virtualDisks: { friendlyName: string; healthStatus: string; operationalStatus: string; isOnline: boolean }[];
  pools: { friendlyName: string; healthStatus: string; operationalStatus: string }[];
}

interface DiskHealth {
  healthStatus: string;
  operationalStatus: string;
  isOnline: boolean;
}
interface PoolHealth {
  healthStatus: string;
  operationalStatus: string;
}
/** The disks' and the pool's health in each state the model knows (shared: copied into each view). */
const DETACHED = { disk: { healthStatus: 'Unknown', operationalStatus: 'Detached', isOnline: false }, pool: { healthStatus: 'Unhealthy', operationalStatus: 'Read-only' } } as const;
const INCOMPLETE = { disk: { healthStatus: 'Warning', operationalStatus: 'Incomplete', isOnline: true }, pool: { healthStatus: 'Warning', operationalStatus: 'Degraded' } } as const;
const DEGRADED = { disk: { healthStatus: 'Warning', operationalStatus: 'Degraded', isOnline: true }, pool: { healthStatus: 'Warning', operationalStatus: 'Degraded' } } as const;
const IN_SERVICE = { disk: { healthStatus: 'Warning', operationalStatus: 'InService', isOnline: true }, pool: { healthStatus: 'Warning', operationalStatus: 'Degraded' } } as const;
const HEALTHY = { disk: { healthStatus: 'Healthy', operationalStatus: 'OK', isOnline: true }, pool: { healthStatus: 'Healthy', operationalStatus: 'OK' } } as const;

export class ClusterModel {
  private isDirty = false;
  /** Told of every write (see onChange). */
  private readonly changeListeners = new Set<() => void>();

  /** Set when something persistent changed since the last save; every write sets it. */
  get dirty(): boolean {
    return this.isDirty;
  }

  set dirty(value: boolean) {
    this.isDirty = value;
    if (value) for (const listener of this.changeListeners) listener();
  }

  /** Calls `listener` at every write of the model (an operation's or an event's) until the returned function is called. */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }
  /**
   * What was written since the last save, by identity: the only nodes, roles and feature facts the store
   * compares with their saved copy (they are most of the model, and an operation writes few of them). Every
   * write to one goes with its mark (`touch`, `touchRole`, `markFeature`); in tests the store compares them
   * all and throws on one that changed unmarked (model-store.ts).
   */
  readonly written = { nodes: new Set<SimNodeState>(), roles: new Set<SimRoleState>(), feature: new Set<object>() };

  constructor(
    readonly state: ModelState,
    readonly clock: Clock,
    readonly audit: SimAudit,
  ) {}

  /** Marks `node` written (and the model dirty): the next save compares it with its saved copy. */
  touch(node: SimNodeState): void {
    this.written.nodes.add(node);
    this.dirty = true;
  }

  /** Marks `role` written (its owner moved) and the model dirty. */
  touchRole(role: SimRoleState): void {
    this.written.roles.add(role);
    this.dirty = true;
  }

  /** Marks the feature facts (VMs, pool, level) as possibly written: the next save compares them. */
  markFeature(): void {
    if (this.state.feature !== undefined) this.written.feature.add(this.state.feature);
  }

  /** After a save: nothing is written since. */
  clearWritten(): void {
    this.written.nodes.clear();
    this.written.roles.clear();
    this.written.feature.clear();
  }

  /** Upper-cased name → index in `nodeIndexOf` (every operation looks its node up by name). */
  private nodeIndex = new Map<string, number>();
  private nodeIndexOf: readonly SimNodeState[] | undefined;

  node(name: string): SimNodeState | undefined {
    const key = name.toUpperCase();
    const nodes = this.state.nodes;
    if (this.nodeIndexOf !== nodes || this.nodeIndex.size !== nodes.length) {
      // A reload from disk puts new node objects in a new array; names never change in one.
      this.nodeIndex = new Map(nodes.map((n, i) => [n.name.toUpperCase(), i]));
      this.nodeIndexOf = nodes;
    }
    const i = this.nodeIndex.get(key);
    const hit = i === undefined ? undefined : nodes[i];
    return hit !== undefined && hit.name.toUpperCase() === key ? hit : nodes.find((n) => n.name.toUpperCase() === key);
  }

  get now(): number {
    return this.state.virtualNow;
  }

  schedule(event: EventInput): void {
    this.state.events.push({ ...event, seq: this.state.nextSeq++ } as SimEvent);
    this.state.events.sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.dirty = true;
  }

  /** The virtual time of the next scheduled event, if any. */
  nextEventAt(): number | undefined {
    return this.state.events[0]?.at;
  }

  /** Applies every event due by the clock's now, in time order, auditing each change. */
  advance(): void {
    const target = Math.max(this.clock.now(), this.state.virtualNow);
    while (this.state.events.length > 0 && this.state.events[0]!.at <= target) {
      const event = this.state.events.shift()!;
      this.state.virtualNow = Math.max(this.state.virtualNow, event.at);
      this.apply(event);
      this.dirty = true;
      this.changed();
    }
    this.state.virtualNow = target;
  }

  /** Call after any change of node states: audits invariant 1. */
  changed(): void {
    const out = this.state.nodes.filter((n) => n.pausedByRun || n.downByRestart).map((n) => n.name);
    this.audit.outOfService(this.now, out, this.outOfServiceBreach(out));
  }

  /**
   * Why these nodes may not be out of service together (undefined when they may): on S2D they must sit in one
   * fault domain of the disks' awareness (one server at StorageScaleUnit or below); everywhere, the cluster must
   * keep quorum with all of them away, witness included (each will restart). Capacity is judged by the drain
   * itself: a VM that a drain or restart takes down is its own violation.
   */
  private outOfServiceBreach(out: readonly string[]): string | undefined {
    if (out.length <= 1) return undefined;
    if (this.state.s2d && serversAcrossFaultDomains(out, this.faultDomains()).length > 0) {
      const where = out.map((n) => `${n}${this.faultDomainName(n) !== undefined ? ` in ${this.faultDomainName(n)}` : ''}`).join(', ');
      return `the storage fault domains (awareness ${this.state.faultDomainAwareness ?? 'StorageScaleUnit'}) allow one at a time: ${where}`;
    }
    if (!quorumSurvivesDown(this.state.nodes.length, this.witnessVote(), out.length)) {
      return `quorum (${this.state.nodes.length} nodes, witness ${this.witnessVote()}) would not survive ${out.length} nodes down`;
    }
    return undefined;
  }

  /** The witness's vote as the cluster counts it. */
  witnessVote(): WitnessVote {
    if (this.state.quorum.witnessType === 'None') return 'none';
    return this.state.quorum.witnessState === 'Online' ? 'online' : 'offline';
  }

  /**
   * Server (upper-cased) → its chassis or rack name, when every virtual disk is aware at StorageChassis or
   * StorageRack; undefined otherwise (each server is its own fault domain).
   */
  faultDomains(): FaultDomainMap | undefined {
    const level = this.state.faultDomainAwareness;
    if (!this.state.s2d || (level !== 'StorageChassis' && level !== 'StorageRack')) return undefined;
    const map: Record<string, string> = {};
    for (const n of this.state.nodes) {
      const name = level === 'StorageRack' ? n.faultDomain?.rack : n.faultDomain?.chassis;
      // A server outside any (validated fixtures have none) is a fault domain of its own.
      map[n.name.toUpperCase()] = name !== undefined ? `${level === 'StorageRack' ? 'rack' : 'chassis'} ${name}` : `server ${n.name}`;
    }
    return map;
  }

  private faultDomainName(node: string): string | undefined {
    return this.faultDomains()?.[node.toUpperCase()];
  }

  logOp(node: string, op: string, outcome: string): void {
    this.state.opCounts[op] = (this.state.opCounts[op] ?? 0) + 1;
    this.state.recentOps.push({ at: this.now, node, op, outcome });
    if (this.state.recentOps.length > RECENT_OPS_KEPT) this.state.recentOps.splice(0, this.state.recentOps.length - RECENT_OPS_KEPT);
  }

  private apply(event: SimEvent): void {
    switch (event.kind) {
      case 'restartDown': {
        const node = this.node(event.node);
        if (!node || node.power !== 'on') return;
        this.touch(node);
        // KSR refused at this moment: the restart task marks it, then restarts the node fully.
        if (event.softRefused === true) node.softRestartFellBack = true;
        this.goDown(node, true);
        node.downByRestart = true;
        if (node.faults.rebootHangs) {
          node.power = 'hung';
          return;
        }
        const full = node.faults.slowRebootSeconds ?? this.state.timing.rebootSeconds;
        const seconds = event.soft && event.softRefused !== true ? full * SOFT_REBOOT_FACTOR : full;
        this.schedule({ at: event.at + seconds * 1000, kind: 'boot', node: node.name });
        return;
      }
      case 'crash': {
        const node = this.node(event.node);
        if (!node || node.power !== 'on') return;
        this.touch(node);
        this.goDown(node, false);
        if (event.seconds === undefined) node.power = 'hung';
        else this.schedule({ at: event.at + event.seconds * 1000, kind: 'boot', node: node.name });
        return;
      }
      case 'boot': {
        const node = this.node(event.node);
        if (!node || node.power !== 'off') return;
        this.touch(node);
        node.power = 'on';
        node.lastBootMs = event.at;
        node.servicesReadyAt = event.at + this.state.timing.servicesStartSeconds * 1000;
        node.downByRestart = false;
        // A stopped cluster, or a disabled cluster service, keeps the node out of the cluster after its boot.
        if (this.state.clusterStopped === true || node.setup.clusterServiceStartMode === 'Disabled') {
          if (node.setup.clusterServiceState === 'Running') node.setup.clusterServiceState = 'Stopped';
        } else {
          node.clusterState = node.pausedWhenDown ? 'Paused' : 'Up';
          node.pausedWhenDown = false;
        }
        node.rebootPending = false;
        node.rebootBeforeInstall = false;
        if (node.pendingOsBuild !== undefined) {
          node.osBuild = node.pendingOsBuild;
          delete node.pendingOsBuild;
        }
        this.startRepairIfDue(node);
        return;
      }
      case 'taskEnd':
        this.finishTask(event.taskId);
        return;
      case 'drainEnd': {
        const node = this.node(event.node);
        if (node) finishDrain(this, node, event.drainSeq);
        return;
      }
      case 'jobEnd': {
        const job = this.state.jobs.find((j) => j.id === event.jobId);
        if (!job || job.state !== 'Running') return;
        job.state = 'Completed';
        const node = this.node(job.node);
        if (node) {
          this.touch(node);
          node.storageStale = false;
        }
        // Completed jobs are not listed; the history lives in the op log.
        this.state.jobs = this.state.jobs.filter((j) => j.id !== job.id);
        return;
      }
      case 'selfUpdatingTrigger':
        selfUpdatingTrigger(this, event.at);
        return;
      case 'nativeRunEnd':
        nativeRunEnd(this, event.orchestratorGuid);
        return;
      case 'jobStall': {
        const job = this.state.jobs.find((j) => j.id === event.jobId);
        if (job && job.state === 'Running') job.state = 'Suspended';
        return;
      }
    }
  }

  /**
   * An outage, planned or not: running VMs go down and fail over (restarted elsewhere, downtime), tasks die,
   * storage goes stale. A restart by the run that takes a running VM down is a violation (invariant 8), unless
   * a force switch accepted it.
   */
  private goDown(node: SimNodeState, byRun: boolean): void {
    node.pausedWhenDown = node.clusterState === 'Paused';
    node.clusterState = 'Down';
    node.power = 'off';
    // A drain cut short by the outage did not complete; the node comes back Paused with it Failed.
    if (node.drain !== undefined || node.drainStatus === 'InProgress') node.drainStatus = 'Failed';
    delete node.drain;
    const outcome = failOver(this, node.name, this.state.roles.filter((r) => r.owner === node.name));
    if (byRun) {
      for (const { role, to } of outcome) {
        const what = `${role} was running on ${node.name} when the run restarted it: the VM went down and ${to === undefined ? 'no node could take it' : `failed over to ${to} (restarted, with downtime)`}.`;
        if (node.undrainedAllowedBy !== undefined) this.audit.allowed(this.now, `${what} Accepted by ${node.undrainedAllowedBy}.`);
        else this.audit.violation(this.now, what);
      }
    }
    for (const task of this.state.tasks) {
      if (task.node === node.name && task.state === 'Running') {
        task.state = 'Failed';
        task.message = 'The node restarted while the task was running.';
        task.results = task.updateIds.map((id) => ({ ...this.describeUpdate(node, id), resultCode: 'Aborted', errorCode: '0x80240016', rebootRequired: false }));
      }
    }
    // With the cluster stopped nothing writes to the pool, so there is nothing to resync afterwards.
    if (this.state.s2d && this.state.clusterStopped !== true) {
      node.storageStale = true;
      this.state.jobs = this.state.jobs.filter((j) => j.node !== node.name);
    }
  }

  /** Fails `roles` over from a node that is down (see drain.ts); returns false when some had nowhere to go. */
  moveRoles(from: string, roles: SimRoleState[]): boolean {
    failOver(this, from, roles);
    return roles.every((r) => r.owner !== from);
  }

  rolesOwnedBy(node: string): string[] {
    return this.state.roles.filter((r) => r.owner === node).map((r) => r.name);
  }

  /** S2D resync starts once a stale node is back and out of maintenance (Up, not Paused). */
  startRepairIfDue(node: SimNodeState): void {
    if (!this.state.s2d || !node.storageStale || node.power !== 'on' || node.clusterState !== 'Up') return;
    if (this.state.jobs.some((j) => j.node === node.name)) return;
    const seconds = this.state.timing.resyncSeconds;
    const job: SimJobState = {
      id: this.state.nextJobId++,
      node: node.name,
      startedAt: this.now,
      endsAt: this.now + seconds * 1000,
      state: 'Running',
      bytesTotal: this.state.resyncBytes,
    };
    if (node.faults.storageRepairStuck) {
      job.stallsAt = this.now + seconds * 1000 * STUCK_REPAIR_FRACTION;
      this.state.jobs.push(job);
      this.schedule({ at: job.stallsAt, kind: 'jobStall', jobId: job.id });
    } else {
      this.state.jobs.push(job);
      this.schedule({ at: job.endsAt, kind: 'jobEnd', jobId: job.id });
    }
    this.dirty = true;
  }

  /**
   * The health of the virtual disks (those not taken offline) and of the pool, from the nodes, the repair
   * jobs and the fault domains. Shared constant objects: copy before changing.
   */
  private storageHealth(): { disk: DiskHealth; pool: PoolHealth } {
    const nodes = this.state.nodes;
    const jobs = this.state.jobs;
    let away = 0;
    for (const n of nodes) if (n.power !== 'on' || n.clusterState === 'Down') away += 1;
    // At chassis or rack awareness the copies sit in different fault domains: two of them away take some
    // data's every copy (the disks detach), however few servers that is.
    const domains = away > 1 ? this.faultDomains() : undefined;
    const acrossDomains =
      domains !== undefined &&
      serversAcrossFaultDomains(
        nodes.filter((n) => n.power !== 'on' || n.clusterState === 'Down').map((n) => n.name),
        domains,
      ).length > 0;
    if (away * 2 > nodes.length || acrossDomains) return DETACHED;
    const waiting = nodes.some((n) => n.storageStale && !jobs.some((j) => j.node === n.name));
    if (away > 0 || waiting) return INCOMPLETE;
    if (jobs.some((j) => j.state === 'Suspended')) return DEGRADED;
    if (jobs.length > 0) return IN_SERVICE;
    return HEALTHY;
  }

  storageView(): StorageView {
    if (!this.state.s2d) return { s2dEnabled: false, jobs: [], virtualDisks: [], pools: [] };
    const jobs = this.state.jobs.map((j) => {
      const until = j.state === 'Suspended' && j.stallsAt !== undefined ? j.stallsAt : this.now;
      const span = j.endsAt - j.startedAt;
      const fraction = span <= 0 ? 1 : Math.min(1, Math.max(0, (until - j.startedAt) / span));
      const bytesProcessed = Math.floor(j.bytesTotal * fraction);
      return {
        name: 'Repair',
        jobState: j.state,
        bytesProcessed,
        bytesTotal: j.bytesTotal,
        percentComplete: Math.floor(fraction * 100),
      };
    });
    const { disk, pool } = this.storageHealth();
    const offline = new Set(this.state.offlineVirtualDisks ?? []);
    // A disk resource taken offline detaches its virtual disk (DetachedReason "By Policy").
    return {
      s2dEnabled: true,
      jobs,
      virtualDisks: this.state.virtualDisks.map((friendlyName) => ({ friendlyName, ...(offline.has(friendlyName) ? DETACHED.disk : disk) })),
      pools: [{ friendlyName: this.state.poolName, ...pool }],
    };
  }

  /**
   * The ready-for-next-node test: no job not Completed, every disk and pool Healthy. Without a view, judged
   * from the model directly (what storageView would show), with nothing built: the waits poll it.
   */
  storageHealthy(view?: StorageView): boolean {
    if (view === undefined) {
      if (!this.state.s2d) return true;
      if (!this.state.jobs.every((j) => j.state === 'Completed')) return false;
      const offline = this.state.offlineVirtualDisks ?? [];
      if (this.state.virtualDisks.some((d) => offline.includes(d))) return false;
      const { disk, pool } = this.storageHealth();
      return (this.state.virtualDisks.length === 0 || disk.healthStatus === 'Healthy') && pool.healthStatus === 'Healthy';
    }
    return (
      view.jobs.every((j) => j.jobState === 'Completed') &&
      view.virtualDisks.every((d) => d.healthStatus === 'Healthy') &&
      view.pools.every((p) => p.healthStatus === 'Healthy')
    );
  }

  /** Majority of node votes plus the witness vote, optionally as if `without` were gone too. */
  quorumHealthy(without?: string): boolean {
    const witness = this.state.quorum.witnessType !== 'None';
    const total = this.state.nodes.length + (witness ? 1 : 0);
    const present =
      this.state.nodes.filter((n) => n.clusterState !== 'Down' && n.name !== without).length +
      (witness && this.state.quorum.witnessState === 'Online' ? 1 : 0);
    return present * 2 > total;
  }

  autoStartServicesNotRunning(node: SimNodeState): string[] {
    const list: string[] = [];
    if (node.setup.clusterServiceState !== 'Running' && node.setup.clusterServiceStartMode === 'Auto') list.push('ClusSvc');
    if (this.now < node.servicesReadyAt) list.push(...LATE_SERVICES);
    list.push(...(node.faults.stoppedServices ?? []));
    return list;
  }

  /** The services running on the node now, as restart-node records them before a restart. */
  runningServices(node: SimNodeState): string[] {
    const notRunning = new Set(this.autoStartServicesNotRunning(node));
    return ['ClusSvc', 'WinRM', ...LATE_SERVICES].filter((s) => !notRunning.has(s));
  }

  describeUpdate(node: SimNodeState, id: string): { updateId: string; kb: string; title: string } {
    if (node.featureUpdate && node.featureUpdate.id === id) {
      return { updateId: id, kb: node.featureUpdate.kb, title: node.featureUpdate.title };
    }
    const u = node.updates.find((x) => x.id.toLowerCase() === id.toLowerCase());
    return u ? { updateId: u.id, kb: u.kb, title: u.title } : { updateId: id, kb: '', title: `Unknown update ${id}` };
  }

  private finishTask(taskId: string): void {
    const task = this.state.tasks.find((t) => t.taskId === taskId);
    if (!task || task.state !== 'Running') return;
    const node = this.node(task.node);
    if (!node) return;
    // The task's end writes its node: staged or installed updates, a pending restart, firmware versions.
    this.touch(node);
    if (task.stoppedAtLimit === true) {
      // The Task Scheduler stopped the worker at its execution time limit: no final state was written, so
      // wait-update-task reports the task's last result (SCHED_S_TASK_TERMINATED) and nothing installed.
      task.state = 'Failed';
      task.results = [];
      task.message = 'The update worker ended without a result (last task result 0x00041306).';
      return;
    }
    if (task.scriptPlugin === true) {
      finishScriptPluginTask(node, task);
      return;
    }
    // As the update worker: no install over a pending restart, and nothing installed after a failed download.
    if (task.mode === 'Install' && task.updateIds.length > 0 && task.plugin !== 'Microsoft.HotfixPlugin' && node.rebootBeforeInstall === true) {
      task.results = [];
      task.state = 'Failed';
      task.rebootRequired = true;
      task.message = `REBOOT_PENDING: Windows Update needs a restart on ${node.name} before it installs more; restart the node, then install.`;
      return;
    }
    if (task.downloadFailWith !== undefined) {
      const code = task.downloadFailWith;
      task.results = task.updateIds.map((id) => {
        const staged = node.updates.find((u) => u.id.toLowerCase() === id.toLowerCase())?.staged === true;
        return { ...this.describeUpdate(node, id), resultCode: staged ? (task.mode === 'Install' ? 'Aborted' : 'Succeeded') : 'Failed', errorCode: staged ? '0x0' : code, rebootRequired: false };
      });
      task.state = 'Completed';
      task.message = task.mode === 'Install' ? `Download failed (${code}); nothing was installed.` : `Download failed (${code}).`;
      return;
    }
    if (task.failWith !== undefined) {
      const code = task.failWith;
      task.results = task.updateIds.map((id) => ({ ...this.describeUpdate(node, id), resultCode: 'Failed', errorCode: code, rebootRequired: false }));
      task.state = 'Failed';
      task.message = `Windows Update reported ${code}.`;
      return;
    }
    task.results = task.updateIds.map((id) => {
      const info = this.describeUpdate(node, id);
      if (node.featureUpdate && node.featureUpdate.id === id) {
        if (task.mode === 'Install') node.pendingOsBuild = node.featureUpdate.targetBuild;
        return { ...info, resultCode: 'Succeeded', errorCode: '0x0', rebootRequired: task.mode === 'Install' };
      }
      const u = node.updates.find((x) => x.id.toLowerCase() === id.toLowerCase());
      if (!u) return { ...info, resultCode: 'NotApplicable', errorCode: '0x80240017', rebootRequired: false };
      // A pre-install leaves anything but Software (drivers, firmware) for the maintenance window.
      if (task.preInstall === true && u.type !== 'Software') return { ...info, resultCode: 'NotStarted', errorCode: '0x0', rebootRequired: false };
      if (task.mode === 'Download') {
        u.staged = true;
        return { ...info, resultCode: 'Succeeded', errorCode: '0x0', rebootRequired: false };
      }
      if (u.installed) return { ...info, resultCode: 'AlreadyInstalled', errorCode: '0x0', rebootRequired: false };
      if (u.plugin === 'Microsoft.HotfixPlugin') {
        const rules = hotfixRulesFor(this.state, u);
        // No rule installs it (a folder no FolderRules rule names): nothing is run.
        if (rules === null) return { ...info, resultCode: 'NotApplicable', errorCode: '0x0', rebootRequired: false };
        const c = classifyHotfixExitCode(u.exitCode ?? 0, rules);
        if (c.resultCode === 'Succeeded' || c.resultCode === 'AlreadyInstalled') u.installed = true;
        if (c.resultCode === 'NotApplicable') u.notApplicable = true;
        return { ...info, resultCode: c.resultCode, errorCode: c.errorCode, rebootRequired: c.rebootRequired };
      }
      u.installed = true;
      return { ...info, resultCode: 'Succeeded', errorCode: '0x0', rebootRequired: u.rebootRequired };
    });
    task.rebootRequired = task.results.some((r) => r.rebootRequired);
    if (task.rebootRequired) node.rebootPending = true;
    const allFailed = task.results.length > 0 && task.results.every((r) => r.resultCode === 'Failed');
    task.state = allFailed ? 'Failed' : 'Completed';
  }
}
