// Reads the counters a messages-sent answer needs, each with one Query over a sort-key range: the
// day counters of UTC days, or the quarter-hours of the UTC days a time zone's local days cover.
import { type DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { quarterHourMs, quarterHourOf } from '../periods.js';
import { countersOfItem, dayPartition, quarterHoursPartition } from './counter-keys.js';

export class DayCounters {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Items per page; DynamoDB's own 1 MB page limit applies when unset. */
    private readonly pageSize?: number,
  ) {}

  /** Messages per day from `firstDay` to `lastDay` (`YYYY-MM-DD`), inclusive; absent days are 0. */
  async countsBetween(firstDay: string, lastDay: string): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    const pages = paginateQuery(
      { client: this.client, ...(this.pageSize ? { pageSize: this.pageSize } : {}) },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :day AND sk BETWEEN :first AND :last',
        ExpressionAttributeValues: { ':day': dayPartition, ':first': firstDay, ':last': lastDay },
        ProjectionExpression: 'sk, messages',
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) counts.set(String(item.sk), Number(item.messages ?? 0));
    }
    return counts;
  }
}

export class QuarterHourCounters {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Messages per quarter-hour (`YYYY-MM-DDTHH:mm`) in [fromMs, toMs); absent ones are 0. One item
   * holds a UTC day's quarter-hours, so this reads one item per UTC day the range touches.
   */
  async countsBetween(fromMs: number, toMs: number): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (toMs <= fromMs) return counts;
    const first = quarterHourOf(fromMs);
    const last = quarterHourOf(toMs - quarterHourMs);
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :quarterHours AND sk BETWEEN :first AND :last',
        ExpressionAttributeValues: {
          ':quarterHours': quarterHoursPartition,
          ':first': first.slice(0, 10),
          ':last': last.slice(0, 10),
        },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        for (const { counter, messages } of countersOfItem(item)) {
          if (counter.period >= first && counter.period <= last)
            counts.set(counter.period, messages);
        }
      }
    }
    return counts;
  }
}
