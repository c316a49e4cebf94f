// Which counters answer a window, and how their counts become the window's day counts: UTC days
// read the day counters; the local days of a time zone sum the UTC quarter-hours inside
// [start of the day, start of the next day). Only years 0000–9999 can hold counters, so nothing
// outside them is read.
import { dayMs, instantOf } from '../periods.js';
import {
  type Day,
  dayName,
  dayOfName,
  firstCountedDay,
  lastCountedDay,
  utcMidnightOf,
} from './calendar-days.js';
import type { DayWindow } from './day-window.js';
import type { DayCounts } from './messages-sent-report.js';

export type CountersToRead =
  | { read: 'nothing' }
  | { read: 'days'; first: string; last: string }
  | { read: 'quarter-hours'; fromMs: number; toMs: number };

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
  const fromMs = Math.max(starts[0] ?? 0, firstCountedMs);
  const toMs = Math.min(starts.at(-1) ?? 0, endOfCountedMs);
  return fromMs < toMs ? { read: 'quarter-hours', fromMs, toMs } : { read: 'nothing' };
}

/** Day counts as the day counters name them (`YYYY-MM-DD` → messages), by day. */
export function utcDayCounts(byName: ReadonlyMap<string, number>): Map<Day, number> {
  return new Map([...byName].map(([name, messages]) => [dayOfName(name), messages]));
}

/** Quarter-hour counts (`YYYY-MM-DDTHH:mm` → messages) summed into the window's local days. */
export function localDayCounts(
  window: DayWindow,
  quarterHours: ReadonlyMap<string, number>,
): DayCounts {
  const counts = new Map<Day, number>();
  if (!window.localDays) return counts;
  const { firstDay, starts } = window.localDays;
  for (const [quarterHour, messages] of quarterHours) {
    const at = instantOf(quarterHour);
    // The last boundary at or before the quarter-hour; boundaries are sorted.
    let low = 0;
    let high = starts.length - 1;
    if (at < (starts[0] ?? 0) || at >= (starts[high] ?? 0)) continue;
    while (high - low > 1) {
      const middle = (low + high) >> 1;
      if ((starts[middle] ?? 0) <= at) low = middle;
      else high = middle;
    }
    const day = firstDay + low;
    counts.set(day, (counts.get(day) ?? 0) + messages);
  }
  return counts;
}
