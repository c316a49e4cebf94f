// Every item of the Counters table, and the one place its keys are built.
//
//   item             pk                       sk                   attributes
//   day counter      day                      2023-05-30           messages (N), version (N)
//   quarter-hour     quarter-hour#2023-05     2023-05-30T13:45     messages (N), version (N)
//   applied mark     shard#<shardId>          <stream ARN>         through (S), expiresAt (N)
//   run marker       run#<eventID>            run                  through (S), expiresAt (N);
//                                                                  written by versions before
//                                                                  applied marks, read only
//   report           report#<days>d[#<zone>]  2023-05-30           the report (M), createdAt
//
// All day counters share one partition, so one Query over a sort-key range returns a whole window
// and the window before it, in day order. Quarter-hours are partitioned by UTC month, so a query
// over many months can read its partitions in parallel and no partition grows without bound.
// Counters hold `messages`, the number of counted messages sent in that period, and `version`, the
// number of writes they have had.
import type { CounterUnit } from '../counting/changes.js';
import type { ShardRef } from '../counting/count-changes.js';

export interface ItemKey {
  pk: string;
  sk: string;
}

export const dayPartition = 'day';

export function counterKey(unit: CounterUnit, period: string): ItemKey {
  return unit === 'day'
    ? { pk: dayPartition, sk: period }
    : { pk: quarterHourPartition(period.slice(0, 7)), sk: period };
}

/** `2023-05` → the partition holding that month's quarter-hours. */
export function quarterHourPartition(month: string): string {
  return `quarter-hour#${month}`;
}

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
