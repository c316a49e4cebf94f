// Reads the counters a messages-sent answer needs: day counters with one Query over a sort-key
// range of the day partition; quarter-hours with one Query per UTC month, all at once.
import { type DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { monthsBetween, quarterHourMs, quarterHourOf } from '../periods.js';
import { dayPartition, quarterHourPartition } from './counter-keys.js';

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

  /** Messages per quarter-hour (`YYYY-MM-DDTHH:mm`) in [fromMs, toMs); absent ones are 0. */
  async countsBetween(fromMs: number, toMs: number): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (toMs <= fromMs) return counts;
    const first = quarterHourOf(fromMs);
    const last = quarterHourOf(toMs - quarterHourMs);
    // Each month's partition is read in parallel with the others: one round trip of wall time.
    await Promise.all(
      monthsBetween(first, last).map(async (month) => {
        const pages = paginateQuery(
          { client: this.client },
          {
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :month AND sk BETWEEN :first AND :last',
            ExpressionAttributeValues: {
              ':month': quarterHourPartition(month),
              ':first': first,
              ':last': last,
            },
            ProjectionExpression: 'sk, messages',
          },
        );
        for await (const page of pages) {
          for (const item of page.Items ?? []) {
            counts.set(String(item.sk), Number(item.messages ?? 0));
          }
        }
      }),
    );
    return counts;
  }
}
