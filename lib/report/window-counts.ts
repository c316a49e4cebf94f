// Which counters answer a window, and how their counts become the window's day counts: UTC days
// read the day counters; the local days of a time zone count the messages sent between their
// starts, which the quarter-hour counters give exactly (every real zone's days start on one).
// Only years 0000–9999 can hold counters, so nothing outside them is read.
import {
  type Day,
  dayMs,
  dayName,
  dayOfName,
  firstCountedDay,
  lastCountedDay,
  utcMidnightOf,
} from '../utc-calendar.js';
import type { DayWindow } from './day-window.js';
import type { DayCounts } from './messages-sent-report.js';

export type CountersToRead =
  | { read: 'nothing' }
  | { read: 'days'; first: string; last: string }
  | { read: 'local-days'; starts: readonly number[] };

const firstCountedMs = utcMidnightOf(firstCountedDay);
const endOfCountedMs = utcMidnightOf(lastCountedDay + 1);

function dayCountersBetween(first: Day, last: Day): CountersToRead {
  const from = Math.max(first, firstCountedDay);
  const to = Math.min(last, lastCountedDay);
  return from > to
    ? { read: 'nothing' }
    : { read: 'days', first: dayName(from), last: dayName(to) };
}

export function countersToRead(window: DayWindow): CountersToRead {
  if (!window.timeZone) return dayCountersBetween(window.previousStartDay, window.endDay);
  const starts = window.localDays?.starts ?? [];
  // A zone whose days all start at UTC midnight in this window (UTC itself, or a zone at +00:00
  // without daylight saving then) is answered from the day counters, one item a day.
  if (starts.every((start) => start % dayMs === 0)) {
    return dayCountersBetween(window.previousStartDay, window.endDay);
  }
  // Local days outside the counted years become empty: their starts are moved to its edges.
  const counted = starts.map((start) => Math.min(Math.max(start, firstCountedMs), endOfCountedMs));
  return (counted[0] ?? 0) < (counted.at(-1) ?? 0)
    ? { read: 'local-days', starts: counted }
    : { read: 'nothing' };
}

/** Day counts as the day counters name them (`YYYY-MM-DD` → messages), by day. */
export function utcDayCounts(byName: ReadonlyMap<string, number>): Map<Day, number> {
  return new Map([...byName].map(([name, messages]) => [dayOfName(name), messages]));
}

/** The messages sent between consecutive local day starts, as the window's local days. */
export function localDayCounts(window: DayWindow, between: readonly number[]): DayCounts {
  const counts = new Map<Day, number>();
  if (!window.localDays) return counts;
  const { firstDay } = window.localDays;
  between.forEach((messages, index) => {
    if (messages !== 0) counts.set(firstDay + index, messages);
  });
  return counts;
}
