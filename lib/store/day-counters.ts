// Reads day counters: one Query over a sort-key range of the day partition.
import { type DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { dayPartition } from './counter-keys.js';

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
