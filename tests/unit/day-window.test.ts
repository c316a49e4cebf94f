// Windows of days over the whole ECMAScript date range, with and without a time zone: they always
// come out (no endless loop, no exception), read counters only inside years 0000–9999, and put
// the messages near the ends of that range on the right days.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DayWindow, dayWindow } from '../../lib/report/day-window.js';
import { RequestError } from '../../lib/report/errors.js';
import { canonicalTimeZone, localDayOf } from '../../lib/report/local-days.js';
import { messagesSentReport } from '../../lib/report/messages-sent-report.js';
import { countersToRead, localDayCounts } from '../../lib/report/window-counts.js';
import { dayName, utcDayOf } from '../../lib/utc-calendar.js';

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;
const minMs = -8.64e15;
const maxMs = 8.64e15;

function windowOf(start: string, end: string, timeZone?: string): DayWindow {
  const window = dayWindow(Date.parse(start), Date.parse(end), timeZone);
  if (!window.ok) throw window.error;
  return window.value;
}

const iso = (ms: number) => new Date(ms).toISOString();

describe('windows near the end of year 9999', () => {
  it('builds the last days of 9999 in UTC as a time zone (it used to loop forever)', () => {
    const window = windowOf('9999-12-30T00:00:00.000Z', '9999-12-30T00:00:00.000Z', 'UTC');

    expect(dayName(window.startDay)).toBe('9999-12-30');
    expect(window.localDays?.starts.map(iso)).toEqual([
      '9999-12-29T00:00:00.000Z',
      '9999-12-30T00:00:00.000Z',
      '9999-12-31T00:00:00.000Z',
    ]);
    expect(countersToRead(window)).toEqual({
      read: 'days',
      first: '9999-12-29',
      last: '9999-12-30',
    });
  });

  it('counts the UTC messages of local day 10000-01-01 in Tokyo, which starts on 9999-12-31', () => {
    const window = windowOf('9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z', 'Asia/Tokyo');

    expect(dayName(window.endDay)).toBe('+010000-01-01');
    // The local day 10000-01-01 is counted up to the end of 9999, where messages can be.
    expect(countersToRead(window)).toEqual({
      read: 'local-days',
      starts: [
        Date.parse('9999-12-30T15:00:00.000Z'),
        Date.parse('9999-12-31T15:00:00.000Z'),
        Date.parse('+010000-01-01T00:00:00.000Z'),
      ],
    });
    // 2 messages sent up to 9999-12-31T15:00 UTC, 3 after.
    const counts = localDayCounts(window, [2, 3]);
    expect(messagesSentReport(window, counts)).toEqual({
      days: [{ day: '9999-12-31T15:00:00.000Z', messages: 3 }],
      period: { count: 3, variation: 1 },
      yesterday: { count: 2, variation: 1 },
      success: true,
    });
  });

  it('answers a window after 9999 from the last day that can hold messages', () => {
    const window = windowOf('+010000-01-01T00:00:00.000Z', '+010000-01-01T00:00:00.000Z');

    expect(countersToRead(window)).toEqual({
      read: 'days',
      first: '9999-12-31',
      last: '9999-12-31',
    });
    expect(messagesSentReport(window, new Map([[window.startDay - 1, 4]])).yesterday).toEqual({
      count: 4,
      variation: -4,
    });
  });
});

describe('windows near year 0000', () => {
  it('takes a window whose previous window reaches year −1 (signed years used to compare wrong)', () => {
    const window = windowOf('0000-01-02T00:00:00.000Z', '0001-01-01T00:00:00.000Z');

    expect(window.days).toBe(366);
    expect(dayName(window.previousStartDay)).toBe('-000001-01-01');
    expect(countersToRead(window)).toEqual({
      read: 'days',
      first: '0000-01-01',
      last: '0001-01-01',
    });
    const day = utcDayOf(Date.parse('0000-06-01T00:00:00.000Z'));
    expect(messagesSentReport(window, new Map([[day, 5]]))).toEqual({
      days: [{ day: '0000-06-01T00:00:00.000Z', messages: 5 }],
      period: { count: 5, variation: 5 },
      yesterday: { count: 0, variation: 0 },
      success: true,
    });
  });

  it('finds the local days of years before 1, which Intl writes as years BC', () => {
    // 10 hours west of UTC: 0000-01-01T05:00Z is still 31 December of year −1 there.
    const window = windowOf('0000-01-01T05:00:00.000Z', '0000-01-01T05:00:00.000Z', 'Etc/GMT+10');

    expect(dayName(window.startDay)).toBe('-000001-12-31');
    expect(window.localDays?.starts.map(iso)).toEqual([
      '-000001-12-31T10:00:00.000Z',
      '0000-01-01T10:00:00.000Z',
    ]);
    // Counted from the start of year 0000, where messages can be.
    expect(countersToRead(window)).toEqual({
      read: 'local-days',
      starts: [Date.parse('0000-01-01T00:00:00.000Z'), Date.parse('0000-01-01T10:00:00.000Z')],
    });
  });

  it('finds the local days of years 0–99 (Date.UTC takes those for 1900–1999)', () => {
    const window = windowOf('0050-06-01T12:00:00.000Z', '0050-06-02T12:00:00.000Z', 'Etc/GMT-5');

    expect(window.localDays?.starts.map(iso)).toEqual([
      '0050-05-29T19:00:00.000Z',
      '0050-05-30T19:00:00.000Z',
      '0050-05-31T19:00:00.000Z',
      '0050-06-01T19:00:00.000Z',
      '0050-06-02T19:00:00.000Z',
    ]);
  });
});

describe('windows at the ends of the Date range', () => {
  it.each([
    ['-271821-04-20T00:00:00.000Z', '-271821-04-20T00:00:00.000Z', undefined],
    ['-271821-04-20T00:00:00.000Z', '-271811-04-20T00:00:00.000Z', undefined],
    ['-271821-04-20T00:00:00.000Z', '-271821-04-20T00:00:00.000Z', 'Etc/GMT+12'],
    ['+275760-09-13T00:00:00.000Z', '+275760-09-13T00:00:00.000Z', 'Pacific/Kiritimati'],
    ['+275759-09-14T00:00:00.000Z', '+275760-09-13T00:00:00.000Z', 'America/Sao_Paulo'],
  ])('%s to %s (%s) holds no messages and reads nothing', (start, end, timeZone) => {
    const window = windowOf(start, end, timeZone);

    expect(countersToRead(window)).toEqual({ read: 'nothing' });
    expect(messagesSentReport(window, new Map())).toEqual({
      days: [],
      period: { count: 0, variation: 0 },
      yesterday: { count: 0, variation: 0 },
      success: true,
    });
  });
});

describe('time zone names', () => {
  it.each([
    ['america/sao_paulo', 'America/Sao_Paulo'],
    ['AMERICA/SAO_PAULO', 'America/Sao_Paulo'],
    ['Etc/UTC', 'UTC'],
    ['utc', 'UTC'],
    ['US/Eastern', 'America/New_York'],
  ])('reads %s as %s, and names the zone as it was asked for', (spelling, canonical) => {
    expect(canonicalTimeZone(spelling)).toBe(canonical);
    const asked = windowOf('2024-03-01T00:00:00.000Z', '2024-03-02T00:00:00.000Z', spelling);
    const named = windowOf('2024-03-01T00:00:00.000Z', '2024-03-02T00:00:00.000Z', canonical);
    expect(asked.timeZone).toBe(spelling);
    expect(asked.localDays).toEqual(named.localDays);
  });

  it('never shows the older name the platform may use for a zone', () => {
    expect(canonicalTimeZone('Europe/Kyiv')).toMatch(/^Europe\/(Kyiv|Kiev)$/);
    const window = dayWindow(
      Date.parse('1900-01-01T12:00:00.000Z'),
      Date.parse('1900-01-01T12:00:00.000Z'),
      'Europe/Kyiv',
    );
    expect(window).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/^Days in Europe\/Kyiv around /) },
    });
  });

  it.each(['Mars/Olympus_Mons', '+05:30', 'UTC+1', '', 'x'.repeat(65)])(
    'knows no zone %s',
    (name) => {
      expect(canonicalTimeZone(name)).toBeUndefined();
    },
  );
});

// Instants anywhere in the Date range, with more of them near the edges of years 0000–9999 and of
// the range itself, where day names and arithmetic used to go wrong.
const edges = [
  minMs,
  Date.parse('0000-01-01T00:00:00.000Z'),
  Date.parse('+010000-01-01T00:00:00.000Z'),
  maxMs,
];
const instant = fc.oneof(
  fc.integer({ min: minMs, max: maxMs }),
  fc
    .tuple(fc.constantFrom(...edges), fc.integer({ min: -800 * dayMs, max: 800 * dayMs }))
    .map(([edge, offset]) => Math.min(maxMs, Math.max(minMs, edge + offset))),
);
const zones = [
  undefined,
  'UTC',
  'Asia/Tokyo',
  'Pacific/Kiritimati',
  'Etc/GMT+12',
  'America/Sao_Paulo',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'America/St_Johns',
  'Pacific/Apia',
];

describe('any window (property)', () => {
  it('is a window or a 400, and never reads outside years 0000–9999', () => {
    const firstCounted = Date.parse('0000-01-01T00:00:00.000Z');
    const endOfCounted = Date.parse('+010000-01-01T00:00:00.000Z');
    fc.assert(
      fc.property(
        instant,
        fc.integer({ min: -2 * dayMs, max: 400 * dayMs }),
        fc.constantFrom(...zones),
        (startMs, length, timeZone) => {
          const endMs = Math.min(maxMs, Math.max(minMs, startMs + length));
          const window = dayWindow(startMs, endMs, timeZone);
          if (!window.ok) {
            expect(window.error).toBeInstanceOf(RequestError);
            expect(window.error.kind).toBe('invalid-params');
            return;
          }
          const toRead = countersToRead(window.value);
          if (toRead.read === 'days') {
            expect(toRead.first).toMatch(/^\d{4}-\d{2}-\d{2}$/);
            expect(toRead.last).toMatch(/^\d{4}-\d{2}-\d{2}$/);
            expect(toRead.first <= toRead.last).toBe(true);
          }
          if (toRead.read === 'local-days') {
            const [first] = toRead.starts;
            const last = toRead.starts.at(-1) as number;
            expect(first).toBeGreaterThanOrEqual(firstCounted);
            expect(last).toBeLessThanOrEqual(endOfCounted);
            expect(first).toBeLessThan(last);
            expect([...toRead.starts].sort((a, b) => a - b)).toEqual(toRead.starts);
          }
          expect(messagesSentReport(window.value, new Map()).period.count).toBe(0);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('puts an instant on the local day of a fixed offset, in every year a Date can hold', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: -12, max: 14 }), (ms, hours) => {
        // Etc/GMT-5 is five hours east of UTC: the sign is inverted in these names.
        const zone = hours === 0 ? 'UTC' : `Etc/GMT${hours > 0 ? '-' : '+'}${Math.abs(hours)}`;
        expect(localDayOf(ms, zone)).toBe(utcDayOf(ms + hours * hourMs));
      }),
      { numRuns: 3000 },
    );
  });
});
