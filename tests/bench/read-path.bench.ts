// The read path against the naive alternative: a 30-day answer (and the 30 days before it) from
// the Messages table itself — a GSI on the day, counting items — or from the day counters, at
// 10k, 100k and 1M messages. The counters read the same 60 items whatever the number of messages.
import {
  CreateTableCommand,
  DeleteTableCommand,
  QueryCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { counterItemKey } from '../../lib/store/counter-keys.js';
import { CounterReader } from '../../lib/store/period-counters.js';
import { putAll } from '../../lib/store/put-all.js';
import { type Benchmark, type BenchRow, compared } from './harness.js';
import { median, timed } from './stats.js';

const spreadDays = 365;
const firstDay = Date.UTC(2023, 0, 1);
const dayName = (index: number) =>
  new Date(firstDay + index * 86_400_000).toISOString().slice(0, 10);
// The question: days 300..329 and, for the variation, 270..299.
const asked = Array.from({ length: 60 }, (_, i) => dayName(270 + i));

export const readPathBenchmark: Benchmark = {
  name: 'read-path',
  async run(context): Promise<BenchRow[]> {
    const client = DynamoDBDocumentClient.from(context.client);
    const sizes = [10_000, 100_000, Number(process.env.BENCH_READ_PATH_LARGEST ?? 1_000_000)];
    const rows: BenchRow[] = [];
    for (const size of sizes) {
      const table = `bench-naive-messages-${size}`;
      await context.client.send(
        new CreateTableCommand({
          TableName: table,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: '_id', AttributeType: 'S' },
            { AttributeName: 'day', AttributeType: 'S' },
          ],
          KeySchema: [{ AttributeName: '_id', KeyType: 'HASH' }],
          GlobalSecondaryIndexes: [
            {
              IndexName: 'by-day',
              KeySchema: [{ AttributeName: 'day', KeyType: 'HASH' }],
              Projection: { ProjectionType: 'KEYS_ONLY' },
            },
          ],
        }),
      );
      await waitUntilTableExists({ client: context.client, maxWaitTime: 60 }, { TableName: table });
      process.stderr.write(`  writing ${size.toLocaleString('en')} messages…\n`);
      const perDay = new Map<string, number>();
      await putAll(
        client,
        table,
        (function* () {
          for (let i = 0; i < size; i++) {
            const day = dayName(i % spreadDays);
            perDay.set(day, (perDay.get(day) ?? 0) + 1);
            yield { _id: `n${i}`, day, ts: `${day}T12:00:00.000Z`, rid: 'GENERAL', roomType: 'c' };
          }
        })(),
        32,
      );
      // The same messages as day counters (what count-messages would have built).
      const countersTable = context.tables.counters;
      await putAll(
        client,
        countersTable,
        [...perDay].map(([day, messages]) => ({
          ...counterItemKey({ unit: 'day', period: `${size}-${day}` }),
          messages,
        })),
      );

      const naive = async () => {
        const counts = await Promise.all(
          asked.map(async (day) => {
            let read = 0;
            let total = 0;
            let ExclusiveStartKey: Record<string, never> | undefined;
            do {
              const page = await context.client.send(
                new QueryCommand({
                  TableName: table,
                  IndexName: 'by-day',
                  KeyConditionExpression: '#day = :day',
                  ExpressionAttributeNames: { '#day': 'day' },
                  ExpressionAttributeValues: { ':day': { S: day } },
                  Select: 'COUNT',
                  ExclusiveStartKey,
                }),
              );
              read += page.ScannedCount ?? 0;
              total += page.Count ?? 0;
              ExclusiveStartKey = page.LastEvaluatedKey as typeof ExclusiveStartKey;
            } while (ExclusiveStartKey);
            return { read, total };
          }),
        );
        return counts.reduce(
          (sum, c) => ({ read: sum.read + c.read, total: sum.total + c.total }),
          { read: 0, total: 0 },
        );
      };
      const counters = new CounterReader(client, countersTable);
      const fromCounters = () =>
        counters.dayCounts(`${size}-${asked[0]}`, `${size}-${asked.at(-1)}`);

      const [{ read: naiveRead, total }] = await timed(naive);
      const counted = [...(await fromCounters()).values()].reduce((a, b) => a + b, 0);
      if (counted !== total) throw new Error(`counters say ${counted}, the messages ${total}`);
      const naiveTimes: number[] = [];
      const counterTimes: number[] = [];
      const runs = size >= 1_000_000 ? 3 : 7;
      for (let i = 0; i < runs; i++) {
        naiveTimes.push((await timed(naive))[1]);
        counterTimes.push((await timed(fromCounters))[1]);
      }
      rows.push(
        compared(
          {
            benchmark: 'read-path',
            measure: `30-day answer at ${size.toLocaleString('en')} messages: naive GSI count (median of ${runs})`,
            value: median(naiveTimes),
            unit: 'ms',
          },
          'day counters',
          median(counterTimes),
        ),
        compared(
          {
            benchmark: 'read-path',
            measure: `30-day answer at ${size.toLocaleString('en')} messages: items read, naive`,
            value: naiveRead,
            unit: 'items',
          },
          'day counters',
          asked.length,
        ),
      );
      await context.client.send(new DeleteTableCommand({ TableName: table }));
    }
    return rows;
  },
};
