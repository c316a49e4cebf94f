// Every item of the Counters table, and the one place its keys are built.
//
//   item             pk                       sk                   attributes
//   day counter      day                      2023-05-30           messages (N), version (N)
//   quarter-hours    quarter-hours            2023-05-30           quarters (S), version (N)
//   applied mark     shard#<shardId>          <stream ARN>         through (S), throughEventId
//                                                                  (S), expiresAt (N)
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
// and the window before it, in day order. A UTC day's 96 quarter-hour counts are one item of their
// own partition, in one text attribute (`quarters`: the counts from 00:00 UTC, comma-separated,
// zeros left empty and trailing ones out; under 1 KB on the busiest day). A local day in any zone
// starts on a quarter-hour, so an answer in any time zone reads one small item per UTC day, as a
// UTC answer does: one attribute to read instead of 96 numbers (which is what a read of DynamoDB
// costs, more than bytes). Text cannot be added to, so the counting function reads the item and
// writes it back on the condition that `version`, the number of writes it has had, is unchanged.
import { type Counter, dayOfPeriod } from '../counting/changes.js';
import type { ShardRef } from '../counting/count-changes.js';
import { quarterHourName, quarterHoursPerDay } from '../utc-calendar.js';
import type { ItemKey } from './item-key.js';

export const dayPartition = 'day';
export const quarterHoursPartition = 'quarter-hours';
const legacyQuarterHourPrefix = 'quarter-hour#';

/** The item a counter is kept in. */
export function counterItemKey({ unit, period }: Counter): ItemKey {
  return unit === 'day'
    ? { pk: dayPartition, sk: period }
    : { pk: quarterHoursPartition, sk: dayOfPeriod(period) };
}

/** A UTC day's quarter-hours item: the count of each quarter-hour from 00:00, and its version. */
export interface QuarterHours {
  counts: number[];
  /** Writes the item has had; absent when there is no item. */
  version?: number;
}

export class UnreadableCounterItem extends Error {
  constructor(day: string) {
    super(`the quarter-hours item of ${day} cannot be read: its quarters are not 96 counts`);
    this.name = 'UnreadableCounterItem';
  }
}

/**
 * The quarter-hours an item holds; an item that is not there holds zeros. One that cannot be read
 * is an error, never zeros: an answer from it would be wrong, and a write from it would lose what
 * it held.
 */
export function quarterHoursOf(item: Record<string, unknown> | undefined): QuarterHours {
  const counts = new Array<number>(quarterHoursPerDay).fill(0);
  if (!item) return { counts };
  const quarters = item.quarters ?? '';
  const texts = typeof quarters === 'string' ? quarters.split(',') : [];
  if (typeof quarters !== 'string' || texts.length > quarterHoursPerDay) {
    throw new UnreadableCounterItem(String(item.sk));
  }
  texts.forEach((text, quarter) => {
    const count = text === '' ? 0 : Number(text);
    if (!Number.isSafeInteger(count) || !/^-?\d*$/.test(text)) {
      throw new UnreadableCounterItem(String(item.sk));
    }
    counts[quarter] = count;
  });
  return item.version === undefined ? { counts } : { counts, version: Number(item.version) };
}

/** A quarter-hours item to write: the counts as text, and the next version. */
export function quarterHoursItem(day: string, { counts, version }: QuarterHours) {
  let last = counts.length;
  while (last > 0 && counts[last - 1] === 0) last--;
  const quarters = counts
    .slice(0, last)
    .map((count) => (count === 0 ? '' : String(count)))
    .join(',');
  return { pk: quarterHoursPartition, sk: day, quarters, version: (version ?? 0) + 1 };
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
  return quarterHoursOf(item).counts.map((messages, quarter) => ({
    counter: { unit: 'quarter-hour', period: quarterHourName(day, quarter) },
    messages,
  }));
}

/** The partition a version before quarter-hours items kept a UTC month's quarter-hours in. */
export const legacyQuarterHourPartition = (month: string) => `${legacyQuarterHourPrefix}${month}`;

const appliedMarkPrefix = 'shard#';
const runMarkerPrefix = 'run#';

/** Where a shard's applied mark lives (lib/counting/count-changes.ts). */
export function appliedMarkKey({ streamArn, shardId }: ShardRef): ItemKey {
  return { pk: `${appliedMarkPrefix}${shardId}`, sk: streamArn };
}

/** A filter for the applied marks of one stream, for reading them all with a Scan. */
export const appliedMarksOfStream = (streamArn: string) => ({
  FilterExpression: 'begins_with(pk, :markPrefix) AND sk = :streamArn',
  ExpressionAttributeValues: { ':markPrefix': appliedMarkPrefix, ':streamArn': streamArn },
});

/** The shard id (as Lambda named it) of an applied mark's key. */
export const shardIdOfMark = ({ pk }: { pk?: unknown }) =>
  String(pk).slice(appliedMarkPrefix.length);

/**
 * A marker of the batch that started at a record, as versions before applied marks wrote them:
 * they live 48 hours, so they only matter to deliveries and reconciliations right after an upgrade.
 */
export function runMarkerKey(firstEventId: string): ItemKey {
  return { pk: `${runMarkerPrefix}${firstEventId}`, sk: 'run' };
}

export function reportKey(days: number, endDay: string, timeZone?: string): ItemKey {
  return { pk: timeZone ? `report#${days}d#${timeZone}` : `report#${days}d`, sk: endDay };
}
