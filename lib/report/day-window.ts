// The days a messages-sent answer covers (docs/architecture.md, Answers): the window from the start day to the end
// day, and the equal-length window just before it that `period.variation` compares against. Days
// are UTC days, or the calendar days of a time zone when one is asked for.
import {
  type Day,
  dayName,
  firstCountedDay,
  lastCountedDay,
  utcDayOf,
  utcMidnightOf,
} from '../utc-calendar.js';
import { invalidParams, type RequestError } from './errors.js';
import {
  canonicalTimeZone,
  localDayBoundaries,
  localDayOf,
  NotQuarterHourAlignedError,
} from './local-days.js';

/** Ten years of UTC days, leap days included; the previous window doubles what is read. */
export const maxWindowDays = 3660;
/** A year and a day of local days: those are summed from quarter-hours, 96 counters a day. */
export const maxTimeZoneWindowDays = 366;

export interface DayWindow {
  /** First and last day of the window (local days in `timeZone`). */
  startDay: Day;
  endDay: Day;
  days: number;
  /** First day of the equal-length window before the start day. */
  previousStartDay: Day;
  /** The zone, named as it was asked for, when days are local days. */
  timeZone?: string;
  /**
   * With a time zone, where its days start: `starts[i]` is the instant day `firstDay + i` starts
   * at, for every day from `previousStartDay` to the day after `endDay` that can hold messages.
   * Absent when none can.
   */
  localDays?: { firstDay: Day; starts: number[] };
}

type WindowResult = { ok: true; value: DayWindow } | { ok: false; error: RequestError };

/**
 * A time zone as it was asked for, which answers and report keys use, and its canonical name,
 * which the platform's zone rules and every cache use. The canonical name can be an older one
 * (ICU's `Europe/Kiev` for `Europe/Kyiv`), so it is never shown.
 */
interface Zone {
  name: string;
  canonical: string;
}

export function dayWindow(startMs: number, endMs: number, timeZone?: string): WindowResult {
  if (timeZone === undefined) return windowOfDays(utcDayOf(startMs), utcDayOf(endMs));
  const canonical = canonicalTimeZone(timeZone);
  if (canonical === undefined) return unknownZone(timeZone);
  const zone = { name: timeZone, canonical };
  return windowOfDays(localDayOf(startMs, canonical), localDayOf(endMs, canonical), zone);
}

function unknownZone(timeZone: string): WindowResult {
  // Only a value made of the characters of zone names and offsets is repeated back.
  const named = /^[A-Za-z0-9_+\-/:,]{1,64}$/.test(timeZone) ? ` '${timeZone}'` : '';
  return {
    ok: false,
    error: invalidParams(
      `The timezone${named} is not an IANA time zone name like America/Sao_Paulo`,
    ),
  };
}

/** The window of the `days` complete days before the day `instantMs` falls on. */
export function completeDaysBefore(
  instantMs: number,
  days: number,
  timeZone?: string,
): WindowResult {
  if (timeZone === undefined) {
    const today = utcDayOf(instantMs);
    return windowOfDays(today - days, today - 1);
  }
  const canonical = canonicalTimeZone(timeZone);
  if (canonical === undefined) return unknownZone(timeZone);
  const today = localDayOf(instantMs, canonical);
  return windowOfDays(today - days, today - 1, { name: timeZone, canonical });
}

function windowOfDays(startDay: Day, endDay: Day, zone?: Zone): WindowResult {
  if (endDay < startDay) {
    return { ok: false, error: invalidParams('The end date must not be before the start date') };
  }
  const days = endDay - startDay + 1;
  const limit = zone ? maxTimeZoneWindowDays : maxWindowDays;
  if (days > limit) {
    return {
      ok: false,
      error: invalidParams(
        `The period from start to end must not be longer than ${limit} days${zone ? ' when a timezone is given' : ''}; it is ${days} days`,
      ),
    };
  }
  const window: DayWindow = { startDay, endDay, days, previousStartDay: startDay - days };
  if (!zone) return { ok: true, value: window };
  window.timeZone = zone.name;
  // A local day can only hold messages if it overlaps a UTC day that can: offsets are under a day,
  // so it is at most one day away. Where the others start is never needed, nor asked of Intl.
  const firstDay = Math.max(window.previousStartDay, firstCountedDay - 1);
  const lastDay = Math.min(endDay, lastCountedDay + 1);
  if (firstDay > lastDay) return { ok: true, value: window };
  try {
    window.localDays = {
      firstDay,
      starts: localDayBoundaries(firstDay, lastDay, zone.canonical),
    };
  } catch (error) {
    if (!(error instanceof NotQuarterHourAlignedError)) throw error;
    return {
      ok: false,
      error: invalidParams(
        `Days in ${zone.name} around ${dayName(error.day)} do not start on a quarter-hour of UTC, so they cannot be counted exactly`,
      ),
    };
  }
  return { ok: true, value: window };
}

/** When a day starts, as the answer names it: its local start in a time zone, else UTC midnight. */
export function dayStartOf(window: DayWindow, day: Day): string {
  const localStart = window.localDays?.starts[day - window.localDays.firstDay];
  return new Date(localStart ?? utcMidnightOf(day)).toISOString();
}
