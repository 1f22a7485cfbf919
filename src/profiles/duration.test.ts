import fc from 'fast-check';
import { isAppError } from '../errors.js';
import { formatDuration, MAX_DURATION_MS, parseDuration } from './duration.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('parseDuration', () => {
  it.each([
    ['TimeSpan hh:mm:ss', '01:30:00', H + 30 * M],
    ['TimeSpan with days', '1.02:00:00', D + 2 * H],
    ['TimeSpan "g" days', '1:02:00:00', D + 2 * H],
    ['TimeSpan hh:mm', '02:15', 2 * H + 15 * M],
    ['TimeSpan single digits', '1:5:7', H + 5 * M + 7 * S],
    ['TimeSpan fraction', '00:00:01.5', 1500],
    ['TimeSpan 7-digit fraction as PowerShell prints it', '00:00:01.5000000', 1500],
    ['TimeSpan sub-millisecond digits dropped', '00:00:00.0019999', 1],
    ['minutes', '90m', 90 * M],
    ['hours', '2h', 2 * H],
    ['seconds', '45s', 45 * S],
    ['hours and minutes', '1h30m', H + 30 * M],
    ['spaced units', '1d 2h 3m 4s', D + 2 * H + 3 * M + 4 * S],
    ['long unit words', '2 hours 5 minutes', 2 * H + 5 * M],
    ['milliseconds', '1s500ms', 1500],
    ['upper-case units', '1H30M', H + 30 * M],
    ['ISO', 'PT1H30M', H + 30 * M],
    ['ISO days and time', 'P1DT2H', D + 2 * H],
    ['ISO weeks', 'P2W', 14 * D],
    ['ISO fraction', 'PT0.25S', 250],
    ['ISO lower case', 'pt45m', 45 * M],
    ['plain number is minutes', '90', 90 * M],
    ['zero', '0', 0],
    ['surrounding spaces', '  01:00:00 ', H],
  ])('%s: %s', (_name, text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });

  it.each([
    ['empty', '', undefined],
    ['word', 'abc', undefined],
    ['negative', '-01:00:00', undefined],
    ['negative minutes', '-5', undefined],
    ['fractional minutes', '1.5', undefined],
    ['hours past 23', '25:00:00', 'write 1.01:00:00 for days'],
    ['minutes past 59', '01:60:00', 'minutes must be 0-59'],
    ['seconds past 59', '00:00:60', 'seconds must be 0-59'],
    ['units out of order', '30m1h', 'largest to smallest'],
    ['unit twice', '1h1h', 'largest to smallest'],
    ['unknown unit', '1h30x', 'unknown unit "x"'],
    ['ISO months', 'P1M', 'no fixed length'],
    ['ISO years', 'P1Y', 'no fixed length'],
    ['bare P', 'P', 'at least one component'],
    ['ISO T without time', 'P1DT', undefined],
    ['beyond TimeSpan.MaxValue', '99999999999d', 'TimeSpan.MaxValue'],
    ['unit without number', 'h', undefined],
  ])('rejects %s', (_name, text, reason) => {
    let caught: unknown;
    try {
      parseDuration(text, '--stop-after');
    } catch (error) {
      caught = error;
    }
    expect(isAppError(caught)).toBe(true);
    if (!isAppError(caught)) return;
    expect(caught.code).toBe('PROFILE_DURATION');
    expect(caught.exitCode).toBe(2);
    expect(caught.message.startsWith(`--stop-after: ${JSON.stringify(text)} is not a duration`)).toBe(true);
    expect(caught.message).toContain('01:30:00');
    expect(caught.message).toContain('PT1H30M');
    expect(caught.message).toContain('number of minutes');
    if (reason !== undefined) expect(caught.message).toContain(reason);
  });

  it('omits the label when none is given', () => {
    expect(() => parseDuration('soon')).toThrow(/^"soon" is not a duration; use hh:mm:ss/);
  });

  it('accepts TimeSpan.MaxValue itself', () => {
    expect(parseDuration('10675199.02:48:05.477')).toBe(MAX_DURATION_MS);
    expect(() => parseDuration('10675199.02:48:05.478')).toThrow('TimeSpan.MaxValue');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '00:00:00'],
    [H + 30 * M, '01:30:00'],
    [D + 2 * H, '1.02:00:00'],
    [1500, '00:00:01.500'],
    [7, '00:00:00.007'],
    [-90 * M, '-01:30:00'],
    [1.4, '00:00:00.001'],
    [MAX_DURATION_MS, '10675199.02:48:05.477'],
  ])('%d ms -> %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });

  it('refuses what is not a number of milliseconds', () => {
    expect(() => formatDuration(Number.NaN)).toThrow('cannot format a duration of NaN ms');
  });

  it('round-trips every duration through parseDuration', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_DURATION_MS }), (ms) => parseDuration(formatDuration(ms)) === ms),
      { numRuns: 2000 },
    );
  });

  it('round-trips whole seconds, which is what CAU options use', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 * 24 * 3600 }), (seconds) => parseDuration(formatDuration(seconds * S)) === seconds * S),
    );
  });

  it('unit strings and ISO durations agree with the TimeSpan text', () => {
    fc.assert(
      fc.property(fc.nat(999), fc.nat(23), fc.nat(59), fc.nat(59), (d, h, m, s) => {
        const ms = parseDuration(`${d}d${h}h${m}m${s}s`);
        return ms === parseDuration(`P${d}DT${h}H${m}M${s}S`) && formatDuration(ms) === (d > 0 ? `${d}.` : '') + [h, m, s].map((n) => String(n).padStart(2, '0')).join(':');
      }),
    );
  });
});
