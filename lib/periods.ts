// UTC calendar arithmetic on the instants the service stores and answers with. Days are named
// `YYYY-MM-DD` and quarter-hours `YYYY-MM-DDTHH:mm`, which sort the same way as the instants.

export const minuteMs = 60_000;
export const quarterHourMs = 15 * minuteMs;
export const dayMs = 24 * 60 * minuteMs;

/** `2023-05-30T13:45` for any instant in [13:45, 14:00) UTC that day. */
export function quarterHourOf(instantMs: number): string {
  return new Date(Math.floor(instantMs / quarterHourMs) * quarterHourMs).toISOString().slice(0, 16);
}

/**
 * The day and quarter-hour of a timestamp already known to be in `toISOString()` form, read off
 * its text: the counting function does this for every record, and needs no Date for it.
 */
export function periodsOfTimestamp(iso: string): { day: string; quarterHour: string } {
  const quarter = Math.floor(Number(iso.slice(14, 16)) / 15) * 15;
  return {
    day: iso.slice(0, 10),
    quarterHour: `${iso.slice(0, 14)}${quarter === 0 ? '00' : quarter}`,
  };
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

/** The instant a day or quarter-hour name starts at. */
export function instantOf(periodName: string): number {
  return Date.parse(
    periodName.length === 10 ? `${periodName}T00:00:00.000Z` : `${periodName}:00.000Z`,
  );
}
