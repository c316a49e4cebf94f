// Which counters answer a window, and how their counts become the window's day counts: UTC days
// read the day counters; the local days of a time zone count the messages sent between their
// starts, which the quarter-hour counters give exactly (every real zone's days start on one).
import { dayMs } from '../periods.js';
import type { DayWindow } from './day-window.js';
import { addDays } from './local-days.js';

export type CountersToRead =
  | { read: 'days'; first: string; last: string }
  | { read: 'local-days'; starts: readonly number[] };

export function countersToRead(window: DayWindow): CountersToRead {
  const { boundaries } = window;
  // A zone whose days all start at UTC midnight in this window (UTC itself, or a zone at +00:00
  // without daylight saving then) is answered from the day counters, one item a day.
  if (!boundaries || boundaries.every((start) => start % dayMs === 0)) {
    return { read: 'days', first: window.previousStartDay, last: window.endDay };
  }
  return { read: 'local-days', starts: boundaries };
}

/** Counts between consecutive local day starts, as the window's local days. */
export function localDayCounts(window: DayWindow, counts: readonly number[]): Map<string, number> {
  return new Map(
    counts.map((messages, index) => [addDays(window.previousStartDay, index), messages]),
  );
}
