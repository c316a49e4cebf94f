// How changes to counters become DynamoDB writes, one per item: an ADD to a day's total, and a
// day's quarter-hours item written anew from the one read, on the condition that it is still that
// one (its version unchanged). Every write counts itself in `version`. The counting function and
// the reconciliation's repairs both write counters this way.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Counter, counterGroupOf, dayOfPeriod } from '../counting/changes.js';
import { quarterHoursPerDay, quarterOfDay } from '../utc-calendar.js';
import { batchGetAll } from './batch-get.js';
import {
  counterItemKey,
  type QuarterHours,
  quarterHoursItem,
  quarterHoursOf,
} from './counter-keys.js';
import type { ItemKey } from './item-key.js';

export type CounterChange = Counter & { delta: number };

export type CounterWriteItem =
  | {
      Update: {
        TableName: string;
        Key: ItemKey;
        UpdateExpression: string;
        ConditionExpression?: string;
        ExpressionAttributeValues: Record<string, number>;
      };
    }
  | {
      Put: {
        TableName: string;
        Item: Record<string, unknown>;
        ConditionExpression: string;
        ExpressionAttributeValues?: Record<string, number>;
      };
    };

export interface CounterWrite {
  /** `counterGroupOf` of the item's counters. */
  group: string;
  write: CounterWriteItem;
}

export interface CounterWriteOptions {
  /** The quarter-hours items of the days changed, as read (absent or versionless: no item yet). */
  quarterHours: ReadonlyMap<string, QuarterHours>;
  /**
   * The versions the day totals must still have, for repairs computed from a reading; without it
   * a day's total is added to whatever it holds, since additions commute.
   */
  dayVersions?: ReadonlyMap<string, number | undefined>;
}

/** The days whose quarter-hours items the changes need read first. */
export const quarterHourDays = (changes: readonly Counter[]) => [
  ...new Set(
    changes.filter(({ unit }) => unit === 'quarter-hour').map(({ period }) => dayOfPeriod(period)),
  ),
];

export function counterWrites(
  tableName: string,
  changes: readonly CounterChange[],
  { quarterHours, dayVersions }: CounterWriteOptions,
): CounterWrite[] {
  const dayDeltas = new Map<string, number>();
  const quarterCounts = new Map<string, number[]>();
  for (const { unit, period, delta } of changes) {
    const day = dayOfPeriod(period);
    if (unit === 'day') {
      dayDeltas.set(day, (dayDeltas.get(day) ?? 0) + delta);
      continue;
    }
    let counts = quarterCounts.get(day);
    if (!counts) {
      counts = [
        ...(quarterHours.get(day)?.counts ?? new Array<number>(quarterHoursPerDay).fill(0)),
      ];
      quarterCounts.set(day, counts);
    }
    counts[quarterOfDay(period)] = (counts[quarterOfDay(period)] ?? 0) + delta;
  }
  const writes: CounterWrite[] = [];
  for (const [day, delta] of dayDeltas) {
    const counter = { unit: 'day', period: day } as const;
    const version = dayVersions?.get(day);
    writes.push({
      group: counterGroupOf(counter),
      write: {
        Update: {
          TableName: tableName,
          Key: counterItemKey(counter),
          UpdateExpression: 'ADD messages :delta, version :one',
          ExpressionAttributeValues: {
            ':delta': delta,
            ':one': 1,
            ...(version === undefined ? {} : { ':version': version }),
          },
          ...(dayVersions === undefined
            ? {}
            : {
                ConditionExpression:
                  version === undefined ? 'attribute_not_exists(version)' : 'version = :version',
              }),
        },
      },
    });
  }
  for (const [day, counts] of quarterCounts) {
    const { version } = quarterHours.get(day) ?? {};
    writes.push({
      group: counterGroupOf({ unit: 'quarter-hour', period: day }),
      write: {
        Put: {
          TableName: tableName,
          Item: quarterHoursItem(day, version === undefined ? { counts } : { counts, version }),
          ...(version === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: 'version = :version',
                ExpressionAttributeValues: { ':version': version },
              }),
        },
      },
    });
  }
  return writes;
}

/** The quarter-hours items of the days, read consistently, for writes computed from them. */
export async function readQuarterHours(
  client: DynamoDBDocumentClient,
  tableName: string,
  days: readonly string[],
): Promise<Map<string, QuarterHours>> {
  const keys = days.map((day) => counterItemKey({ unit: 'quarter-hour', period: day }));
  const items = await batchGetAll(client, tableName, keys);
  return new Map(items.map((item) => [String(item.sk), quarterHoursOf(item)]));
}
