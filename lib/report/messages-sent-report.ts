// The messages-sent answer (design §2.2), computed from the day counters of the window and of the
// window before it. Key order follows Rocket.Chat's response.

import { type DayWindow, dayStartOf, daysNewestFirst } from './day-window.js';
import { addDays } from './local-days.js';

export interface MessagesSentReport {
  days: { day: string; messages: number }[];
  period: { count: number; variation: number };
  yesterday: { count: number; variation: number };
  success: true;
}

/** Message counts by day `YYYY-MM-DD` (local dates with a time zone); days without may be missing. */
export type DayCounts = ReadonlyMap<string, number>;

export function messagesSentReport(window: DayWindow, counts: DayCounts): MessagesSentReport {
  const countOf = (day: string) => counts.get(day) ?? 0;
  const windowDays = daysNewestFirst(window.startDay, window.endDay);
  const dayBefore = (day: string) => addDays(day, -1);
  const previousDays = daysNewestFirst(window.previousStartDay, dayBefore(window.startDay));
  const sum = (days: string[]) => days.reduce((total, day) => total + countOf(day), 0);

  const count = sum(windowDays);
  const yesterday = countOf(dayBefore(window.endDay));
  return {
    days: windowDays
      .filter((day) => countOf(day) !== 0)
      .map((day) => ({ day: dayStartOf(window, day), messages: countOf(day) })),
    period: { count, variation: count - sum(previousDays) },
    yesterday: { count: yesterday, variation: countOf(window.endDay) - yesterday },
    success: true,
  };
}
