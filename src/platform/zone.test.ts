import { AppError } from '../errors.js';
import { WINDOWS_TO_IANA_MAP } from 'windows-iana';
import { assertTimeZone, formatOffset, ianaOfWindowsZone, ianaZoneName, isoInTimeZone, TimeZone } from './zone.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? `${error.code}/${error.exitCode}` : `not an AppError: ${String(error)}`;
  }
  return undefined;
}

describe('TimeZone', () => {
  it.each([
    ['UTC', '2024-10-08T14:03:22.500Z', '2024-10-08T14:03:22+00:00'],
    ['Europe/Paris', '2024-07-08T14:03:22Z', '2024-07-08T16:03:22+02:00'],
    ['Europe/Paris', '2024-01-08T14:03:22Z', '2024-01-08T15:03:22+01:00'],
    ['Asia/Kolkata', '2024-10-08T23:45:00Z', '2024-10-09T05:15:00+05:30'],
    ['America/New_York', '2024-03-10T06:59:59Z', '2024-03-10T01:59:59-05:00'],
    ['America/New_York', '2024-03-10T07:00:00Z', '2024-03-10T03:00:00-04:00'],
    ['Pacific/Chatham', '2024-01-01T00:00:00Z', '2024-01-01T13:45:00+13:45'],
  ])('%s: %s', (zone, iso, expected) => {
    expect(isoInTimeZone(iso, zone)).toBe(expected);
  });

  it('leaves text that is not a time alone', () => {
    expect(isoInTimeZone('not a time', 'UTC')).toBe('not a time');
  });

  it.each([
    ['a time the clock skips moves forward by the gap', 'America/New_York', '2024-03-10T02:30:00Z', '2024-03-10T07:30:00.000Z'],
    ['a time that happens twice is the earlier one', 'America/New_York', '2024-11-03T01:30:00Z', '2024-11-03T05:30:00.000Z'],
    ['an ordinary time', 'Europe/Paris', '2024-07-08T16:03:00Z', '2024-07-08T14:03:00.000Z'],
  ])('resolve: %s', (_name, zone, wall, utc) => {
    expect(new Date(TimeZone.of(zone).resolve(Date.parse(wall))).toISOString()).toBe(utc);
  });

  it('gives the wall-clock parts and the offset', () => {
    expect(TimeZone.of('Asia/Kolkata').partsAt(Date.parse('2024-10-08T23:45:00.900Z'))).toEqual({ year: 2024, month: 10, day: 9, hour: 5, minute: 15, second: 0, offsetMinutes: 330 });
  });

  it.each([
    [0, '+00:00'],
    [330, '+05:30'],
    [-240, '-04:00'],
  ])('formatOffset(%d) = %s', (minutes, text) => {
    expect(formatOffset(minutes)).toBe(text);
  });

  it('refuses an unknown zone as a usage error naming the option', () => {
    expect(assertTimeZone('Europe/Paris')).toBe('Europe/Paris');
    expect(codeOf(() => assertTimeZone('Mars/Olympus_Mons'))).toBe('USAGE_TIME_ZONE/2');
    expect(() => TimeZone.of('Mars/Olympus_Mons', '--zone')).toThrow('--zone "Mars/Olympus_Mons" is not a known time zone: neither an IANA name nor a Windows zone name.');
    expect(TimeZone.find('Mars/Olympus_Mons')).toBeUndefined();
  });

  it.each([
    ['W. Europe Standard Time', 'Europe/Berlin'],
    ['w. europe standard time', 'Europe/Berlin'],
    ['Romance Standard Time', 'Europe/Paris'],
    ['Pacific Standard Time', 'America/Los_Angeles'],
    ['India Standard Time', 'Asia/Calcutta'],
    ['Tokyo Standard Time', 'Asia/Tokyo'],
    ['Europe/Paris', 'Europe/Paris'],
    ['UTC', 'UTC'],
  ])('a time-zone option takes %s as %s', (given, iana) => {
    expect(assertTimeZone(given)).toBe(iana);
    expect(TimeZone.of(given).name).toBe(iana);
  });

  it('a Windows name gives the same times as its IANA zone', () => {
    expect(isoInTimeZone('2024-07-08T14:03:22Z', 'Romance Standard Time')).toBe('2024-07-08T16:03:22+02:00');
    expect(isoInTimeZone('2024-01-08T14:03:22Z', 'AUS Eastern Standard Time')).toBe('2024-01-09T01:03:22+11:00');
  });

  it("every Windows zone of CLDR's table (territory 001) maps to a zone Intl knows", () => {
    const windowsNames = WINDOWS_TO_IANA_MAP.filter((entry) => entry.territory === '001').map((entry) => entry.windowsName);
    expect(windowsNames.length).toBeGreaterThan(130);
    const unusable = windowsNames.filter((name) => ianaZoneName(name) === undefined || TimeZone.find(name) === undefined);
    expect(unusable).toEqual([]);
  });

  it('an unknown Windows zone name is a usage error naming the option', () => {
    expect(ianaOfWindowsZone('Mars Standard Time')).toBeUndefined();
    expect(codeOf(() => assertTimeZone('Mars Standard Time', '--time-zone'))).toBe('USAGE_TIME_ZONE/2');
    expect(() => assertTimeZone('Mars Standard Time', '--time-zone')).toThrow('--time-zone "Mars Standard Time" is not a known time zone');
  });
});
