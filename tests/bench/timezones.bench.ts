// Time-zone answers: latency of 30-day and 366-day queries in time zones with DST, :30 and :45
// offsets against the same UTC query, and the counter items each reads (counted in DynamoDB's
// answers, through a proxy), on counters with messages in every quarter-hour.
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { counterItemKey, quarterHoursItem } from '../../lib/store/counter-keys.js';
import { putAll } from '../../lib/store/put-all.js';
import { countReads } from '../helpers/dynamodb-reads.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { lambdaContext } from '../helpers/lambda.js';
import { type Benchmark, type BenchRow, compared } from './harness.js';
import { median, timed } from './stats.js';

interface MessagesSent {
  handler(event: unknown, context: Context): Promise<unknown>;
}

// Daylight saving time, and offsets of :30 and :45 from UTC.
const zones = ['America/New_York', 'Asia/Kolkata', 'Asia/Kathmandu'];
const endMs = Date.UTC(2024, 4, 30, 12);
const iso = (ms: number) => new Date(ms).toISOString();

/** Counters for two years before the end: every quarter-hour and day, as a busy chat has. */
async function seedCounters(client: DynamoDBDocumentClient, table: string): Promise<void> {
  const items: Record<string, unknown>[] = [];
  const first = Math.floor((endMs - 2 * 366 * 86_400_000) / 86_400_000) * 86_400_000;
  for (let day = first; day <= endMs + 86_400_000; day += 86_400_000) {
    const name = new Date(day).toISOString().slice(0, 10);
    const counts = Array.from({ length: 96 }, (_, quarter) => 1 + ((day / 900_000 + quarter) % 7));
    const dayTotal = counts.reduce((sum, count) => sum + count, 0);
    items.push(quarterHoursItem(name, { counts }));
    items.push({
      ...counterItemKey({ unit: 'day', period: name }),
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
    const proxy = await startFaultProxy(context.endpoint);
    const { handler } = await context.importFunction<MessagesSent>('messages-sent');
    // The function's client takes the proxy as its endpoint at its first request.
    await context.withEndpoint(proxy.url, () =>
      handler({ start: iso(endMs), end: iso(endMs) }, lambdaContext()),
    );
    const { reads, reset } = countReads(proxy);
    const itemsRead = async (work: () => Promise<unknown>) => {
      reset();
      await work();
      return reads.items.Query ?? 0;
    };
    const rows: BenchRow[] = [];
    try {
      for (const days of [30, 366]) {
        const start = iso(endMs - (days - 1) * 86_400_000);
        const utc = { start, end: iso(endMs) };
        for (let i = 0; i < 5; i++) await handler(utc, lambdaContext());
        const utcItems = await itemsRead(() => handler(utc, lambdaContext()));
        for (const zone of zones) {
          const local = { ...utc, timezone: zone };
          for (let i = 0; i < 5; i++) await handler(local, lambdaContext());
          const utcTimes: number[] = [];
          const localTimes: number[] = [];
          for (let i = 0; i < 15; i++) {
            utcTimes.push((await timed(() => handler(utc, lambdaContext())))[1]);
            localTimes.push((await timed(() => handler(local, lambdaContext())))[1]);
          }
          const localItems = await itemsRead(() => handler(local, lambdaContext()));
          rows.push(
            compared(
              {
                benchmark: 'timezones',
                measure: `${days}-day query in ${zone} (median of 15)`,
                value: median(localTimes),
                unit: 'ms',
                goal: 'ratio ≤ 1.5',
              },
              'same UTC query',
              median(utcTimes),
            ),
            compared(
              {
                benchmark: 'timezones',
                measure: `${days}-day query in ${zone}: counter items read`,
                value: localItems,
                unit: 'items',
                goal: 'ratio ≤ 1.5',
              },
              'same UTC query',
              utcItems,
            ),
          );
        }
      }
    } finally {
      await proxy.close();
    }
    return rows;
  },
};
