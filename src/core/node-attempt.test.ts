import { OperationTimeoutError } from '../cluster/gateway.js';
import { AppError, ExitCode } from '../errors.js';
import type { NodePhase } from './events.js';
import type { ErrorCode } from './error-codes.js';
import type { ResumeStep } from './journal-replay.js';
import { classifyFailure, startAttempt, transition, type AttemptCommand, type AttemptEvent, type AttemptPolicy, type AttemptState } from './node-attempt.js';
import type { NodeWindow } from './node-decisions.js';
import { StepFailure } from './node-steps/context.js';

const NODE = 'N1';
const scripts: AttemptPolicy = { preUpdateScript: true, postUpdateScript: true };
const none: AttemptPolicy = { preUpdateScript: false, postUpdateScript: false };

const outside: NodeWindow = { pausedByRun: false, windowOpen: false };
const paused: NodeWindow = { pausedByRun: true, windowOpen: true };
/** Resumed again inside the window (a failed drain resumed it; its storage is still owed). */
const resumedInWindow: NodeWindow = { pausedByRun: false, windowOpen: true };

/** Drives the machine from `from` with one reply per command; returns the commands given and the outcome. */
function drive(from: ResumeStep, policy: AttemptPolicy, replies: AttemptEvent[]): { commands: string[]; state: AttemptState } {
  let t = startAttempt(from, policy);
  const commands: string[] = [];
  for (const reply of replies) {
    if (t.state.at === 'done') break;
    commands.push(...t.commands.map((c) => c.type));
    t = transition(t.state, reply, policy, NODE);
  }
  return { commands, state: t.state };
}

const ok = (window: NodeWindow = paused): AttemptEvent => ({ type: 'done', window });

describe('the attempt in order: every step, from every point a journal may resume at', () => {
  it.each<[string, ResumeStep, AttemptPolicy, NodeWindow[], string[]]>([
    ['a fresh attempt with both scripts', { step: 'start' }, scripts, [outside, paused, paused, outside, outside, outside], ['pre-script', 'drain', 'install-rounds', 'resume', 'await-storage', 'post-script']],
    ['a fresh attempt, no scripts (the pre-script step still journals)', { step: 'start' }, none, [outside, paused, paused, outside, outside], ['pre-script', 'drain', 'install-rounds', 'resume', 'await-storage']],
    ['resumed at the suspend', { step: 'suspend' }, none, [paused, paused, outside, outside], ['drain', 'install-rounds', 'resume', 'await-storage']],
    ['resumed in a round restart: the next round follows', { step: 'await-reboot', round: 2, bootBefore: 'b0', rebootSource: 'round' }, none, [paused, paused, outside, outside], ['finish-restart', 'install-rounds', 'resume', 'await-storage']],
    ['resumed while a task ran', { step: 'await-task', round: 1, taskId: 't', pluginIndex: 0 }, none, [paused, outside, outside], ['install-rounds', 'resume', 'await-storage']],
    ['resumed at the resume', { step: 'resume' }, none, [outside, outside], ['resume', 'await-storage']],
    ['resumed after the resume: the storage wait', { step: 'after-resume' }, scripts, [outside, outside], ['await-storage', 'post-script']],
  ])('%s', (_name, from, policy, windows, expected) => {
    const { commands, state } = drive(from, policy, windows.map((w) => ok(w)));
    expect(commands).toEqual(expected);
    expect(state).toEqual({ at: 'done', outcome: { ok: true } });
  });

  it('the second round of a restart resumes the install at the next round', () => {
    const t = startAttempt({ step: 'await-reboot', round: 2, bootBefore: 'b0', rebootSource: 'round' }, none);
    expect(transition(t.state, ok(), none, NODE).commands).toEqual<AttemptCommand[]>([{ type: 'install-rounds', from: { step: 'install', round: 3 } }]);
  });

  it('pre-script says whether the script is run', () => {
    expect(startAttempt({ step: 'start' }, scripts).commands).toEqual([{ type: 'pre-script', run: true }]);
    expect(startAttempt({ step: 'start' }, none).commands).toEqual([{ type: 'pre-script', run: false }]);
  });
});

type Reply = 'success' | 'failure' | 'lost reply' | 'timeout' | 'refused password';

/** What each step's own failure is (a StepFailure the node step throws), and the phase it is in. */
const STEP_FAILURES: Record<string, { code: ErrorCode; phase: NodePhase } | 'operation'> = {
  'pre-script': { code: 'PreUpdateScriptFailed', phase: 'pre-script' },
  drain: { code: 'DrainFailed', phase: 'drain' },
  'install-rounds': { code: 'InstallFailed', phase: 'install' },
  'finish-restart': { code: 'RebootTimeout', phase: 'wait-node' },
  resume: 'operation',
  'await-storage': { code: 'StorageRepairTimeout', phase: 'resync' },
  'post-script': { code: 'PostUpdateScriptFailed', phase: 'post-script' },
};

/** The error a reply is, as the driver would catch it from the node step. */
function errorOf(step: string, reply: Exclude<Reply, 'success'>): unknown {
  switch (reply) {
    case 'lost reply':
      return new AppError('TRANSPORT_UNREACHABLE', ExitCode.connection, `${NODE}: the connection dropped`, { transient: true });
    case 'timeout':
      return new OperationTimeoutError('get-node-status', NODE, 120_000, undefined);
    case 'refused password':
      return new AppError('TRANSPORT_AUTH_REFUSED', ExitCode.connection, `${NODE} refused the credentials`);
    case 'failure': {
      const own = STEP_FAILURES[step]!;
      if (own === 'operation') return new AppError('OPERATION_FAILED', ExitCode.runFailed, `resume-node on ${NODE} failed: SCRIPT_ERROR`);
      return new StepFailure(own.code, own.phase, NODE, `${step} failed on ${NODE}`);
    }
  }
}

/** The phase the driver was in when a step's command ran (what it tells classifyFailure). */
const PHASE_OF: Record<string, NodePhase> = {
  'pre-script': 'pre-script',
  drain: 'drain',
  'install-rounds': 'install',
  'finish-restart': 'wait-node',
  resume: 'resume',
  'await-storage': 'resync',
  'post-script': 'post-script',
};

/** A state whose command is `step`, and the node's standing when that step replies. */
const AT: Record<string, { state: AttemptState; window: Partial<Record<Reply, NodeWindow>> & { default: NodeWindow } }> = {
  'pre-script': { state: { at: 'pre-script' }, window: { default: outside } },
  // A failed drain is resumed by the drain step itself; a lost reply leaves the node paused by the run.
  drain: { state: { at: 'drain' }, window: { default: paused, failure: resumedInWindow } },
  'install-rounds': { state: { at: 'install-rounds' }, window: { default: paused } },
  'finish-restart': { state: { at: 'finish-restart', source: 'round', round: 1 }, window: { default: paused } },
  resume: { state: { at: 'resume' }, window: { default: paused } },
  'await-storage': { state: { at: 'await-storage' }, window: { default: resumedInWindow } },
  'post-script': { state: { at: 'post-script' }, window: { default: outside } },
};

/**
 * step × reply → the command that follows (the failure path's first, or the next step) and, when the attempt
 * ends there, its outcome: [code, fatal]. `next` is the next step's command on success.
 */
const TABLE: Array<[string, Reply, string | null, [string, boolean] | null]> = [
  // A node paused by the run that stops answering went away (Windows brings it back Paused): the run will stop
  // (NodeNotReachable, fatal, see node-decisions), but the failure path first resumes it once it is back.
  ['pre-script', 'success', 'drain', null],
  ['pre-script', 'failure', null, ['PreUpdateScriptFailed', false]],
  ['pre-script', 'lost reply', null, ['NodeNotReachable', false]],
  ['pre-script', 'timeout', null, ['NodeNotReachable', false]],
  ['pre-script', 'refused password', null, ['AccessDenied', false]],
  ['drain', 'success', 'install-rounds', null],
  // Resumed by the drain step: no second resume, but the storage wait the touched node owes.
  ['drain', 'failure', 'await-storage', null],
  // The suspend was sent and the node no longer answers: it is paused by the run and cannot be resumed.
  ['drain', 'lost reply', 'resume', null],
  ['drain', 'timeout', 'resume', null],
  ['drain', 'refused password', 'resume', null],
  ['install-rounds', 'success', 'resume', null],
  ['install-rounds', 'failure', 'resume', null],
  ['install-rounds', 'lost reply', 'resume', null],
  ['install-rounds', 'timeout', 'resume', null],
  ['install-rounds', 'refused password', 'resume', null],
  ['finish-restart', 'success', 'install-rounds', null],
  ['finish-restart', 'failure', null, ['RebootTimeout', true]],
  ['finish-restart', 'lost reply', 'resume', null],
  ['finish-restart', 'timeout', 'resume', null],
  ['finish-restart', 'refused password', 'resume', null],
  ['resume', 'success', 'await-storage', null],
  // A resume that failed is tried once more by the failure path; a second failure is ResumeFailed (below).
  ['resume', 'failure', 'resume', null],
  ['resume', 'lost reply', 'resume', null],
  ['resume', 'timeout', 'resume', null],
  ['resume', 'refused password', 'resume', null],
  ['await-storage', 'success', null, null],
  ['await-storage', 'failure', null, ['StorageRepairTimeout', true]],
  ['await-storage', 'lost reply', 'await-storage', null],
  ['await-storage', 'timeout', 'await-storage', null],
  ['await-storage', 'refused password', 'await-storage', null],
  ['post-script', 'success', null, null],
  ['post-script', 'failure', null, ['PostUpdateScriptFailed', false]],
  ['post-script', 'lost reply', null, ['NodeNotReachable', false]],
  ['post-script', 'timeout', null, ['NodeNotReachable', false]],
  ['post-script', 'refused password', null, ['AccessDenied', false]],
];

describe('transition: every step × every reply', () => {
  it('covers every step with all five replies', () => {
    for (const step of Object.keys(AT)) expect(TABLE.filter(([s]) => s === step).map(([, r]) => r).sort()).toEqual(['failure', 'lost reply', 'refused password', 'success', 'timeout']);
  });

  it.each(TABLE)('%s, %s → %s %j', (step, reply, command, ending) => {
    const { state, window } = AT[step]!;
    const standing = window[reply] ?? window.default;
    const event: AttemptEvent = reply === 'success' ? ok(standing) : { type: 'failed', failure: classifyFailure(errorOf(step, reply), PHASE_OF[step]!, NODE), window: standing };
    const next = transition(state, event, none, NODE);
    expect(next.commands.map((c) => c.type)).toEqual(command === null ? [] : [command]);
    if (ending === null) {
      if (command === null) expect(next.state).toEqual({ at: 'done', outcome: { ok: true } });
      return;
    }
    expect(next.state.at).toBe('done');
    const outcome = (next.state as Extract<AttemptState, { at: 'done' }>).outcome;
    expect(outcome.ok ? null : [outcome.error.code, outcome.fatal]).toEqual(ending);
  });
});

describe('the failure path: resume, then the resync wait; a failure inside it stops the run', () => {
  const installFailed = classifyFailure(new StepFailure('InstallFailed', 'install', NODE, '1 update(s) failed'), 'install', NODE);

  it('install failed while paused: resume, the storage wait, then the attempt fails (retryable)', () => {
    const { commands, state } = drive({ step: 'install', round: 1 }, none, [{ type: 'failed', failure: installFailed, window: paused }, ok(resumedInWindow), ok(outside)]);
    expect(commands).toEqual(['install-rounds', 'resume', 'await-storage']);
    expect(state).toEqual({ at: 'done', outcome: { ok: false, fatal: false, error: installFailed.error, phase: 'install' } });
  });

  it('the resume of the failure path fails: ResumeFailed, fatal (the node stays out of service)', () => {
    const refused = classifyFailure(new AppError('OPERATION_FAILED', ExitCode.runFailed, 'resume-node on N1 failed: SCRIPT_ERROR'), 'resume', NODE);
    const { state } = drive({ step: 'install', round: 1 }, none, [{ type: 'failed', failure: installFailed, window: paused }, { type: 'failed', failure: refused, window: paused }]);
    expect(state).toMatchObject({ at: 'done', outcome: { ok: false, fatal: true, phase: 'resume', error: { code: 'ResumeFailed', node: NODE } } });
  });

  it('storage does not heal after the failure path resumed the node: StorageRepairTimeout, fatal', () => {
    const stuck = classifyFailure(new StepFailure('StorageRepairTimeout', 'resync', NODE, 'storage did not heal'), 'resync', NODE);
    const { state } = drive({ step: 'install', round: 1 }, none, [{ type: 'failed', failure: installFailed, window: paused }, ok(resumedInWindow), { type: 'failed', failure: stuck, window: resumedInWindow }]);
    expect(state).toMatchObject({ at: 'done', outcome: { ok: false, fatal: true, phase: 'resume', error: { code: 'StorageRepairTimeout' } } });
  });

  it('a journal that says the drain had failed: resume NoFailback, the storage wait, then DrainFailed (retryable)', () => {
    const { commands, state } = drive({ step: 'drain-failed', reason: 'VM1 could not move' }, none, [ok(resumedInWindow), ok(outside)]);
    expect(commands).toEqual(['resume-no-failback', 'await-storage']);
    expect(state).toMatchObject({ at: 'done', outcome: { ok: false, fatal: false, phase: 'drain', error: { code: 'DrainFailed', message: expect.stringContaining('VM1 could not move') } } });
  });

  it('seed 1685642654: the node crashed in its hung drain and was resumed by the drain step: the storage wait still comes', () => {
    const drainFailed = classifyFailure(new StepFailure('DrainFailed', 'drain', NODE, 'the drain did not complete'), 'drain', NODE);
    const { commands, state } = drive({ step: 'suspend' }, none, [{ type: 'failed', failure: drainFailed, window: resumedInWindow }, ok(outside)]);
    expect(commands).toEqual(['drain', 'await-storage']);
    expect(state).toMatchObject({ at: 'done', outcome: { ok: false, fatal: false, error: { code: 'DrainFailed' } } });
  });

  it('a done attempt stays done', () => {
    const done: AttemptState = { at: 'done', outcome: { ok: true } };
    expect(transition(done, ok(), none, NODE)).toEqual({ state: done, commands: [] });
  });
});

describe('classifyFailure: a refused password is never "unreachable"', () => {
  it.each<[string, unknown, string]>([
    ['a step failure keeps its code', new StepFailure('DrainFailed', 'drain', NODE, 'x'), 'DrainFailed'],
    ['a lost reply (transient)', new AppError('TRANSPORT_UNREACHABLE', ExitCode.connection, 'dropped', { transient: true }), 'NodeNotReachable'],
    ['an operation past its deadline', new OperationTimeoutError('scan-updates', NODE, 3_600_000, undefined), 'NodeNotReachable'],
    ['a refused password', new AppError('TRANSPORT_AUTH_REFUSED', ExitCode.connection, 'denied'), 'AccessDenied'],
    ['anything else', new Error('boom'), 'UnexpectedError'],
  ])('%s → %s', (_name, error, code) => {
    expect(classifyFailure(error, 'install', NODE).code).toBe(code);
  });
});

describe('an attempt interrupted after it had failed still ends failed (never Succeeded), and its node is brought back', () => {
  const installFailed = { code: 'InstallFailed', message: '1 update(s) failed on N1: KB1 (0x80070643)', node: NODE };
  const onPath = (resumed: boolean, awaitStorage = true): ResumeStep => ({ step: 'failure-path', error: installFailed, phase: 'install', fatal: false, awaitStorage, resumed });

  it.each<[string, ResumeStep, AttemptPolicy, NodeWindow[], string[], { code: string; fatal: boolean; phase: string }]>([
    ['in the restart that followed failed installs: the restart is finished, then the failure path', { step: 'await-reboot', round: 1, bootBefore: 'b0', rebootSource: 'failure' }, scripts, [paused, outside, outside], ['finish-restart', 'resume', 'await-storage'], { code: 'InstallFailed', fatal: false, phase: 'install' }],
    ['on the failure path, before its resume', onPath(false), scripts, [outside, outside], ['resume', 'await-storage'], { code: 'InstallFailed', fatal: false, phase: 'install' }],
    ['on the failure path, resumed: its storage wait only', onPath(true), none, [outside], ['await-storage'], { code: 'InstallFailed', fatal: false, phase: 'install' }],
    ['on the failure path, resumed, no storage owed: failed at once', onPath(true, false), none, [], [], { code: 'InstallFailed', fatal: false, phase: 'install' }],
    ['a standalone server in its restart after failed installs: failed, no post-script', { step: 'await-reboot', round: 1, bootBefore: 'b0', rebootSource: 'failure' }, { ...scripts, clusterless: true }, [outside], ['finish-restart'], { code: 'InstallFailed', fatal: false, phase: 'install' }],
  ])('%s', (_name, from, policy, windows, expected, error) => {
    const { commands, state } = drive(from, policy, windows.map((w) => ok(w)));
    expect(commands).toEqual(expected);
    expect(state).toMatchObject({ at: 'done', outcome: { ok: false, fatal: error.fatal, phase: error.phase, error: { code: error.code, node: NODE } } });
  });

  it('the recorded error is the outcome\'s, word for word', () => {
    const { state } = drive(onPath(true, false), none, []);
    expect(state).toEqual({ at: 'done', outcome: { ok: false, fatal: false, phase: 'install', error: installFailed } });
  });

  it('a failure path whose resume fails ends fatal (ResumeFailed)', () => {
    const t = startAttempt(onPath(false), none, NODE);
    const lost: AttemptEvent = { type: 'failed', window: paused, failure: classifyFailure(new OperationTimeoutError('get-node-status', NODE, 120_000, undefined), 'resume', NODE) };
    expect(transition(t.state, lost, none, NODE).state).toMatchObject({ at: 'done', outcome: { ok: false, fatal: true, error: { code: 'ResumeFailed' } } });
  });
});

describe('a standalone server (clusterless-run): no drain, no resume, no storage wait, nothing to undo', () => {
  const standalone: AttemptPolicy = { preUpdateScript: true, postUpdateScript: true, clusterless: true };
  const bare: AttemptPolicy = { preUpdateScript: false, postUpdateScript: false, clusterless: true };

  it.each<[string, ResumeStep, AttemptPolicy, number, string[]]>([
    ['a fresh attempt with both scripts', { step: 'start' }, standalone, 3, ['pre-script', 'install-rounds', 'post-script']],
    ['a fresh attempt, no scripts (the pre-script step still journals)', { step: 'start' }, bare, 2, ['pre-script', 'install-rounds']],
    ['resumed after the pre-script (the journal\'s suspend step)', { step: 'suspend' }, standalone, 2, ['install-rounds', 'post-script']],
    ['resumed while a task ran', { step: 'await-task', round: 1, taskId: 't', pluginIndex: 0 }, bare, 1, ['install-rounds']],
    ['resumed in a round restart: the next round follows', { step: 'await-reboot', round: 2, bootBefore: 'b0', rebootSource: 'round' }, bare, 2, ['finish-restart', 'install-rounds']],
    ['a journal at a resume step: only the post-script is left', { step: 'resume' }, standalone, 1, ['post-script']],
    ['a journal after the resume, no post-script: done', { step: 'after-resume' }, bare, 0, []],
  ])('%s', (_name, from, policy, replies, expected) => {
    const { commands, state } = drive(from, policy, Array.from({ length: replies }, () => ok(outside)));
    expect(commands).toEqual(expected);
    expect(state).toEqual({ at: 'done', outcome: { ok: true } });
  });

  it('a journal that says a drain failed is never acted on: the attempt fails with no command', () => {
    const t = startAttempt({ step: 'drain-failed', reason: 'VM1 could not move' }, bare, NODE);
    expect(t.commands).toEqual([]);
    expect(t.state).toMatchObject({ at: 'done', outcome: { ok: false, fatal: false, phase: 'drain', error: { code: 'DrainFailed', node: NODE } } });
  });

  // step × reply: a failure ends the attempt at once, never fatal; a server that did not come back is final.
  const STANDALONE: Array<[string, Reply, string | null, [string, boolean, boolean] | null]> = [
    ['pre-script', 'success', 'install-rounds', null],
    ['pre-script', 'failure', null, ['PreUpdateScriptFailed', false, false]],
    ['pre-script', 'lost reply', null, ['NodeNotReachable', false, false]],
    ['pre-script', 'refused password', null, ['AccessDenied', false, false]],
    ['install-rounds', 'success', 'post-script', null],
    ['install-rounds', 'failure', null, ['InstallFailed', false, false]],
    ['install-rounds', 'lost reply', null, ['NodeNotReachable', false, false]],
    ['install-rounds', 'timeout', null, ['NodeNotReachable', false, false]],
    ['install-rounds', 'refused password', null, ['AccessDenied', false, false]],
    ['finish-restart', 'success', 'install-rounds', null],
    ['finish-restart', 'failure', null, ['RebootTimeout', false, true]],
    ['finish-restart', 'lost reply', null, ['NodeNotReachable', false, false]],
    ['post-script', 'success', null, null],
    ['post-script', 'failure', null, ['PostUpdateScriptFailed', false, false]],
    ['post-script', 'timeout', null, ['NodeNotReachable', false, false]],
  ];

  it.each(STANDALONE)('%s, %s → %s %j', (step, reply, command, ending) => {
    const { state } = AT[step]!;
    const event: AttemptEvent = reply === 'success' ? ok(outside) : { type: 'failed', failure: classifyFailure(errorOf(step, reply), PHASE_OF[step]!, NODE), window: outside };
    const next = transition(state, event, standalone, NODE);
    expect(next.commands.map((c) => c.type)).toEqual(command === null ? [] : [command]);
    if (ending === null) {
      if (command === null) expect(next.state).toEqual({ at: 'done', outcome: { ok: true } });
      return;
    }
    const outcome = (next.state as Extract<AttemptState, { at: 'done' }>).outcome;
    expect(outcome.ok ? null : [outcome.error.code, outcome.fatal, outcome.final === true]).toEqual(ending);
  });

  it('the same failure on a cluster node is fatal or resumed: the clusterless policy is what changes it', () => {
    const timeout = classifyFailure(new StepFailure('RebootTimeout', 'wait-node', NODE, 'did not come back'), 'wait-node', NODE);
    const restart: AttemptState = { at: 'finish-restart', source: 'round', round: 1 };
    expect(transition(restart, { type: 'failed', failure: timeout, window: paused }, none, NODE).state).toMatchObject({ outcome: { fatal: true } });
    expect(transition(restart, { type: 'failed', failure: timeout, window: outside }, bare, NODE).state).toMatchObject({ outcome: { fatal: false, final: true } });
  });
});
