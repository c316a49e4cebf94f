// Every item of the Counters table, and the one place its keys are built.
//
//   item             pk                       sk                   attributes
//   day counter      day                      2023-05-30           messages (N), version (N)
//   quarter-hours    quarter-hours            2023-05-30           c0015 … c2400 (N), version (N)
//   applied mark     shard#<shardId>          <stream ARN>         through (S), expiresAt (N)
//   run marker       run#<eventID>            run                  through (S), expiresAt (N);
//                                                                  written by versions before
//                                                                  applied marks, read only
//   quarter-hour     quarter-hour#2023-05     2023-05-30T13:45     messages (N), version (N);
//                                                                  written by versions before
//                                                                  quarter-hours items, read
//                                                                  only by `counters upgrade`
//   report           report#<days>d[#<zone>]  2023-05-30           the report (M), createdAt
//
// All day counters share one partition, so one Query over a sort-key range returns a whole window
// and the window before it, in day order. A UTC day's quarter-hours are one item of their own
// partition, kept as running totals: `c1345` is the number of messages sent that day before 13:45
// UTC (a missing one is 0; `c2400` is the day's total). A time zone's local day starts on some
// quarter-hour, so its count is a difference of two running totals: an answer in any zone reads
// one item per UTC day, projected to the two or three totals at its days' boundaries, about what a
// UTC answer reads. Adding a message adds to every total after its quarter-hour (at most 96, in one
// update of one item, under 1 KB). `version` counts the writes an item has had.
import type { Counter } from '../counting/changes.js';
import type { ShardRef } from '../counting/count-changes.js';

export interface ItemKey {
  pk: string;
  sk: string;
}

export const dayPartition = 'day';
export const quarterHoursPartition = 'quarter-hours';
const legacyQuarterHourPrefix = 'quarter-hour#';

const minutesPerQuarterHour = 15;
const minutesPerDay = 24 * 60;

/** The running total of a day's messages sent before `minute` (a multiple of 15, 15 to 1440). */
export function runningTotalAttribute(minute: number): string {
  const hours = String(Math.floor(minute / 60)).padStart(2, '0');
  return `c${hours}${String(minute % 60).padStart(2, '0')}`;
}

const minuteOfRunningTotal = (attribute: string) =>
  Number(attribute.slice(1, 3)) * 60 + Number(attribute.slice(3, 5));

const isRunningTotal = (name: string) => /^c\d{4}$/.test(name);

/** The item a counter is kept in. */
export function counterItemKey({ unit, period }: Counter): ItemKey {
  return unit === 'day'
    ? { pk: dayPartition, sk: period }
    : { pk: quarterHoursPartition, sk: period.slice(0, 10) };
}

/** What adding `delta` to a counter adds to each attribute of its item. */
export function attributeDeltas({ unit, period }: Counter, delta: number): Map<string, number> {
  if (unit === 'day') return new Map([['messages', delta]]);
  const start = Number(period.slice(11, 13)) * 60 + Number(period.slice(14, 16));
  const deltas = new Map<string, number>();
  for (
    let end = start + minutesPerQuarterHour;
    end <= minutesPerDay;
    end += minutesPerQuarterHour
  ) {
    deltas.set(runningTotalAttribute(end), delta);
  }
  return deltas;
}

/** The counters an item of the day or quarter-hours partition holds, with their values. */
export function countersOfItem(
  item: Record<string, unknown>,
): { counter: Counter; messages: number }[] {
  const day = String(item.sk);
  if (item.pk === dayPartition) {
    return [{ counter: { unit: 'day', period: day }, messages: Number(item.messages ?? 0) }];
  }
  if (item.pk !== quarterHoursPartition) return [];
  const totals = new Map(
    Object.entries(item)
      .filter(([name]) => isRunningTotal(name))
      .map(([name, value]) => [minuteOfRunningTotal(name), Number(value)]),
  );
  const counters: { counter: Counter; messages: number }[] = [];
  let before = 0;
  for (let end = minutesPerQuarterHour; end <= minutesPerDay; end += minutesPerQuarterHour) {
    // A missing running total was never added to: nothing was sent that day before it.
    const total = totals.get(end) ?? 0;
    if (totals.has(end)) {
      const start = end - minutesPerQuarterHour;
      const time = `${String(Math.floor(start / 60)).padStart(2, '0')}:${String(start % 60).padStart(2, '0')}`;
      counters.push({
        counter: { unit: 'quarter-hour', period: `${day}T${time}` },
        messages: total - before,
      });
    }
    before = total;
  }
  return counters;
}

/** The partition a version before quarter-hours items kept a UTC month's quarter-hours in. */
export const legacyQuarterHourPartition = (month: string) => `${legacyQuarterHourPrefix}${month}`;

const appliedMarkPrefix = 'shard#';
const runMarkerPrefix = 'run#';

/** Where a shard's applied mark lives (lib/counting/count-changes.ts). */
export function appliedMarkKey({ streamArn, shardId }: ShardRef): ItemKey {
  return { pk: `${appliedMarkPrefix}${shardId}`, sk: streamArn };
}

/**
 * A marker of the batch that started at a record, as versions before applied marks wrote them:
 * they live 48 hours, so they only matter to deliveries and reconciliations right after an upgrade.
 */
export function runMarkerKey(firstEventId: string): ItemKey {
  return { pk: `${runMarkerPrefix}${firstEventId}`, sk: 'run' };
}

/** The eventID a run marker's partition key names. */
export const eventIdOfRunMarker = (pk: string) => pk.slice(runMarkerPrefix.length);

export function reportKey(days: number, endDay: string, timeZone?: string): ItemKey {
  return { pk: timeZone ? `report#${days}d#${timeZone}` : `report#${days}d`, sk: endDay };
}
