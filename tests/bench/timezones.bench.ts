// Time-zone answers: latency of 30-day and 366-day queries in America/Sao_Paulo against the same
// UTC query, and the counter items each reads.
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { counterKey } from '../../lib/store/counter-keys.js';
import { DayCounters, QuarterHourCounters } from '../../lib/store/period-counters.js';
import { putAll } from '../../lib/store/put-all.js';
import { lambdaContext } from '../helpers/lambda.js';
import { type Benchmark, type BenchRow, compared } from './harness.js';
import { median, timed } from './stats.js';

interface MessagesSent {
  handler(event: unknown, context: Context): Promise<unknown>;
}

const zone = 'America/Sao_Paulo';
const endMs = Date.UTC(2024, 4, 30, 12);

/** Counters for two years before the end: every quarter-hour and day, as a busy chat has. */
async function seedCounters(client: DynamoDBDocumentClient, table: string): Promise<void> {
  const items: Record<string, unknown>[] = [];
  const first = endMs - 2 * 366 * 86_400_000;
  for (
    let day = Date.UTC(
      new Date(first).getUTCFullYear(),
      new Date(first).getUTCMonth(),
      new Date(first).getUTCDate(),
    );
    day <= endMs + 86_400_000;
    day += 86_400_000
  ) {
    let dayTotal = 0;
    for (let quarter = 0; quarter < 96; quarter++) {
      const messages = 1 + ((day / 900_000 + quarter) % 7);
      dayTotal += messages;
      items.push({
        ...counterKey('quarter-hour', new Date(day + quarter * 900_000).toISOString().slice(0, 16)),
        messages,
        version: 1,
      });
    }
    items.push({
      ...counterKey('day', new Date(day).toISOString().slice(0, 10)),
      messages: dayTotal,
      version: 1,
    });
  }
  await putAll(client, table, items);
}

export const timezonesBenchmark: Benchmark = {
  name: 'timezones',
  async run(context): Promise<BenchRow[]> {
    const client = DynamoDBDocumentClient.from(context.client);
    await seedCounters(client, context.tables.counters);
    const { handler } = await context.importFunction<MessagesSent>('messages-sent');
    const rows: BenchRow[] = [];
    for (const days of [30, 366]) {
      const start = new Date(endMs - (days - 1) * 86_400_000).toISOString();
      const end = new Date(endMs).toISOString();
      const utc = { start, end };
      const local = { start, end, timezone: zone };
      for (let i = 0; i < 5; i++) {
        await handler(utc, lambdaContext());
        await handler(local, lambdaContext());
      }
      const utcTimes: number[] = [];
      const localTimes: number[] = [];
      for (let i = 0; i < 15; i++) {
        utcTimes.push((await timed(() => handler(utc, lambdaContext())))[1]);
        localTimes.push((await timed(() => handler(local, lambdaContext())))[1]);
      }
      // Items read: what the same queries return (the window and the one before it).
      const dayItems = (
        await new DayCounters(client, context.tables.counters).countsBetween(
          new Date(endMs - (2 * days - 1) * 86_400_000).toISOString().slice(0, 10),
          new Date(endMs).toISOString().slice(0, 10),
        )
      ).size;
      const quarterItems = (
        await new QuarterHourCounters(client, context.tables.counters).countsBetween(
          endMs - (2 * days - 1) * 86_400_000 - 12 * 3_600_000,
          endMs + 12 * 3_600_000,
        )
      ).size;
      rows.push(
        compared(
          {
            benchmark: 'timezones',
            measure: `${days}-day query in ${zone} (median of 15)`,
            value: median(localTimes),
            unit: 'ms',
          },
          'same UTC query',
          median(utcTimes),
        ),
        compared(
          {
            benchmark: 'timezones',
            measure: `${days}-day query in ${zone}: counter items read`,
            value: quarterItems,
            unit: 'items',
          },
          'same UTC query',
          dayItems,
        ),
      );
    }
    return rows;
  },
};
