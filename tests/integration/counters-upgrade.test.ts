// `counters upgrade`: a deployment whose quarter-hours are kept the previous way (one item per
// quarter-hour) gets them rebuilt in the current layout, while the stream keeps counting, and the
// old items deleted; time-zone answers are exact afterwards.
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  paginateScan,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { adminContext } from '../../infra/admin/context.js';
import { reconcileCounters } from '../../infra/admin/counters.js';
import { startStreamPoller } from '../../infra/local/stream-poller.js';
import {
  countersOfItem,
  legacyQuarterHourPartition,
  quarterHoursPartition,
} from '../../lib/store/counter-keys.js';
import { readCounters, recountMessages } from '../helpers/counters.js';
import { MessagesTable, messageItem } from '../helpers/messages.js';
import { captureOutput } from '../helpers/output.js';
import { streamArnOf } from '../helpers/stream.js';
import { localClient, useTestTables } from '../helpers/tables.js';

const tables = await useTestTables();
captureOutput();
const { handler } = await import('../../functions/count-messages.js');
const messages = new MessagesTable(tables.messages);
const documentClient = DynamoDBDocumentClient.from(localClient());
const poller = startStreamPoller({
  streamArn: await streamArnOf(tables.messages),
  handler,
  idleDelayMs: 50,
});
afterAll(() => poller.stop());

async function itemsOf(partition: (pk: string) => boolean): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateScan(
    { client: documentClient },
    { TableName: tables.counters, ConsistentRead: true },
  )) {
    items.push(...(page.Items ?? []).filter((item) => partition(String(item.pk))));
  }
  return items;
}

/** Rewrites the quarter-hours as the previous version kept them: one item each, by month. */
async function toPreviousLayout(): Promise<number> {
  const current = await itemsOf((pk) => pk === quarterHoursPartition);
  let written = 0;
  for (const item of current) {
    for (const { counter, messages: count } of countersOfItem(item)) {
      if (count === 0) continue;
      await documentClient.send(
        new PutCommand({
          TableName: tables.counters,
          Item: {
            pk: legacyQuarterHourPartition(counter.period.slice(0, 7)),
            sk: counter.period,
            messages: count,
            version: 1,
          },
        }),
      );
      written += 1;
    }
    await documentClient.send(
      new DeleteCommand({ TableName: tables.counters, Key: { pk: item.pk, sk: item.sk } }),
    );
  }
  return written;
}

const sentAt = (day: number, minute: number) =>
  new Date(Date.UTC(2024, 9, 1 + day, 0, minute)).toISOString();

describe('counters upgrade', () => {
  it('rebuilds the quarter-hours of every day from a recount while the stream counts, and deletes the old items', async () => {
    for (let i = 0; i < 120; i++) {
      await messages.put(messageItem({ _id: `old-${i}`, ts: sentAt(i % 40, (i * 97) % 1440) }));
    }
    await poller.drained();
    const legacyItems = await toPreviousLayout();
    expect(legacyItems).toBeGreaterThan(100);
    expect(
      Object.keys(await readCounters(tables.counters)).every((id) => id.startsWith('day')),
    ).toBe(true);

    const context = adminContext(false);
    let upgrade: Awaited<ReturnType<typeof reconcileCounters>>;
    try {
      const writer = (async () => {
        for (let i = 0; i < 30; i++) {
          await messages.put(messageItem({ _id: `new-${i}`, ts: sentAt(i % 3, i * 11) }));
        }
      })();
      [upgrade] = await Promise.all([
        reconcileCounters(
          context,
          'upgrade',
          { settle: '300' },
          { update: () => {}, done: () => {} },
        ),
        writer,
      ]);
    } finally {
      context.close();
    }
    await poller.drained();

    expect(upgrade.output).toContain(
      `${legacyItems} quarter-hour items of the previous layout were deleted`,
    );
    expect(await itemsOf((pk) => pk.startsWith('quarter-hour#'))).toEqual([]);
    expect(await readCounters(tables.counters)).toEqual(await recountMessages(tables.messages));
  });

  it('refuses a range: the upgrade covers every day', async () => {
    const context = adminContext(false);
    try {
      await expect(
        reconcileCounters(
          context,
          'upgrade',
          { from: '2024-10-01' },
          { update: () => {}, done: () => {} },
        ),
      ).rejects.toThrow('counters upgrade covers every day');
    } finally {
      context.close();
    }
  });
});
