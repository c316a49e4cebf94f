// Calendar days of an IANA time zone, from the platform's own zone rules (Intl): which local day an
// instant falls on, and the instant each local day starts at. Days of 23 and 25 hours and offsets
// of :30 and :45 come out exact because nothing here assumes a day is 24 hours long.
import { dayMs, minuteMs, quarterHourMs } from '../periods.js';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** Whether the platform knows the zone, by an IANA name (aliases included, offsets not). */
export function isTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(name)) return false;
  try {
    formatter(name);
    return true;
  } catch {
    return false;
  }
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(instantMs: number, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const { type, value } of formatter(timeZone).formatToParts(instantMs)) {
    if (type !== 'literal') parts[type] = Number(value);
  }
  return parts as unknown as WallClock;
}

/** The zone's offset from UTC at an instant, in milliseconds (positive east of Greenwich). */
export function offsetAt(instantMs: number, timeZone: string): number {
  const wall = wallClock(instantMs, timeZone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return asUtc - Math.floor(instantMs / 1000) * 1000;
}

/** `YYYY-MM-DD` of the local day the instant falls on. */
export function localDateOf(instantMs: number, timeZone: string): string {
  const { year, month, day } = wallClock(instantMs, timeZone);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * The first instant of a local date. Usually local midnight; where a clock change skips midnight,
 * the moment the day begins after the jump.
 */
export function startOfLocalDate(date: string, timeZone: string): number {
  const utcMidnight = Date.parse(`${date}T00:00:00.000Z`);
  let guess = utcMidnight - offsetAt(utcMidnight, timeZone);
  guess = utcMidnight - offsetAt(guess, timeZone);
  if (localDateOf(guess, timeZone) === date && localDateOf(guess - 1, timeZone) < date)
    return guess;
  // Midnight does not exist on this date (or the offset changed around it): search for the first
  // instant of the date, to the minute, between the widest offsets any zone has had.
  let low = utcMidnight - 15 * 3_600_000;
  let high = utcMidnight + 15 * 3_600_000;
  while (high - low > minuteMs) {
    const middle = low + Math.floor((high - low) / 2 / minuteMs) * minuteMs;
    if (localDateOf(middle, timeZone) < date) low = middle;
    else high = middle;
  }
  return high;
}

/** `YYYY-MM-DD` a number of calendar days from another. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00.000Z`) + days * dayMs).toISOString().slice(0, 10);
}

export class NotQuarterHourAlignedError extends Error {
  constructor(readonly date: string) {
    super(`local day ${date} does not start on a quarter-hour of UTC`);
    this.name = 'NotQuarterHourAlignedError';
  }
}

/**
 * The start of every local date from `first` to the day after `last`: the boundaries of the days
 * from `first` to `last`. Each must fall on a UTC quarter-hour, since that is what is counted.
 */
export function localDayBoundaries(first: string, last: string, timeZone: string): number[] {
  const boundaries: number[] = [];
  let offset: number | undefined;
  for (let date = first; date <= addDays(last, 1); date = addDays(date, 1)) {
    const utcMidnight = Date.parse(`${date}T00:00:00.000Z`);
    const key = `${timeZone} ${date}`;
    let start = dayStarts.get(key);
    if (start === undefined) {
      // Offsets change a few times a year: try yesterday's first, which costs one lookup.
      const candidate = offset === undefined ? undefined : utcMidnight - offset;
      start =
        candidate !== undefined && offsetAt(candidate, timeZone) === offset
          ? candidate
          : startOfLocalDate(date, timeZone);
      if (dayStarts.size >= maxCachedDayStarts) dayStarts.clear();
      dayStarts.set(key, start);
    }
    if (start % quarterHourMs !== 0) throw new NotQuarterHourAlignedError(date);
    boundaries.push(start);
    offset = utcMidnight - start;
  }
  return boundaries;
}

// Where each local date of a zone starts never changes (short of new zone rules, which come with a
// new runtime), and a warm function is asked about the same days again and again: keep them.
const dayStarts = new Map<string, number>();
const maxCachedDayStarts = 50_000;
