// Day numbers and their names agree with the platform's own calendar over the whole range a Date
// can hold, signed six-digit years included.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dayName,
  dayOfDate,
  dayOfName,
  firstCountedDay,
  lastCountedDay,
  utcDayOf,
  utcMidnightOf,
} from '../../lib/report/calendar-days.js';

const dayMs = 86_400_000;
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
