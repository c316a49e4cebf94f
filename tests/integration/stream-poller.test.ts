// The local event source mapping: retries as Lambda does, loses nothing, skips nothing it should
// not, and follows shard lineage.
import type { Shard, _Record as StreamApiRecord } from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type DiscardedBatch,
  type StreamHandler,
  type StreamPoller,
  type StreamsApi,
  startStreamPoller,
} from '../../infra/local/stream-poller.js';
import { readCounters, recountMessages } from '../helpers/counters.js';
import { MessagesTable, messageItem } from '../helpers/messages.js';
import { captureOutput } from '../helpers/output.js';
import { streamArnOf } from '../helpers/stream.js';
import { useTestTables } from '../helpers/tables.js';

const tables = await useTestTables();
captureOutput();
const { handler: countMessages } = await import('../../functions/count-messages.js');
const messages = new MessagesTable(tables.messages);
const streamArn = await streamArnOf(tables.messages);

const pollers: StreamPoller[] = [];
afterEach(async () => {
  for (const poller of pollers.splice(0)) await poller.stop();
});

function poll(
  handler: StreamHandler,
  options: {
    maximumRetryAttempts?: number;
    api?: StreamsApi;
    onDiscarded?: (batch: DiscardedBatch) => void;
    startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  } = {},
) {
  const poller = startStreamPoller({
    streamArn,
    handler,
    idleDelayMs: 20,
    batchSize: 10,
    ...options,
  });
  pollers.push(poller);
  return poller;
}

const sequenceNumbers = (event: DynamoDBStreamEvent) =>
  event.Records.map((record) => record.dynamodb?.SequenceNumber as string);

describe('the local stream poller', () => {
  it('retries a batch the handler failed, in every way Lambda recognises, and loses nothing', async () => {
    // Each failure comes after the handler applied what it claims: everything for a function error
    // or a report of the first record (the marker makes the retry skip it), the first three records
    // for a report of the fourth (Lambda takes the first three as done).
    const failures: ((
      event: DynamoDBStreamEvent,
      context: Context,
    ) => Promise<DynamoDBBatchResponse>)[] = [
      async (event, context) => {
        await countMessages({ Records: event.Records.slice(0, 3) }, context);
        return { batchItemFailures: [{ itemIdentifier: sequenceNumbers(event)[3] as string }] };
      },
      async (event, context) => {
        await countMessages(event, context);
        throw new Error('injected failure after applying');
      },
      async (event, context) => {
        await countMessages(event, context);
        return { batchItemFailures: [{ itemIdentifier: sequenceNumbers(event)[0] as string }] };
      },
      async (event, context) => {
        await countMessages(event, context);
        return { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] };
      },
    ];
    const seen: string[][] = [];
    const flaky: StreamHandler = async (event, context) => {
      seen.push(sequenceNumbers(event));
      const failure = failures.shift();
      return failure ? failure(event, context) : countMessages(event, context);
    };
    for (let i = 0; i < 25; i++)
      await messages.put(
        messageItem({ _id: `retry-${i}`, ts: `2023-06-01T0${i % 10}:00:00.000Z` }),
      );

    const poller = poll(flaky);
    await poller.drained();

    expect(await readCounters(tables.counters)).toEqual(await recountMessages(tables.messages));
    // Three whole-batch retries; the partial report moved the checkpoint instead.
    expect(poller.stats.retries).toBe(3);
    // The first failure named the batch's fourth record: the retry starts there.
    expect(seen[1]?.[0]).toBe(seen[0]?.[3]);
  });

  // Later tests start at the stream's end, as a new mapping with StartingPosition LATEST would:
  // the records of earlier tests are not theirs.
  it('lets a malformed record pass and keeps the shard moving', async () => {
    const poller = poll(countMessages, { startingPosition: 'LATEST' });
    await poller.drained();
    await messages.put(messageItem({ _id: 'broken', ts: 'not a date' }));
    await messages.put(messageItem({ _id: 'after-broken', ts: '2023-06-02T10:00:00.000Z' }));

    await poller.drained();

    expect(poller.stats.discardedBatches).toBe(0);
    expect((await readCounters(tables.counters))['day 2023-06-02']).toBe(1);
  });

  it('gives up a batch after the maximum retry attempts, reports it, and moves on', async () => {
    const discarded: DiscardedBatch[] = [];
    const failing: StreamHandler = async () => {
      throw new Error('always failing');
    };
    const poller = poll(failing, {
      maximumRetryAttempts: 2,
      onDiscarded: (batch) => discarded.push(batch),
      startingPosition: 'LATEST',
    });
    await poller.drained();
    await messages.put(messageItem({ _id: 'poison', ts: '2023-06-03T10:00:00.000Z' }));
    await messages.put(messageItem({ _id: 'after-poison', ts: '2023-06-03T11:00:00.000Z' }));
    await poller.drained();

    expect(discarded.map((batch) => batch.size).reduce((a, b) => a + b, 0)).toBe(2);
    expect(poller.stats.retries).toBe(2 * discarded.length);
  });
});

describe('shard lineage', () => {
  function record(sequenceNumber: string): StreamApiRecord {
    return {
      eventID: `event-${sequenceNumber}`,
      eventName: 'INSERT',
      dynamodb: {
        SequenceNumber: sequenceNumber,
        Keys: { _id: { S: 'same-message' } },
        NewImage: { _id: { S: 'same-message' } },
      },
    };
  }

  /** A stream whose shard splits: the parent closes, two children follow, one shows up late. */
  function splittingStream(): StreamsApi & { parentFinishedAt: number } {
    const shards: Shard[] = [
      { ShardId: 'child-a', ParentShardId: 'parent' },
      { ShardId: 'parent' },
    ];
    const records: Record<string, StreamApiRecord[]> = {
      parent: ['100', '101', '102'].map(record),
      'child-a': ['200', '201'].map(record),
      'child-b': ['300'].map(record),
    };
    const closed = new Set(['parent']);
    let describes = 0;
    const api = {
      parentFinishedAt: Number.POSITIVE_INFINITY,
      async describeStream() {
        describes += 1;
        if (describes === 2) shards.push({ ShardId: 'child-b', ParentShardId: 'parent' });
        return { shards: [...shards] };
      },
      async shardIterator(_arn: string, shardId: string, _type: string, after?: string) {
        const list = records[shardId] ?? [];
        const from = after ? list.findIndex((r) => r.dynamodb?.SequenceNumber === after) + 1 : 0;
        return `${shardId}:${from}`;
      },
      async records(iterator: string, limit: number) {
        const [shardId, from] = iterator.split(':') as [string, string];
        const list = records[shardId] ?? [];
        const page = list.slice(Number(from), Number(from) + limit);
        const end = Number(from) + page.length;
        const atEnd = end >= list.length;
        if (shardId === 'parent' && atEnd) api.parentFinishedAt = Date.now();
        return atEnd && closed.has(shardId)
          ? { records: page }
          : { records: page, next: `${shardId}:${end}` };
      },
    };
    return api;
  }

  it('reads a child shard only after its parent is finished, and finds children that appear later', async () => {
    const delivered: { sequence: string; at: number }[] = [];
    const api = splittingStream();
    const handler: StreamHandler = async (event) => {
      for (const sequence of sequenceNumbers(event)) delivered.push({ sequence, at: Date.now() });
      return { batchItemFailures: [] };
    };
    const poller = poll(handler, { api });
    const deadline = Date.now() + 10_000;
    while (delivered.length < 6 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));

    expect(delivered.map((d) => d.sequence).sort()).toEqual([
      '100',
      '101',
      '102',
      '200',
      '201',
      '300',
    ]);
    const parent = delivered.filter((d) => d.sequence.startsWith('1'));
    expect(parent.map((d) => d.sequence)).toEqual(['100', '101', '102']);
    for (const child of delivered.filter((d) => !d.sequence.startsWith('1'))) {
      expect(child.at).toBeGreaterThanOrEqual(api.parentFinishedAt);
    }
    await poller.drained();
  });
});
