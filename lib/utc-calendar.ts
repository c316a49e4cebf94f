// The UTC calendar: every piece of day and quarter-hour arithmetic the service does. Time-zone
// days (lib/report/local-days.ts) are built on it.
//
// Days are whole numbers: days since 1970-01-01 (negative before it). Windows are computed and
// compared on these numbers, never on `YYYY-MM-DD` text, which stops sorting in date order at the
// signed six-digit years toISOString() writes outside 0000–9999 (`+010000-01-01` sorts before
// `9999-12-31`). The arithmetic is plain integer arithmetic, so it holds for any day a window of
// the whole ECMAScript date range (years −271821 to 275760) can reach, and a little beyond it.
// Stored counters are named by text: days `YYYY-MM-DD`, quarter-hours `YYYY-MM-DDTHH:mm`.

export const minuteMs = 60_000;
export const quarterHourMs = 15 * minuteMs;
export const dayMs = 24 * 60 * minuteMs;
export const quarterHoursPerDay = dayMs / quarterHourMs;

/** Days since 1970-01-01: 0 is 1970-01-01, -1 is 1969-12-31. */
export type Day = number;

/** The UTC day an instant falls on. */
export const utcDayOf = (instantMs: number): Day => Math.floor(instantMs / dayMs);

/** The instant a UTC day starts at (it may lie outside what a Date can hold). */
export const utcMidnightOf = (day: Day): number => day * dayMs;

// Proleptic Gregorian calendar in 400-year eras of 146,097 days, with years starting on March 1 so
// that the leap day ends them (Howard Hinnant's days_from_civil and civil_from_days).
const daysPerEra = 146_097;
const daysFrom0000_03_01To1970 = 719_468;

/** The day of a date; `month` is 1–12 and `year` may be 0 or negative (1 BC is year 0). */
export function dayOfDate(year: number, month: number, dayOfMonth: number): Day {
  const marchYear = month <= 2 ? year - 1 : year;
  const era = Math.floor(marchYear / 400);
  const yearOfEra = marchYear - era * 400;
  const dayOfYear = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + dayOfMonth - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * daysPerEra + dayOfEra - daysFrom0000_03_01To1970;
}

/** The date of a day. */
function dateOfDay(day: Day): { year: number; month: number; dayOfMonth: number } {
  const shifted = day + daysFrom0000_03_01To1970;
  const era = Math.floor(shifted / daysPerEra);
  const dayOfEra = shifted - era * daysPerEra;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const marchMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const month = marchMonth < 10 ? marchMonth + 3 : marchMonth - 9;
  return {
    year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0),
    month,
    dayOfMonth: dayOfYear - Math.floor((153 * marchMonth + 2) / 5) + 1,
  };
}

/** The date part of toISOString(): `YYYY-MM-DD`, or `±YYYYYY-MM-DD` outside years 0000–9999. */
export function dayName(day: Day): string {
  const { year, month, dayOfMonth } = dateOfDay(day);
  const yearText =
    year >= 0 && year <= 9999
      ? String(year).padStart(4, '0')
      : `${year < 0 ? '-' : '+'}${String(Math.abs(year)).padStart(6, '0')}`;
  return `${yearText}-${String(month).padStart(2, '0')}-${String(dayOfMonth).padStart(2, '0')}`;
}

/** The day a `YYYY-MM-DD` name (as stored in the day counters) stands for. */
export function dayOfName(name: string): Day {
  return dayOfDate(Number(name.slice(0, 4)), Number(name.slice(5, 7)), Number(name.slice(8, 10)));
}

/**
 * The day and quarter-hour of a timestamp already known to be in `toISOString()` form with a
 * four-digit year, read off its text: the counting function does this for every record, and needs
 * no Date for it.
 */
export function periodsOfTimestamp(iso: string): { day: string; quarterHour: string } {
  const quarter = Math.floor(Number(iso.slice(14, 16)) / 15) * 15;
  return {
    day: iso.slice(0, 10),
    quarterHour: `${iso.slice(0, 14)}${quarter === 0 ? '00' : quarter}`,
  };
}

/** Which quarter-hour of its UTC day `YYYY-MM-DDTHH:mm` is: 0 for 00:00, 95 for 23:45. */
export const quarterOfDay = (quarterHour: string): number =>
  (Number(quarterHour.slice(11, 13)) * 60 + Number(quarterHour.slice(14, 16))) / 15;

/** The name of a quarter-hour of a day: `2023-05-30T13:45` for quarter 55 of 2023-05-30. */
export function quarterHourName(day: string, quarter: number): string {
  const minutes = quarter * 15;
  const hours = String(Math.floor(minutes / 60)).padStart(2, '0');
  return `${day}T${hours}:${String(minutes % 60).padStart(2, '0')}`;
}

/** `YYYY-MM` of every UTC month from `first` to `last` (each `YYYY-MM…`), inclusive. */
export function monthsBetween(first: string, last: string): string[] {
  // Counted as months since year 0, not compared as text: the month after 9999-12 is written
  // 10000-01, which sorts before it.
  const monthNumber = (name: string) =>
    Number(name.slice(0, 4)) * 12 + Number(name.slice(5, 7)) - 1;
  const months: string[] = [];
  for (let month = monthNumber(first); month <= monthNumber(last); month++) {
    months.push(
      `${String(Math.floor(month / 12)).padStart(4, '0')}-${String((month % 12) + 1).padStart(2, '0')}`,
    );
  }
  return months;
}

// Messages are counted from their `ts` in toISOString() form with four-digit years (the message
// schema, lib/counting/message.ts), so no counter exists outside years 0000–9999: days beyond them
// are known to hold no messages.
export const firstCountedDay: Day = dayOfDate(0, 1, 1);
export const lastCountedDay: Day = dayOfDate(9999, 12, 31);
