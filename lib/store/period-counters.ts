// Reads the counters a messages-sent answer needs, each with one Query over a sort-key range: the
// day counters of UTC days, or the quarter-hours of the UTC days a time zone's local days cover.
import { type DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import type { CounterReads } from '../report/messages-sent-service.js';
import {
  dayName,
  dayOfName,
  quarterHourMs,
  quarterHoursPerDay,
  utcDayOf,
} from '../utc-calendar.js';
import { dayPartition, quarterHoursOf, quarterHoursPartition } from './counter-keys.js';

export class CounterReader implements CounterReads {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Items per page; DynamoDB's own 1 MB page limit applies when unset. */
    private readonly pageSize?: number,
  ) {}

  /** Messages per day from `firstDay` to `lastDay` (`YYYY-MM-DD`), inclusive; absent days are 0. */
  async dayCounts(firstDay: string, lastDay: string): Promise<Map<string, number>> {
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

  /**
   * Messages sent between consecutive instants of `starts` (each on a UTC quarter-hour, in order):
   * element i counts [starts[i], starts[i + 1]). Reads one quarter-hours item per UTC day from the
   * first instant's to the last's.
   */
  async countsBetween(starts: readonly number[]): Promise<number[]> {
    const [first] = starts;
    const last = starts.at(-1);
    if (first === undefined || last === undefined || starts.length < 2) return [];
    const firstDay = utcDayOf(first);
    const days = new Map<number, number[]>();
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :quarterHours AND sk BETWEEN :first AND :last',
        ExpressionAttributeValues: {
          ':quarterHours': quarterHoursPartition,
          ':first': dayName(firstDay),
          // The last instant's own day counts only up to it: up to its previous quarter-hour.
          ':last': dayName(utcDayOf(last - quarterHourMs)),
        },
        ProjectionExpression: 'sk, quarters',
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        days.set(dayOfName(String(item.sk)), quarterHoursOf(item).counts);
      }
    }
    // Messages sent from the first day's 00:00 UTC up to each instant; then their differences.
    let sent = 0;
    let at = firstDay * quarterHoursPerDay;
    const sentBefore = starts.map((start) => {
      for (const end = start / quarterHourMs; at < end; at++) {
        const day = Math.floor(at / quarterHoursPerDay);
        sent += days.get(day)?.[at - day * quarterHoursPerDay] ?? 0;
      }
      return sent;
    });
    return sentBefore.slice(1).map((count, index) => count - (sentBefore[index] as number));
  }
}
