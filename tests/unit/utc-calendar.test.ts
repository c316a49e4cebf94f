// The UTC calendar: day numbers and their names agree with the platform's own calendar over the
// whole range a Date can hold, signed six-digit years included; months, quarter-hours and the
// names stored counters go by.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dayMs,
  dayName,
  dayOfDate,
  dayOfName,
  firstCountedDay,
  lastCountedDay,
  monthsBetween,
  periodsOfTimestamp,
  quarterHourName,
  quarterOfDay,
  utcDayOf,
  utcMidnightOf,
} from '../../lib/utc-calendar.js';

/** Every day a Date can hold: ±100,000,000 days around 1970-01-01. */
const anyDay = fc.integer({ min: -100_000_000, max: 100_000_000 });

describe('calendar days', () => {
  it('names a day as toISOString() writes its midnight (property)', () => {
    fc.assert(
      fc.property(anyDay, (day) => {
        const iso = new Date(day * dayMs).toISOString();
        expect(dayName(day)).toBe(iso.slice(0, iso.indexOf('T')));
      }),
      { numRuns: 20_000 },
    );
  });

  it('numbers a date as Date does, years before 1 and after 9999 included (property)', () => {
    fc.assert(
      fc.property(anyDay, (day) => {
        const date = new Date(day * dayMs);
        expect(dayOfDate(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate())).toBe(
          day,
        );
        expect(utcDayOf(date.getTime() + dayMs - 1)).toBe(day);
        expect(utcMidnightOf(day)).toBe(date.getTime());
      }),
      { numRuns: 20_000 },
    );
  });

  it('names the days at the edges of the Date range and of four-digit years', () => {
    expect(dayName(utcDayOf(-8.64e15))).toBe('-271821-04-20');
    expect(dayName(utcDayOf(8.64e15))).toBe('+275760-09-13');
    // One day beyond either edge still has a name: windows reach there.
    expect(dayName(utcDayOf(-8.64e15) - 1)).toBe('-271821-04-19');
    expect(dayName(utcDayOf(8.64e15) + 1)).toBe('+275760-09-14');
    expect(dayName(firstCountedDay)).toBe('0000-01-01');
    expect(dayName(firstCountedDay - 1)).toBe('-000001-12-31');
    expect(dayName(lastCountedDay)).toBe('9999-12-31');
    expect(dayName(lastCountedDay + 1)).toBe('+010000-01-01');
  });

  it('reads back the names of the day counters', () => {
    for (const name of ['0000-01-01', '0000-02-29', '1969-12-31', '2024-02-29', '9999-12-31']) {
      expect(dayName(dayOfName(name))).toBe(name);
    }
  });
});

describe('UTC periods', () => {
  it('lists the months a range touches, across a year end', () => {
    expect(monthsBetween('2023-11-30', '2024-02-01T00:00')).toEqual([
      '2023-11',
      '2023-12',
      '2024-01',
      '2024-02',
    ]);
    expect(monthsBetween('2024-05-01', '2024-05-31')).toEqual(['2024-05']);
    expect(monthsBetween('2024-06-01', '2024-05-31')).toEqual([]);
  });

  it('lists the months of the first and last years a message can be sent in', () => {
    expect(monthsBetween('0000-01-01T00:00', '0000-02-29')).toEqual(['0000-01', '0000-02']);
    // The month after 9999-12 would be named 10000-01, which sorts before it as text.
    expect(monthsBetween('9999-12-30T15:00', '9999-12-31T23:45')).toEqual(['9999-12']);
  });

  it("names the quarter-hour of a timestamp, and finds it again among its day's 96", () => {
    for (const [ts, quarter] of [
      ['2024-02-29T23:59:59.999Z', 95],
      ['2024-03-01T00:00:00.000Z', 0],
      ['2024-03-01T00:44:59.999Z', 2],
      ['2024-03-01T13:45:00.000Z', 55],
    ] as const) {
      const { day, quarterHour } = periodsOfTimestamp(ts);
      expect(quarterOfDay(quarterHour)).toBe(quarter);
      expect(quarterHourName(day, quarter)).toBe(quarterHour);
      const start = Date.parse(`${quarterHour}:00.000Z`);
      expect(start).toBeLessThanOrEqual(Date.parse(ts));
      expect(Date.parse(ts) - start).toBeLessThan(15 * 60_000);
    }
  });

  it('reads the day of a stored day name as the day number it stands for', () => {
    for (const name of ['0000-01-01', '1969-12-31', '1970-01-01', '2024-02-29', '9999-12-31']) {
      expect(dayName(dayOfName(name))).toBe(name);
      expect(utcMidnightOf(dayOfName(name))).toBe(Date.parse(`${name}T00:00:00.000Z`));
    }
  });
});
