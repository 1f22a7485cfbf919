import fc from 'fast-check';
import { isAppError } from '../errors.js';
import { formatDaysOfWeek, nextRuns, parseDaysOfWeek, validateSchedule, WEEKDAY_FLAGS, type CauSchedule } from './schedule.js';

const { Sunday, Monday, Tuesday, Thursday, Friday } = WEEKDAY_FLAGS;
const at = (iso: string): number => Date.parse(iso);
const utcOf = (runs: Array<{ utc: string }>): string[] => runs.map((r) => r.utc);
const localOf = (runs: Array<{ local: string }>): string[] => runs.map((r) => r.local);

function monthly(startDate: string, daysOfWeek: number, weeksOfMonth: number[]): CauSchedule {
  return { kind: 'MonthlyDayOfWeek', startDate, daysOfWeek, weeksOfMonth };
}

describe('nextRuns: MonthlyDayOfWeek', () => {
  it.each([
    ['Patch Tuesday (2nd Tuesday)', Tuesday, [2], ['2024-01-09', '2024-02-13', '2024-03-12', '2024-04-09', '2024-05-14']],
    ['3rd Tuesday (CAU role default)', Tuesday, [3], ['2024-01-16', '2024-02-20', '2024-03-19', '2024-04-16', '2024-05-21']],
    ['last Friday: 4 and 5 occurrences', Friday, [5], ['2024-01-26', '2024-02-23', '2024-03-29', '2024-04-26', '2024-05-31']],
    ['weeks 4 and 5 in a 4-occurrence month fire once', Friday, [4, 5], ['2024-01-26', '2024-02-23', '2024-03-22', '2024-03-29', '2024-04-26']],
    ['1st Tuesday and Thursday', Tuesday | Thursday, [1], ['2024-01-02', '2024-01-04', '2024-02-01', '2024-02-06', '2024-03-05']],
    ['1st Sunday', Sunday, [1], ['2024-01-07', '2024-02-04', '2024-03-03', '2024-04-07', '2024-05-05']],
    ['5th Monday only where it is also the last', Monday, [5], ['2024-01-29', '2024-02-26', '2024-03-25', '2024-04-29', '2024-05-27']],
  ])('%s', (_name, days, weeks, dates) => {
    const runs = nextRuns(monthly('2024-01-01T03:00', days, weeks), 'UTC', at('2024-01-01T00:00:00Z'), 5);
    expect(utcOf(runs)).toEqual(dates.map((d) => `${d}T03:00:00.000Z`));
    expect(localOf(runs)).toEqual(dates.map((d) => `${d}T03:00+00:00`));
  });

  it('starts no earlier than startDate, even when asked from before it', () => {
    const runs = nextRuns(monthly('2024-02-13T03:00', Tuesday, [2]), 'UTC', at('2023-01-01T00:00:00Z'), 2);
    expect(utcOf(runs)).toEqual(['2024-02-13T03:00:00.000Z', '2024-03-12T03:00:00.000Z']);
  });

  it('skips the start day when its time has passed, and runs strictly after afterUtcMs', () => {
    const schedule = monthly('2024-01-01T03:00', Tuesday, [2]);
    expect(utcOf(nextRuns(schedule, 'UTC', at('2024-01-09T03:00:00Z'), 1))).toEqual(['2024-02-13T03:00:00.000Z']);
    expect(utcOf(nextRuns(schedule, 'UTC', at('2024-01-09T02:59:59Z'), 1))).toEqual(['2024-01-09T03:00:00.000Z']);
  });

  it('uses the time zone for the time of day', () => {
    const runs = nextRuns(monthly('2024-01-01T03:00', Tuesday, [2]), 'America/New_York', at('2024-01-01T00:00:00Z'), 1);
    expect(runs).toEqual([{ utc: '2024-01-09T08:00:00.000Z', local: '2024-01-09T03:00-05:00' }]);
  });

  it('uses the local date, not the UTC date, to pick the weekday', () => {
    // 23:30 on Tuesday in New York is already Wednesday in UTC.
    const runs = nextRuns(monthly('2024-01-01T23:30', Tuesday, [2]), 'America/New_York', at('2024-01-01T00:00:00Z'), 1);
    expect(runs).toEqual([{ utc: '2024-01-10T04:30:00.000Z', local: '2024-01-09T23:30-05:00' }]);
  });
});

describe('nextRuns: Weekly', () => {
  it('every other week, aligned on the week of startDate', () => {
    // 2024-01-03 is a Wednesday; its week runs Sunday 2023-12-31 to Saturday 2024-01-06.
    const schedule: CauSchedule = { kind: 'Weekly', startDate: '2024-01-03T22:00', daysOfWeek: Monday | Friday, intervalWeeks: 2 };
    expect(utcOf(nextRuns(schedule, 'UTC', at('2023-12-01T00:00:00Z'), 5))).toEqual([
      '2024-01-05T22:00:00.000Z',
      '2024-01-15T22:00:00.000Z',
      '2024-01-19T22:00:00.000Z',
      '2024-01-29T22:00:00.000Z',
      '2024-02-02T22:00:00.000Z',
    ]);
    // Asked from inside an off week, the alignment holds.
    expect(utcOf(nextRuns(schedule, 'UTC', at('2024-01-08T00:00:00Z'), 1))).toEqual(['2024-01-15T22:00:00.000Z']);
  });

  it('every week', () => {
    const schedule: CauSchedule = { kind: 'Weekly', startDate: '2024-01-01T03:00', daysOfWeek: Sunday, intervalWeeks: 1 };
    expect(utcOf(nextRuns(schedule, 'UTC', at('2024-01-01T00:00:00Z'), 3))).toEqual([
      '2024-01-07T03:00:00.000Z',
      '2024-01-14T03:00:00.000Z',
      '2024-01-21T03:00:00.000Z',
    ]);
  });

  it('a very long interval costs nothing', () => {
    const schedule: CauSchedule = { kind: 'Weekly', startDate: '2024-01-01T03:00', daysOfWeek: Monday, intervalWeeks: 52 * 1000 };
    const week52000 = new Date(Date.UTC(2024, 0, 1 + 52 * 1000 * 7, 3)).toISOString();
    const week104000 = new Date(Date.UTC(2024, 0, 1 + 2 * 52 * 1000 * 7, 3)).toISOString();
    expect(utcOf(nextRuns(schedule, 'UTC', at('2024-01-02T00:00:00Z'), 2))).toEqual([week52000, week104000]);
    expect(utcOf(nextRuns(schedule, 'UTC', at('2023-01-01T00:00:00Z'), 2))).toEqual(['2024-01-01T03:00:00.000Z', week52000]);
  });
});

describe('nextRuns: Once', () => {
  const once: CauSchedule = { kind: 'Once', startDate: '2024-06-01T03:00' };

  it('runs once when ahead', () => {
    expect(nextRuns(once, 'Europe/Berlin', at('2024-05-01T00:00:00Z'), 5)).toEqual([{ utc: '2024-06-01T01:00:00.000Z', local: '2024-06-01T03:00+02:00' }]);
  });

  it.each([
    ['in the past', '2024-07-01T00:00:00Z'],
    ['exactly now', '2024-06-01T01:00:00Z'],
  ])('does not run when %s', (_name, after) => {
    expect(nextRuns(once, 'Europe/Berlin', at(after), 5)).toEqual([]);
  });
});

describe('nextRuns: daylight saving time', () => {
  it('Europe/Berlin: 02:30 on the spring-forward day moves to 03:30; on the fall-back day it runs once, first', () => {
    const lastSunday = monthly('2024-01-01T02:30', Sunday, [5]);
    expect(nextRuns(lastSunday, 'Europe/Berlin', at('2024-01-01T00:00:00Z'), 11)).toEqual([
      { utc: '2024-01-28T01:30:00.000Z', local: '2024-01-28T02:30+01:00' },
      { utc: '2024-02-25T01:30:00.000Z', local: '2024-02-25T02:30+01:00' },
      { utc: '2024-03-31T01:30:00.000Z', local: '2024-03-31T03:30+02:00' },
      { utc: '2024-04-28T00:30:00.000Z', local: '2024-04-28T02:30+02:00' },
      { utc: '2024-05-26T00:30:00.000Z', local: '2024-05-26T02:30+02:00' },
      { utc: '2024-06-30T00:30:00.000Z', local: '2024-06-30T02:30+02:00' },
      { utc: '2024-07-28T00:30:00.000Z', local: '2024-07-28T02:30+02:00' },
      { utc: '2024-08-25T00:30:00.000Z', local: '2024-08-25T02:30+02:00' },
      { utc: '2024-09-29T00:30:00.000Z', local: '2024-09-29T02:30+02:00' },
      { utc: '2024-10-27T00:30:00.000Z', local: '2024-10-27T02:30+02:00' },
      { utc: '2024-11-24T01:30:00.000Z', local: '2024-11-24T02:30+01:00' },
    ]);
  });

  it('Europe/Berlin: a daily schedule runs exactly once on the fall-back day', () => {
    const daily: CauSchedule = { kind: 'Weekly', startDate: '2024-10-01T02:30', daysOfWeek: 0x7f, intervalWeeks: 1 };
    expect(nextRuns(daily, 'Europe/Berlin', at('2024-10-25T12:00:00Z'), 3)).toEqual([
      { utc: '2024-10-26T00:30:00.000Z', local: '2024-10-26T02:30+02:00' },
      { utc: '2024-10-27T00:30:00.000Z', local: '2024-10-27T02:30+02:00' },
      { utc: '2024-10-28T01:30:00.000Z', local: '2024-10-28T02:30+01:00' },
    ]);
  });

  it('Europe/Berlin: asked between the two 02:30s of the fall-back night, the next run is the next day', () => {
    const daily: CauSchedule = { kind: 'Weekly', startDate: '2024-10-01T02:30', daysOfWeek: 0x7f, intervalWeeks: 1 };
    expect(utcOf(nextRuns(daily, 'Europe/Berlin', at('2024-10-27T01:00:00Z'), 1))).toEqual(['2024-10-28T01:30:00.000Z']);
  });

  it('America/New_York: spring forward at 02:00 and fall back at 02:00', () => {
    const sunday0230: CauSchedule = { kind: 'Weekly', startDate: '2024-03-01T02:30', daysOfWeek: Sunday, intervalWeeks: 1 };
    expect(nextRuns(sunday0230, 'America/New_York', at('2024-03-01T00:00:00Z'), 3)).toEqual([
      { utc: '2024-03-03T07:30:00.000Z', local: '2024-03-03T02:30-05:00' },
      { utc: '2024-03-10T07:30:00.000Z', local: '2024-03-10T03:30-04:00' },
      { utc: '2024-03-17T06:30:00.000Z', local: '2024-03-17T02:30-04:00' },
    ]);
    const sunday0130: CauSchedule = { kind: 'Weekly', startDate: '2024-10-20T01:30', daysOfWeek: Sunday, intervalWeeks: 1 };
    expect(nextRuns(sunday0130, 'America/New_York', at('2024-10-28T00:00:00Z'), 2)).toEqual([
      { utc: '2024-11-03T05:30:00.000Z', local: '2024-11-03T01:30-04:00' },
      { utc: '2024-11-10T06:30:00.000Z', local: '2024-11-10T01:30-05:00' },
    ]);
  });

  it('a Once run inside the spring-forward gap moves forward too', () => {
    expect(nextRuns({ kind: 'Once', startDate: '2024-03-10T02:15' }, 'America/New_York', at('2024-01-01T00:00:00Z'), 1)).toEqual([
      { utc: '2024-03-10T07:15:00.000Z', local: '2024-03-10T03:15-04:00' },
    ]);
  });

  it('a zone that skipped a whole day does not run twice the next day', () => {
    // Samoa moved across the date line: 2011-12-30 never happened in Pacific/Apia.
    const daily: CauSchedule = { kind: 'Weekly', startDate: '2011-12-01T03:00', daysOfWeek: 0x7f, intervalWeeks: 1 };
    expect(localOf(nextRuns(daily, 'Pacific/Apia', at('2011-12-28T00:00:00Z'), 3))).toEqual([
      '2011-12-28T03:00-10:00',
      '2011-12-29T03:00-10:00',
      '2011-12-31T03:00+14:00',
    ]);
  });
});

describe('nextRuns: arguments', () => {
  it('gives nothing for a count of zero', () => {
    expect(nextRuns(monthly('2024-01-01T03:00', Tuesday, [2]), 'UTC', 0, 0)).toEqual([]);
  });

  it('refuses an unknown time zone', () => {
    expect(() => nextRuns(monthly('2024-01-01T03:00', Tuesday, [2]), 'Mars/Olympus', 0, 1)).toThrow(/unknown time zone "Mars\/Olympus"; use an IANA name/);
  });

  it('refuses an invalid schedule with every problem', () => {
    let caught: unknown;
    try {
      nextRuns(monthly('2024-02-30T03:00', 0, []), 'UTC', 0, 1);
    } catch (error) {
      caught = error;
    }
    expect(isAppError(caught) && caught.code).toBe('SCHEDULE_INVALID');
    expect(isAppError(caught) && caught.exitCode).toBe(2);
    expect(isAppError(caught) && caught.message.split('\n')).toHaveLength(4);
  });
});

describe('nextRuns: properties', () => {
  const zones = fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata');
  const startDate = fc
    .record({ day: fc.integer({ min: 0, max: 3 * 365 }), hour: fc.integer({ min: 0, max: 23 }), minute: fc.integer({ min: 0, max: 59 }) })
    .map(({ day, hour, minute }) => `${new Date(Date.UTC(2023, 0, 1 + day)).toISOString().slice(0, 10)}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`);
  const schedule: fc.Arbitrary<CauSchedule> = fc.oneof(
    fc.record({
      kind: fc.constant('MonthlyDayOfWeek' as const),
      startDate,
      daysOfWeek: fc.integer({ min: 1, max: 0x7f }),
      weeksOfMonth: fc.uniqueArray(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 5 }),
    }),
    fc.record({ kind: fc.constant('Weekly' as const), startDate, daysOfWeek: fc.integer({ min: 1, max: 0x7f }), intervalWeeks: fc.integer({ min: 1, max: 8 }) }),
  );
  const after = fc.integer({ min: Date.UTC(2022, 6, 1), max: Date.UTC(2026, 0, 1) });

  it('runs are strictly increasing, after the asked time, no earlier than startDate, on allowed weekdays', () => {
    fc.assert(
      fc.property(schedule, zones, after, (s, zone, afterMs) => {
        const runs = nextRuns(s, zone, afterMs, 6);
        expect(runs).toHaveLength(6);
        let previous = afterMs;
        for (const run of runs) {
          const utc = Date.parse(run.utc);
          expect(utc).toBeGreaterThan(previous);
          previous = utc;
          // startDate is the zone's wall time: compared as text ('YYYY-MM-DDTHH:MM'), not through nextRuns.
          expect(run.local.slice(0, 16) >= s.startDate ? 'not before startDate' : `${run.local} before ${s.startDate}`).toBe('not before startDate');
          const localDay = new Date(`${run.local.slice(0, 10)}T00:00:00Z`).getUTCDay();
          if (s.kind !== 'Once') expect(s.daysOfWeek & (1 << localDay)).not.toBe(0);
          // The local text and the UTC instant agree.
          expect(Date.parse(`${run.local.slice(0, 16)}:00${run.local.slice(16)}`)).toBe(utc);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('asking again from a run gives the following runs: nothing is skipped or repeated', () => {
    fc.assert(
      fc.property(schedule, zones, after, (s, zone, afterMs) => {
        const runs = nextRuns(s, zone, afterMs, 4);
        const again = nextRuns(s, zone, Date.parse(runs[0]!.utc), 3);
        expect(again).toEqual(runs.slice(1));
      }),
      { numRuns: 300 },
    );
  });

  it('weekly runs fall in weeks that are a multiple of intervalWeeks from the start week', () => {
    fc.assert(
      fc.property(startDate, fc.integer({ min: 1, max: 0x7f }), fc.integer({ min: 1, max: 6 }), after, (start, days, interval, afterMs) => {
        const runs = nextRuns({ kind: 'Weekly', startDate: start, daysOfWeek: days, intervalWeeks: interval }, 'UTC', afterMs, 5);
        const startDay = Date.parse(`${start.slice(0, 10)}T00:00:00Z`) / 86_400_000;
        const startSunday = startDay - new Date(startDay * 86_400_000).getUTCDay();
        for (const run of runs) {
          const day = Date.parse(`${run.utc.slice(0, 10)}T00:00:00Z`) / 86_400_000;
          expect(Math.floor((day - startSunday) / 7) % interval).toBe(0);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('validateSchedule', () => {
  it.each([
    ['monthly', monthly('2024-01-09T03:00', Tuesday, [2])],
    ['monthly, several weeks', monthly('2024-01-09T03:00', 0x7f, [1, 2, 3, 4, 5])],
    ['weekly', { kind: 'Weekly', startDate: '2024-02-29T23:59', daysOfWeek: Friday, intervalWeeks: 2 } as CauSchedule],
    ['once', { kind: 'Once', startDate: '2024-01-09T00:00' } as CauSchedule],
  ])('accepts %s', (_name, s) => {
    expect(validateSchedule(s)).toEqual([]);
  });

  it.each([
    ['unknown kind', { kind: 'Daily', startDate: '2024-01-09T03:00' }, ['kind: must be MonthlyDayOfWeek, Weekly or Once (got "Daily")']],
    ['bad date', { kind: 'Once', startDate: '2023-02-29T03:00' }, ['startDate: must be a local date and time YYYY-MM-DDTHH:mm, such as 2024-01-09T03:00 (got "2023-02-29T03:00")']],
    ['seconds and zone not accepted', { kind: 'Once', startDate: '2024-01-09T03:00:00Z' }, [expect.stringMatching(/^startDate: /)]],
    ['hour 24', { kind: 'Once', startDate: '2024-01-09T24:00' }, [expect.stringMatching(/^startDate: /)]],
    ['no days', { kind: 'Weekly', startDate: '2024-01-09T03:00', daysOfWeek: 0, intervalWeeks: 1 }, ['daysOfWeek: must be Weekdays flags from 1 to 127 (Sunday=1 … Saturday=64) (got 0)']],
    ['days too large', { kind: 'Weekly', startDate: '2024-01-09T03:00', daysOfWeek: 128, intervalWeeks: 1 }, [expect.stringMatching(/^daysOfWeek: .*\(got 128\)$/)]],
    ['interval zero', { kind: 'Weekly', startDate: '2024-01-09T03:00', daysOfWeek: 1, intervalWeeks: 0 }, ['intervalWeeks: must be a whole number of weeks, at least 1 (got 0)']],
    ['interval fraction', { kind: 'Weekly', startDate: '2024-01-09T03:00', daysOfWeek: 1, intervalWeeks: 1.5 }, [expect.stringMatching(/^intervalWeeks: .*\(got 1.5\)$/)]],
    ['no weeks', { kind: 'MonthlyDayOfWeek', startDate: '2024-01-09T03:00', daysOfWeek: 4, weeksOfMonth: [] }, ['weeksOfMonth: must list at least one week, 1-4 or 5 for the last']],
    ['week 6 and a repeat', { kind: 'MonthlyDayOfWeek', startDate: '2024-01-09T03:00', daysOfWeek: 4, weeksOfMonth: [2, 6, 2] }, [
      'weeksOfMonth[1]: must be 1-4, or 5 for the last week (got 6)',
      'weeksOfMonth[2]: week 2 is listed twice',
    ]],
    ['everything at once', { kind: 'MonthlyDayOfWeek', startDate: 'tomorrow', daysOfWeek: '4', weeksOfMonth: 'second' }, [
      expect.stringMatching(/^startDate: /),
      expect.stringMatching(/^daysOfWeek: .*\(got "4"\)$/),
      'weeksOfMonth: must list at least one week, 1-4 or 5 for the last',
    ]],
  ])('rejects %s', (_name, s, problems) => {
    expect(validateSchedule(s as unknown as CauSchedule)).toEqual(problems);
  });
});

describe('parseDaysOfWeek', () => {
  it.each([
    ['names', 'Tuesday,Thursday', 0x14],
    ['names with spaces and any case', ' tuesday , THURSDAY ', 0x14],
    ['abbreviations', 'Sun,Sat', 0x41],
    ['repeated names', 'Tuesday,Tuesday', 4],
    ['decimal', '4', 4],
    ['hex', '0x14', 0x14],
    ['hex upper case', '0X7F', 0x7f],
    ['every day', 'Sunday,Monday,Tuesday,Wednesday,Thursday,Friday,Saturday', 0x7f],
  ])('%s', (_name, text, flags) => {
    expect(parseDaysOfWeek(text)).toBe(flags);
  });

  it.each([
    ['misspelt day', 'Tuesday,Tusday', 'unknown day "Tusday" in "Tuesday,Tusday"'],
    ['empty piece', 'Tuesday,', 'empty day name'],
    ['zero', '0', 'must name at least one day'],
    ['too large', '128', 'at most all seven'],
    ['None', 'None', 'unknown day "None"'],
    ['empty', '', 'empty day name'],
    ['two-letter abbreviation', 'Tu', 'unknown day "Tu"'],
  ])('rejects %s', (_name, text, reason) => {
    let caught: unknown;
    try {
      parseDaysOfWeek(text);
    } catch (error) {
      caught = error;
    }
    expect(isAppError(caught)).toBe(true);
    if (!isAppError(caught)) return;
    expect(caught.code).toBe('SCHEDULE_DAYS_OF_WEEK');
    expect(caught.exitCode).toBe(2);
    expect(caught.message).toContain(reason);
    expect(caught.message).toContain('0x14');
  });

  it('round-trips through formatDaysOfWeek', () => {
    expect(formatDaysOfWeek(0x14)).toBe('Tuesday,Thursday');
    expect(formatDaysOfWeek(0)).toBe('None');
    fc.assert(fc.property(fc.integer({ min: 1, max: 0x7f }), (flags) => parseDaysOfWeek(formatDaysOfWeek(flags)) === flags));
  });
});
