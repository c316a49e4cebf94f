// Which counters answer a window, and how their counts become the window's day counts: UTC days
// read the day counters; the local days of a time zone sum the UTC quarter-hours inside
// [start of the day, start of the next day).
import { dayMs, instantOf } from '../periods.js';
import type { DayWindow } from './day-window.js';
import { addDays } from './local-days.js';

export type CountersToRead =
  | { read: 'days'; first: string; last: string }
  | { read: 'quarter-hours'; fromMs: number; toMs: number };

export function countersToRead(window: DayWindow): CountersToRead {
  const { boundaries } = window;
  // A zone whose days all start at UTC midnight in this window (UTC itself, or a zone at +00:00
  // without daylight saving then) is answered from the day counters, one item a day.
  if (!boundaries || boundaries.every((start) => start % dayMs === 0)) {
    return { read: 'days', first: window.previousStartDay, last: window.endDay };
  }
  return { read: 'quarter-hours', fromMs: boundaries[0] ?? 0, toMs: boundaries.at(-1) ?? 0 };
}

/** Quarter-hour counts (`YYYY-MM-DDTHH:mm` → messages) summed into the window's local days. */
export function localDayCounts(
  window: DayWindow,
  quarterHours: ReadonlyMap<string, number>,
): Map<string, number> {
  const boundaries = window.boundaries ?? [];
  const counts = new Map<string, number>();
  for (const [quarterHour, messages] of quarterHours) {
    const at = instantOf(quarterHour);
    // The last boundary at or before the quarter-hour; boundaries are sorted.
    let low = 0;
    let high = boundaries.length - 1;
    if (at < (boundaries[0] ?? 0) || at >= (boundaries[high] ?? 0)) continue;
    while (high - low > 1) {
      const middle = (low + high) >> 1;
      if ((boundaries[middle] ?? 0) <= at) low = middle;
      else high = middle;
    }
    const day = addDays(window.previousStartDay, low);
    counts.set(day, (counts.get(day) ?? 0) + messages);
  }
  return counts;
}
