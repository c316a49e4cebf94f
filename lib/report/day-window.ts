// The days a messages-sent answer covers (design §2.2): the window from the start day to the end
// day, and the equal-length window just before it that `period.variation` compares against.
import { dayMs, startOfUtcDay, utcDayOf } from '../periods.js';
import { invalidParams, type RequestError } from './errors.js';

/** Ten years of days, leap days included; the previous window doubles what is read. */
export const maxWindowDays = 3660;

export interface DayWindow {
  /** `YYYY-MM-DD` of the first and last day of the window. */
  startDay: string;
  endDay: string;
  days: number;
  /** First day of the equal-length window before the start day. */
  previousStartDay: string;
}

export function dayWindow(
  startMs: number,
  endMs: number,
): { ok: true; value: DayWindow } | { ok: false; error: RequestError } {
  const startDayMs = startOfUtcDay(startMs);
  const endDayMs = startOfUtcDay(endMs);
  if (endDayMs < startDayMs) {
    return { ok: false, error: invalidParams('The end date must not be before the start date') };
  }
  const days = (endDayMs - startDayMs) / dayMs + 1;
  if (days > maxWindowDays) {
    return {
      ok: false,
      error: invalidParams(
        `The period from start to end must not be longer than ${maxWindowDays} days; it is ${days} days`,
      ),
    };
  }
  return {
    ok: true,
    value: {
      startDay: utcDayOf(startDayMs),
      endDay: utcDayOf(endDayMs),
      days,
      previousStartDay: utcDayOf(startDayMs - days * dayMs),
    },
  };
}

/** Every day from `first` to `last`, inclusive, newest first. */
export function daysNewestFirst(first: string, last: string): string[] {
  const days: string[] = [];
  const firstMs = Date.parse(`${first}T00:00:00.000Z`);
  for (let at = Date.parse(`${last}T00:00:00.000Z`); at >= firstMs; at -= dayMs) {
    days.push(utcDayOf(at));
  }
  return days;
}
