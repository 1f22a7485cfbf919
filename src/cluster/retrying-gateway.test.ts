import { AppError, ExitCode } from '../errors.js';
import type { CallOptions, Gateway } from './gateway.js';
import type { OperationName, OperationParams, OperationResult } from './operations.js';
import { DEFAULT_RETRY_POLICY, RetryingGateway, describeRetry, isIdempotent, networkCauseCode, retryDelayMs } from './retrying-gateway.js';

class Clock {
  t = 0;
  readonly sleeps: number[] = [];
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += ms;
  }
}

const lost = () => new AppError('TRANSPORT_UNREACHABLE', ExitCode.connection, 'connection dropped', { transient: true });
const refused = () => new AppError('TRANSPORT_AUTH_REFUSED', ExitCode.connection, 'access denied');
/** As the WinRM transport reports a socket error: transient, the Node error as its cause. */
const socket = (code: string) => () =>
  new AppError('TRANSPORT_UNREACHABLE', ExitCode.connection, `Cannot reach WinRM on N1 (${code})`, { transient: true, cause: Object.assign(new Error(code), { code }) });

/** Fails the first `failures` calls with `error()`, then answers. */
function flaky(failures: number, error: () => Error): Gateway & { calls: number } {
  const g = {
    calls: 0,
    async call<N extends OperationName>(_node: string, _name: N, _params: OperationParams<N>, _options?: CallOptions): Promise<OperationResult<N>> {
      g.calls += 1;
      if (g.calls <= failures) throw error();
      return { state: 'Up' } as OperationResult<N>;
    },
  };
  return g;
}

describe('retryDelayMs: backoff is a pure function of the attempt', () => {
  it.each([
    [1, 2000],
    [2, 4000],
    [3, 8000],
    [4, 15000],
    [10, 15000],
  ])('attempt %i waits %i ms', (attempt, ms) => {
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, attempt)).toBe(ms);
  });
});

describe('RetryingGateway', () => {
  it('repeats an idempotent call after a transient failure', async () => {
    const clock = new Clock();
    const inner = flaky(2, lost);
    await expect(new RetryingGateway(inner, clock).call('N1', 'resume-node', { name: 'N1', failback: 'Immediate' })).resolves.toEqual({ state: 'Up' });
    expect(inner.calls).toBe(3);
    expect(clock.sleeps).toEqual([2000, 4000]);
  });

  it.each(['suspend-node', 'restart-node', 'set-cluster-property', 'stop-cluster'] as const)('never repeats %s (not idempotent): its caller reads the state', async (name) => {
    expect(isIdempotent(name)).toBe(false);
    const inner = flaky(1, lost);
    await expect(new RetryingGateway(inner, new Clock()).call('N1', name, {} as never)).rejects.toMatchObject({ code: 'TRANSPORT_UNREACHABLE' });
    expect(inner.calls).toBe(1);
  });

  it('never retries a refused password: it is not "unreachable"', async () => {
    const inner = flaky(1, refused);
    await expect(new RetryingGateway(inner, new Clock()).call('N1', 'get-node-status', {})).rejects.toMatchObject({ code: 'TRANSPORT_AUTH_REFUSED', exitCode: 4 });
    expect(inner.calls).toBe(1);
  });

  it('gives up at its deadline, and says so once when it starts retrying', async () => {
    const clock = new Clock();
    const notices: string[] = [];
    const inner = flaky(1_000_000, lost);
    const gateway = new RetryingGateway(inner, clock, { deadlineMs: 60_000 }, (n) => notices.push(`${n.operation} on ${n.node}`));
    await expect(gateway.call('N1', 'get-node-status', {})).rejects.toMatchObject({ transient: true });
    expect(clock.t).toBeGreaterThanOrEqual(60_000);
    expect(clock.t).toBeLessThan(60_000 + DEFAULT_RETRY_POLICY.maxDelayMs);
    expect(notices).toEqual(['get-node-status on N1']);
  });

  it('a caller deadline shorter than the policy wins; retry: false is one try', async () => {
    const clock = new Clock();
    const inner = flaky(1_000_000, lost);
    const gateway = new RetryingGateway(inner, clock);
    await expect(gateway.call('N1', 'get-node-status', {}, { retry: { untilMs: 10_000 } })).rejects.toMatchObject({ transient: true });
    expect(clock.t).toBe(10_000);
    const once = flaky(1, lost);
    await expect(new RetryingGateway(once, clock).call('N1', 'get-node-status', {}, { retry: false })).rejects.toMatchObject({ transient: true });
    expect(once.calls).toBe(1);
  });

  it('stops after maxAttempts', async () => {
    const inner = flaky(1_000_000, lost);
    await expect(new RetryingGateway(inner, new Clock(), { maxAttempts: 4 }).call('N1', 'get-cluster', {})).rejects.toMatchObject({ transient: true });
    expect(inner.calls).toBe(4);
  });

  it('keeps the caller alive between tries (the lock lease), and a failure there ends the call', async () => {
    const clock = new Clock();
    let beats = 0;
    const inner = flaky(2, lost);
    await new RetryingGateway(inner, clock, {}, undefined, async () => void (beats += 1)).call('N1', 'get-node-status', {});
    expect(beats).toBe(2);
    const stuck = flaky(1_000_000, lost);
    const lockLost = new Error('the lock was taken over');
    await expect(new RetryingGateway(stuck, clock, {}, undefined, async () => Promise.reject(lockLost)).call('N1', 'get-node-status', {})).rejects.toBe(lockLost);
    expect(stuck.calls).toBe(1);
  });
});

describe('RetryingGateway: per-cause deadlines and where the deadline counts from (the one-shot policy)', () => {
  const oneShot = { deadlineMs: 60_000, causeDeadlinesMs: { ECONNREFUSED: 10_000, ENOTFOUND: 0 }, deadlineFrom: 'firstFailure' as const };

  it('reads the network cause down the error chain', () => {
    expect(networkCauseCode(socket('ECONNREFUSED')())).toBe('ECONNREFUSED');
    expect(networkCauseCode(new AppError('X', ExitCode.connection, 'wrapped', { cause: socket('ENOTFOUND')() }))).toBe('ENOTFOUND');
    expect(networkCauseCode(lost())).toBeUndefined();
  });

  it('a name that does not resolve is not retried when its deadline is 0', async () => {
    const inner = flaky(1_000_000, socket('ENOTFOUND'));
    await expect(new RetryingGateway(inner, new Clock(), oneShot).call('N1', 'get-cluster', {})).rejects.toMatchObject({ transient: true });
    expect(inner.calls).toBe(1);
  });

  it('a refused connection is retried for its own shorter deadline, and the notice says that one', async () => {
    const clock = new Clock();
    const notices: string[] = [];
    const inner = flaky(1_000_000, socket('ECONNREFUSED'));
    await expect(new RetryingGateway(inner, clock, oneShot, (n) => notices.push(describeRetry(n))).call('N1', 'get-cluster', {})).rejects.toMatchObject({ transient: true });
    expect(clock.sleeps).toEqual([2000, 4000, 4000]);
    expect(clock.t).toBe(10_000);
    expect(notices).toEqual(['get-cluster on N1: Cannot reach WinRM on N1 (ECONNREFUSED); retrying (not a failure until 10 s pass)']);
  });

  it('another cause keeps the policy deadline: 1 min, said as such', async () => {
    const clock = new Clock();
    const notices: string[] = [];
    await expect(new RetryingGateway(flaky(1_000_000, lost), clock, oneShot, (n) => notices.push(describeRetry(n))).call('N1', 'get-cluster', {})).rejects.toMatchObject({ transient: true });
    expect(clock.t).toBe(60_000);
    expect(notices[0]).toMatch(/not a failure until 1 min pass\)$/);
  });

  it("with deadlineFrom 'firstFailure' a long first try does not use up the wait; by default it does (the run's policy)", async () => {
    /** Its first try takes 5 min before the reply is lost; then it answers after two more failures. */
    const slowThenLost = (clock: Clock): Gateway & { calls: number } => {
      const g = {
        calls: 0,
        async call<N extends OperationName>(): Promise<OperationResult<N>> {
          g.calls += 1;
          if (g.calls === 1) clock.t += 5 * 60_000;
          if (g.calls <= 3) throw lost();
          return { state: 'Up' } as OperationResult<N>;
        },
      };
      return g;
    };
    const clock = new Clock();
    await expect(new RetryingGateway(slowThenLost(clock), clock, oneShot).call('N1', 'scan-updates', {} as never)).resolves.toEqual({ state: 'Up' });
    const fromFirstTry = new Clock();
    const inner = slowThenLost(fromFirstTry);
    await expect(new RetryingGateway(inner, fromFirstTry, { deadlineMs: 60_000 }).call('N1', 'scan-updates', {} as never)).rejects.toMatchObject({ transient: true });
    expect(inner.calls).toBe(1);
  });

  it("the run's default policy is unchanged: 15 min from the first try, whatever the cause", async () => {
    expect(DEFAULT_RETRY_POLICY).toMatchObject({ deadlineMs: 15 * 60_000, causeDeadlinesMs: {}, deadlineFrom: 'firstTry' });
    const clock = new Clock();
    await expect(new RetryingGateway(flaky(1_000_000, socket('ENOTFOUND')), clock).call('N1', 'get-cluster', {})).rejects.toMatchObject({ transient: true });
    expect(clock.t).toBe(15 * 60_000);
  });
});
