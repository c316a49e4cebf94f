// Many writers and the counting function at once: counters end exact.
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { streamEvent } from '../../infra/local/lambda-events.js';
import { startStreamPoller } from '../../infra/local/stream-poller.js';
import { readCounters, recountMessages } from '../helpers/counters.js';
import { lambdaContext } from '../helpers/lambda.js';
import { MessagesTable, messageItem } from '../helpers/messages.js';
import { captureOutput } from '../helpers/output.js';
import { StreamFeeder, streamArnOf } from '../helpers/stream.js';
import { useTestTables } from '../helpers/tables.js';

const tables = await useTestTables();
captureOutput();
const { handler } = await import('../../functions/count-messages.js');
const messages = new MessagesTable(tables.messages);

/** One writer: new messages on a few shared days, then edits, moves and deletes of its own. */
async function writer(name: string, operations: number): Promise<void> {
  const mine: string[] = [];
  for (let i = 0; i < operations; i++) {
    const ts = new Date(Date.UTC(2024, 6, 1 + (i % 3), (i * 7) % 24, (i * 13) % 60)).toISOString();
    const choice = i % 6;
    if (choice < 3 || mine.length === 0) {
      const _id = `${name}-${i}`;
      mine.push(_id);
      await messages.put(messageItem({ _id, ts, roomType: ['c', 'p', 'd'][i % 3] }));
    } else if (choice === 3) {
      await messages.put(messageItem({ _id: mine[0] as string, ts, msg: 'edited and moved' }));
    } else if (choice === 4) {
      await messages.put(messageItem({ _id: mine.pop() as string, ts, t: 'rm', msg: '' }));
    } else {
      await messages.delete(mine.shift() as string);
    }
  }
}

describe('concurrency', () => {
  it('counters end exact with eight writers and the stream poller running at once', async () => {
    const poller = startStreamPoller({
      streamArn: await streamArnOf(tables.messages),
      handler,
      tumblingWindowSeconds: 60,
      idleDelayMs: 20,
      batchSize: 50,
    });
    try {
      await Promise.all(Array.from({ length: 8 }, (_, index) => writer(`w${index}`, 60)));
      await poller.drained();
    } finally {
      await poller.stop();
    }

    expect(await readCounters(tables.counters)).toEqual(await recountMessages(tables.messages));
    expect((await readCounters(tables.counters))['day 2024-07-01']).toBeGreaterThan(0);
  });

  it('two shards counting into the same counters at once end exact', async () => {
    await Promise.all(Array.from({ length: 4 }, (_, index) => writer(`s${index}`, 60)));
    const feeder = await StreamFeeder.of(tables.messages);
    // The first test's poller is stopped and counted none of these. Split them the way
    // DynamoDB splits a stream into shards: by item, keeping each item's records in order.
    const records = (await feeder.newRecords()).filter((record) =>
      String(record.dynamodb?.Keys?._id?.S).startsWith('s'),
    );
    const lanes: DynamoDBRecord[][] = [[], []];
    for (const record of records) {
      const id = String(record.dynamodb?.Keys?._id?.S);
      lanes[id.charCodeAt(1) % 2]?.push(record);
    }
    await Promise.all(
      lanes.map(async (lane, index) => {
        const shard = { ...feeder.shard, shardId: `${feeder.shard.shardId}-${index}` };
        for (let at = 0; at < lane.length; at += 7) {
          const response = await handler(
            streamEvent(lane.slice(at, at + 7), shard),
            lambdaContext(),
          );
          expect(response.batchItemFailures).toEqual([]);
        }
      }),
    );

    expect(await readCounters(tables.counters)).toEqual(await recountMessages(tables.messages));
  });
});
