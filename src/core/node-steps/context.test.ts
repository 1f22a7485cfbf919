// A step failure, and the error a one-node flow throws for it: a gate shut before the drain is a refusal (exit 5).
import { StepFailure, stepFailureAsError } from './context.js';

describe('StepFailure and stepFailureAsError', () => {
  it('carries its code, phase and node, and its record', () => {
    const cause = new Error('the reply');
    const failure = new StepFailure('DrainFailed', 'drain', 'N1', 'N1 could not be drained', { cause });
    expect([failure.name, failure.code, failure.phase, failure.node, failure.message, failure.cause]).toEqual(['StepFailure', 'DrainFailed', 'drain', 'N1', 'N1 could not be drained', cause]);
    expect(failure.record).toEqual({ code: 'DrainFailed', message: 'N1 could not be drained', node: 'N1' });
    expect('cause' in new StepFailure('DrainFailed', 'drain', 'N1', 'm')).toBe(false);
  });

  it.each([
    ['a gate shut before the drain: refused, nothing touched (exit 5)', 'QuorumAtRisk', 'drain', 5, 'Not safe; nothing was touched.'],
    ['storage before the drain', 'StorageNotHealthy', 'drain', 5, 'Not safe; nothing was touched.'],
    ['the same code at the restart: the node was touched (exit 3)', 'QuorumAtRisk', 'reboot', 3, 'Not safe'],
    ['a failed drain is not a gate (exit 3)', 'DrainFailed', 'drain', 3, 'Not safe'],
  ] as const)('%s', (_name, code, phase, exitCode, message) => {
    const failure = new StepFailure(code, phase, 'N1', 'Not safe');
    const error = stepFailureAsError(failure, 'try later');
    expect(error).toMatchObject({ code, exitCode, message, hint: 'try later', cause: failure });
    expect(stepFailureAsError(failure).hint).toBeUndefined();
  });
});
