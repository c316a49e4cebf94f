// counters backfill: messages per second from a Messages table with history into an empty
// Counters table, by the number of parallel Scan segments.
import { UpdateTableCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { adminContext } from '../../infra/admin/context.js';
import { reconcileCounters } from '../../infra/admin/counters.js';
import { createTables, deleteTables } from '../../infra/local/tables.js';
import { putAll } from '../../lib/store/put-all.js';
import { type Benchmark, type BenchRow, compared } from './harness.js';
import { timed } from './stats.js';

const messageCount = 20_000;
const days = 60;

export const backfillBenchmark: Benchmark = {
  name: 'backfill',
  async run(context): Promise<BenchRow[]> {
    const documentClient = DynamoDBDocumentClient.from(context.client);
    const history = await createTables(context.client, 'engagement-dashboard-bench-history');
    const start = Date.UTC(2023, 0, 1);
    await putAll(
      documentClient,
      history.names.messages,
      Array.from({ length: messageCount }, (_, i) => ({
        _id: `bf${i}`,
        rid: `room-${i % 9}`,
        roomType: ['c', 'p', 'd'][i % 3],
        ts: new Date(start + Math.floor((i * days * 86_400_000) / messageCount)).toISOString(),
        msg: 'history',
      })),
    );
    // History that predates the stream, as when the service is added to an existing table.
    await context.client.send(
      new UpdateTableCommand({
        TableName: history.names.messages,
        StreamSpecification: { StreamEnabled: false },
      }),
    );
    await waitUntilTableExists(
      { client: context.client, maxWaitTime: 30 },
      { TableName: history.names.messages },
    );

    const rows: BenchRow[] = [];
    let baseline: number | undefined;
    for (const segments of [1, 4, 8]) {
      const target = await createTables(
        context.client,
        `engagement-dashboard-bench-backfill-${segments}`,
      );
      const saved = {
        MESSAGES_TABLE: process.env.MESSAGES_TABLE,
        COUNTERS_TABLE: process.env.COUNTERS_TABLE,
      };
      Object.assign(process.env, {
        MESSAGES_TABLE: history.names.messages,
        COUNTERS_TABLE: target.names.counters,
      });
      const admin = adminContext(false);
      try {
        const [{ report }, ms] = await timed(() =>
          reconcileCounters(
            admin,
            'backfill',
            { segments: String(segments), settle: '1' },
            { update: () => {}, done: () => {} },
          ),
        );
        if (report.scannedMessages !== messageCount)
          throw new Error(`scanned ${report.scannedMessages}`);
        const rate = (messageCount / ms) * 1000;
        baseline ??= rate;
        rows.push(
          compared(
            {
              benchmark: 'backfill',
              measure: `${messageCount.toLocaleString('en')} messages over ${days} days, ${segments} scan segment${segments > 1 ? 's' : ''} (${report.corrected.length.toLocaleString('en')} counters written)`,
              value: rate,
              unit: 'messages/s',
            },
            '1 segment',
            baseline,
          ),
        );
      } finally {
        admin.close();
        Object.assign(process.env, saved);
        await deleteTables(context.client, target.names);
      }
    }
    await deleteTables(context.client, history.names);
    return rows;
  },
};
