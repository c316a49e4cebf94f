// counters backfill: 100,000 messages across 400 days, counted once through the stream and once by
// a backfill of an empty Counters table from the same table, give the same counters.
import { randomBytes } from 'node:crypto';
import { UpdateTableCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { adminContext } from '../../infra/admin/context.js';
import { reconcileCounters } from '../../infra/admin/counters.js';
import { createTables, deleteTables } from '../../infra/local/tables.js';
import { putAll } from '../../lib/store/put-all.js';
import { readCounters, recountMessages } from '../helpers/counters.js';
import { messageItem } from '../helpers/messages.js';
import { captureOutput } from '../helpers/output.js';
import { StreamFeeder } from '../helpers/stream.js';
import { localClient, useOwnDynamoDbLocal, useTestTables } from '../helpers/tables.js';

// A hundred thousand messages would slow every later file down in the shared DynamoDB Local.
await useOwnDynamoDbLocal();
const tables = await useTestTables();
captureOutput();
const { handler } = await import('../../functions/count-messages.js');
const client = localClient();
const documentClient = DynamoDBDocumentClient.from(client);
const second = await createTables(
  client,
  `engagement-dashboard-backfill-${randomBytes(3).toString('hex')}`,
);
afterAll(() => deleteTables(client, second.names));

const messageCount = 100_000;
const days = 400;

/** Messages in the order a chat writes them: by time, across rooms of every counted type. */
function* history(): Iterable<Record<string, unknown>> {
  const start = Date.UTC(2022, 0, 1);
  const spacing = (days * 86_400_000) / messageCount;
  for (let i = 0; i < messageCount; i++) {
    yield messageItem({
      _id: `h${i}`,
      rid: `room-${i % 11}`,
      roomType: ['c', 'p', 'd', 'c', 'l'][i % 5] as string,
      ts: new Date(start + Math.floor(i * spacing) + (i % 997)).toISOString(),
      ...(i % 50 === 0 ? { t: 'uj' } : {}),
    });
  }
}

describe('counters backfill', () => {
  it('builds from 100,000 messages over 400 days the counters streaming them built', async () => {
    await putAll(documentClient, tables.messages, history());
    const feeder = await StreamFeeder.of(tables.messages);
    expect(await feeder.deliverNew(handler, 1000)).toBe(messageCount);
    const streamed = await readCounters(tables.counters);

    // The table's history now predates its stream, as for a table the service is added to.
    await client.send(
      new UpdateTableCommand({
        TableName: tables.messages,
        StreamSpecification: { StreamEnabled: false },
      }),
    );
    await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: tables.messages });
    process.env.COUNTERS_TABLE = second.names.counters;
    const context = adminContext(false);
    try {
      const { report } = await reconcileCounters(
        context,
        'backfill',
        { settle: '100', segments: '8' },
        { update: () => {}, done: () => {} },
      );
      expect(report.scannedMessages).toBe(messageCount);
      expect(report.unresolved).toEqual([]);
    } finally {
      context.close();
      process.env.COUNTERS_TABLE = tables.counters;
    }

    const backfilled = await readCounters(second.names.counters);
    expect(Object.keys(backfilled).filter((id) => id.startsWith('day ')).length).toBe(days);
    expect(backfilled).toEqual(streamed);
    expect(backfilled).toEqual(await recountMessages(tables.messages));
  }, 600_000);

  it('refuses a Counters table that already holds counters', async () => {
    const context = adminContext(false);
    try {
      await expect(
        reconcileCounters(
          context,
          'backfill',
          { settle: '1' },
          { update: () => {}, done: () => {} },
        ),
      ).rejects.toThrow(/already holds counters; use `counters reconcile`/);
    } finally {
      context.close();
    }
  });
});
