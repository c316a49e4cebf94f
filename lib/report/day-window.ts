// The days a messages-sent answer covers (design §2.2): the window from the start day to the end
// day, and the equal-length window just before it that `period.variation` compares against. Days
// are UTC days, or the calendar days of a time zone when one is asked for.
import { dayMs } from '../periods.js';
import { invalidParams, type RequestError } from './errors.js';
import {
  addDays,
  isTimeZone,
  localDateOf,
  localDayBoundaries,
  NotQuarterHourAlignedError,
} from './local-days.js';

/** Ten years of UTC days, leap days included; the previous window doubles what is read. */
export const maxWindowDays = 3660;
/** A year and a day of local days: those are summed from quarter-hours, 96 counters a day. */
export const maxTimeZoneWindowDays = 366;

export interface DayWindow {
  /** `YYYY-MM-DD` of the first and last day of the window (local dates in `timeZone`). */
  startDay: string;
  endDay: string;
  days: number;
  /** First day of the equal-length window before the start day. */
  previousStartDay: string;
  timeZone?: string;
  /**
   * With a time zone, the instant each day from `previousStartDay` to the day after `endDay`
   * starts at, in order. Absent for UTC days.
   */
  boundaries?: number[];
}

type WindowResult = { ok: true; value: DayWindow } | { ok: false; error: RequestError };

const dayOf = (instantMs: number, timeZone?: string) =>
  timeZone ? localDateOf(instantMs, timeZone) : new Date(instantMs).toISOString().slice(0, 10);

export function dayWindow(startMs: number, endMs: number, timeZone?: string): WindowResult {
  if (timeZone !== undefined && !isTimeZone(timeZone)) {
    // Only a value made of the characters of zone names and offsets is repeated back.
    const named = /^[A-Za-z0-9_+\-/:,]{1,64}$/.test(timeZone) ? ` '${timeZone}'` : '';
    return {
      ok: false,
      error: invalidParams(
        `The timezone${named} is not an IANA time zone name like America/Sao_Paulo`,
      ),
    };
  }
  return windowOfDays(dayOf(startMs, timeZone), dayOf(endMs, timeZone), timeZone);
}

/** The window of the `days` complete days before the day `instantMs` falls on. */
export function completeDaysBefore(
  instantMs: number,
  days: number,
  timeZone?: string,
): WindowResult {
  const today = dayOf(instantMs, timeZone);
  return windowOfDays(addDays(today, -days), addDays(today, -1), timeZone);
}

function windowOfDays(startDay: string, endDay: string, timeZone?: string): WindowResult {
  if (endDay < startDay) {
    return { ok: false, error: invalidParams('The end date must not be before the start date') };
  }
  const days =
    (Date.parse(`${endDay}T00:00:00.000Z`) - Date.parse(`${startDay}T00:00:00.000Z`)) / dayMs + 1;
  const limit = timeZone ? maxTimeZoneWindowDays : maxWindowDays;
  if (days > limit) {
    return {
      ok: false,
      error: invalidParams(
        `The period from start to end must not be longer than ${limit} days${timeZone ? ' when a timezone is given' : ''}; it is ${days} days`,
      ),
    };
  }
  const window: DayWindow = { startDay, endDay, days, previousStartDay: addDays(startDay, -days) };
  if (!timeZone) return { ok: true, value: window };
  window.timeZone = timeZone;
  try {
    window.boundaries = localDayBoundaries(window.previousStartDay, endDay, timeZone);
  } catch (error) {
    if (!(error instanceof NotQuarterHourAlignedError)) throw error;
    return {
      ok: false,
      error: invalidParams(
        `Days in ${timeZone} around ${error.date} do not start on a quarter-hour of UTC, so they cannot be counted exactly`,
      ),
    };
  }
  return { ok: true, value: window };
}

/** Every day from `first` to `last`, inclusive, newest first. */
export function daysNewestFirst(first: string, last: string): string[] {
  const days: string[] = [];
  for (let day = last; day >= first; day = addDays(day, -1)) days.push(day);
  return days;
}

/** When a day starts: its local start in a time zone, else UTC midnight. */
export function dayStartOf(window: DayWindow, day: string): string {
  if (!window.boundaries) return `${day}T00:00:00.000Z`;
  const index =
    (Date.parse(`${day}T00:00:00.000Z`) - Date.parse(`${window.previousStartDay}T00:00:00.000Z`)) /
    dayMs;
  const start = window.boundaries[index];
  return start === undefined ? `${day}T00:00:00.000Z` : new Date(start).toISOString();
}
