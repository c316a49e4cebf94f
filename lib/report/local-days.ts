// Calendar days of an IANA time zone, from the platform's own zone rules (Intl): which local day an
// instant falls on, and the instant each local day starts at. Days of 23 and 25 hours and offsets
// of :30 and :45 come out exact because nothing here assumes a day is 24 hours long.
import {
  type Day,
  dayName,
  dayOfDate,
  minuteMs,
  quarterHourMs,
  utcMidnightOf,
} from '../utc-calendar.js';

// Every cache here is keyed by the zone's canonical name, never by the spelling a request used, so
// that many spellings of one zone cost one entry; and each is bounded, cleared when full.
const maxCachedZones = 1024;
const canonicalNames = new Map<string, string>();
const formatters = new Map<string, Intl.DateTimeFormat>();

function remember<Key, Value>(cache: Map<Key, Value>, key: Key, value: Value, limit: number) {
  if (cache.size >= limit) cache.clear();
  cache.set(key, value);
}

const formatOptions: Intl.DateTimeFormatOptions = {
  hourCycle: 'h23',
  // Years before 1 are written as years of the era BC (year 0 is 1 BC).
  era: 'short',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
};

/**
 * The platform's own name for a zone (`america/sao_paulo` → `America/Sao_Paulo`, `Etc/UTC` →
 * `UTC`), or undefined when it knows no zone of that name (offsets such as `+05:30` included).
 * Names are case-insensitive, so the lookup is remembered by the lower-cased name: a DateTimeFormat
 * costs tens of kilobytes that the runtime is slow to give back, and is made once per zone.
 */
export function canonicalTimeZone(name: string): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(name)) return undefined;
  const spelling = name.toLowerCase();
  const known = canonicalNames.get(spelling);
  if (known) return known;
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { ...formatOptions, timeZone: name });
  } catch {
    return undefined;
  }
  const canonical = format.resolvedOptions().timeZone;
  remember(canonicalNames, spelling, canonical, maxCachedZones);
  if (!formatters.has(canonical)) remember(formatters, canonical, format, maxCachedZones);
  return canonical;
}

/** Whether the platform knows the zone, by an IANA name (aliases included, offsets not). */
export const isTimeZone = (name: string): boolean => canonicalTimeZone(name) !== undefined;

function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { ...formatOptions, timeZone: zone });
    remember(formatters, zone, format, maxCachedZones);
  }
  return format;
}

interface WallClock {
  day: Day;
  /** Milliseconds since local midnight, to the second. */
  timeOfDayMs: number;
}

function wallClock(instantMs: number, zone: string): WallClock {
  const parts: Record<string, string> = {};
  for (const { type, value } of formatter(zone).formatToParts(instantMs)) parts[type] = value;
  const yearOfEra = Number(parts.year);
  const year = parts.era === 'BC' ? 1 - yearOfEra : yearOfEra;
  return {
    day: dayOfDate(year, Number(parts.month), Number(parts.day)),
    timeOfDayMs:
      ((Number(parts.hour) * 60 + Number(parts.minute)) * 60 + Number(parts.second)) * 1000,
  };
}

/** The zone's offset from UTC at an instant, in milliseconds (positive east of Greenwich). */
export function offsetAt(instantMs: number, zone: string): number {
  const wall = wallClock(instantMs, zone);
  return utcMidnightOf(wall.day) + wall.timeOfDayMs - Math.floor(instantMs / 1000) * 1000;
}

/** The local day an instant falls on. `zone` is a canonical name (canonicalTimeZone). */
export const localDayOf = (instantMs: number, zone: string): Day => wallClock(instantMs, zone).day;

// Local midnight lies within a day of UTC midnight: every offset any zone has had is under 16
// hours (local mean times included), so ±26 hours brackets it with room to spare.
const searchReachMs = 26 * 3_600_000;

/**
 * The first instant of a local day. Usually local midnight; where a clock change skips midnight,
 * the moment the day begins after the jump; where a day is skipped whole, the start of the next.
 */
export function startOfLocalDay(day: Day, zone: string): number {
  const utcMidnight = utcMidnightOf(day);
  let guess = utcMidnight - offsetAt(utcMidnight, zone);
  guess = utcMidnight - offsetAt(guess, zone);
  if (localDayOf(guess, zone) === day && localDayOf(guess - 1, zone) < day) return guess;
  // Midnight does not exist on this day (or the offset changed around it): search for the first
  // instant of the day, to the minute.
  let low = utcMidnight - searchReachMs;
  let high = utcMidnight + searchReachMs;
  while (high - low > minuteMs) {
    const middle = low + Math.floor((high - low) / 2 / minuteMs) * minuteMs;
    if (localDayOf(middle, zone) < day) low = middle;
    else high = middle;
  }
  return high;
}

export class NotQuarterHourAlignedError extends Error {
  constructor(readonly day: Day) {
    super(`local day ${dayName(day)} does not start on a quarter-hour of UTC`);
    this.name = 'NotQuarterHourAlignedError';
  }
}

/**
 * The start of every local day from `first` to the day after `last`: the boundaries of the days
 * from `first` to `last`. Each must fall on a UTC quarter-hour, since that is what is counted.
 */
export function localDayBoundaries(first: Day, last: Day, zone: string): number[] {
  const boundaries: number[] = [];
  let offset: number | undefined;
  for (let day = first; day <= last + 1; day++) {
    const utcMidnight = utcMidnightOf(day);
    const key = `${zone} ${day}`;
    let start = dayStarts.get(key);
    if (start === undefined) {
      // Offsets change a few times a year: try yesterday's first, which costs one lookup.
      const candidate = offset === undefined ? undefined : utcMidnight - offset;
      start =
        candidate !== undefined && offsetAt(candidate, zone) === offset
          ? candidate
          : startOfLocalDay(day, zone);
      remember(dayStarts, key, start, maxCachedDayStarts);
    }
    if (start % quarterHourMs !== 0) throw new NotQuarterHourAlignedError(day);
    boundaries.push(start);
    offset = utcMidnight - start;
  }
  return boundaries;
}

// Where each local day of a zone starts never changes (short of new zone rules, which come with a
// new runtime), and a warm function is asked about the same days again and again: keep them.
const dayStarts = new Map<string, number>();
const maxCachedDayStarts = 50_000;
