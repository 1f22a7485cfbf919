import { isAppError } from '../errors.js';
import { intOption, parseIntOption } from './numbers.js';

const retries = { min: 0, max: 64 };

describe('parseIntOption', () => {
  it.each([
    ['zero', '0', 0],
    ['plain', '3', 3],
    ['upper bound', '64', 64],
    ['leading zeros', '007', 7],
    ['explicit plus', '+5', 5],
    ['surrounding spaces', ' 12 ', 12],
    ['minus zero', '-0', 0],
  ])('accepts %s', (_name, text, expected) => {
    expect(Object.is(parseIntOption('--max-retries-per-node', text, retries), expected)).toBe(true);
  });

  it.each([
    ['negative', '-1'],
    ['fraction', '1.5'],
    ['trailing dot zero', '1.0'],
    ['word', 'abc'],
    ['exponent', '1e3'],
    ['hex', '0x10'],
    ['empty', ''],
    ['above range', '65'],
    ['digits then word', '3 retries'],
    ['huge', '99999999999999999999'],
  ])('rejects %s', (_name, text) => {
    let caught: unknown;
    try {
      parseIntOption('--max-retries-per-node', text, retries);
    } catch (error) {
      caught = error;
    }
    expect(isAppError(caught)).toBe(true);
    if (!isAppError(caught)) return;
    expect(caught.code).toBe('PROFILE_INTEGER');
    expect(caught.exitCode).toBe(2);
    expect(caught.message).toMatch(/^--max-retries-per-node must be an integer from 0 to 64 \(got /);
  });

  it('quotes the input exactly in the message', () => {
    expect(() => parseIntOption('--max-retries-per-node', '-1', retries)).toThrow(
      '--max-retries-per-node must be an integer from 0 to 64 (got -1)',
    );
    expect(() => parseIntOption('--reboot-timeout-minutes', '', { min: 1 })).toThrow(
      '--reboot-timeout-minutes must be an integer of at least 1 (got "")',
    );
  });

  it('has no upper bound when max is left out, other than safe integers', () => {
    expect(parseIntOption('--x', '9007199254740991', { min: 0 })).toBe(9007199254740991);
    expect(() => parseIntOption('--x', '9007199254740992', { min: 0 })).toThrow('--x must be an integer of at least 0');
  });

  it('honours a negative minimum', () => {
    expect(parseIntOption('--offset', '-3', { min: -5, max: 5 })).toBe(-3);
    expect(() => parseIntOption('--offset', '-6', { min: -5, max: 5 })).toThrow('from -5 to 5 (got -6)');
  });

  it('works as a commander argument parser', () => {
    const parse = intOption('--max-failed-nodes', { min: 0, max: 3 });
    expect(parse('2')).toBe(2);
    expect(() => parse('4')).toThrow('--max-failed-nodes must be an integer from 0 to 3 (got 4)');
  });
});
