// The messages-sent answer (docs/architecture.md, Answers), computed from the day counts of the window and of the
// window before it. Key order follows Rocket.Chat's response.
import type { Day } from '../utc-calendar.js';
import { type DayWindow, dayStartOf } from './day-window.js';

export interface MessagesSentReport {
  days: { day: string; messages: number }[];
  period: { count: number; variation: number };
  yesterday: { count: number; variation: number };
  success: true;
}

/** Message counts by day (local days with a time zone); days without messages may be missing. */
export type DayCounts = ReadonlyMap<Day, number>;

export function messagesSentReport(window: DayWindow, counts: DayCounts): MessagesSentReport {
  const countOf = (day: Day) => counts.get(day) ?? 0;
  const sum = (first: Day, last: Day) => {
    let total = 0;
    for (let day = first; day <= last; day++) total += countOf(day);
    return total;
  };
  const days: MessagesSentReport['days'] = [];
  for (let day = window.endDay; day >= window.startDay; day--) {
    const messages = countOf(day);
    if (messages !== 0) days.push({ day: dayStartOf(window, day), messages });
  }
  const count = sum(window.startDay, window.endDay);
  const yesterday = countOf(window.endDay - 1);
  return {
    days,
    period: { count, variation: count - sum(window.previousStartDay, window.startDay - 1) },
    yesterday: { count: yesterday, variation: countOf(window.endDay) - yesterday },
    success: true,
  };
}
