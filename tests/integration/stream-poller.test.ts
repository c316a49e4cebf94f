// The local event source mapping: retries as Lambda does, loses nothing, skips nothing it should
// not, and follows shard lineage.
import type { Shard, _Record as StreamApiRecord } from '@aws-sdk/client-dynamodb-streams';
import { afterEach, describe, expect, it } from 'vitest';
import { streamMappingSettings } from '../../infra/local/stream-mapping.js';
import {
  type StreamFailureRecord,
  type StreamHandler,
  type StreamPoller,
  type StreamsApi,
  startStreamPoller,
} from '../../infra/local/stream-poller.js';
import type { CountingEvent } from '../../lib/lambda/stream-records.js';
import { readCounters, recountMessages } from '../helpers/counters.js';
import { MessagesTable, messageItem } from '../helpers/messages.js';
import { captureOutput } from '../helpers/output.js';
import { shardOf, streamArnOf } from '../helpers/stream.js';
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
    onDiscarded?: (failure: StreamFailureRecord) => void;
    startingPosition?: 'TRIM_HORIZON' | 'LATEST';
    batchSize?: number;
    tumblingWindowSeconds?: number;
    now?: () => number;
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

const sequenceNumbers = (event: CountingEvent) =>
  event.Records.map((record) => record.dynamodb?.SequenceNumber as string);

describe('the local stream poller', () => {
  it('retries a batch the handler failed, in every way Lambda recognises, and loses nothing', async () => {
    // Each failure comes after the handler applied what it claims: everything for a function error
    // or a report of the first record (the marker makes the retry skip it), the first three records
    // for a report of the fourth (Lambda takes the first three as done).
    const failures: StreamHandler[] = [
      async (event, context) => {
        const { state } = await countMessages(
          { ...event, Records: event.Records.slice(0, 3) },
          context,
        );
        return {
          batchItemFailures: [{ itemIdentifier: sequenceNumbers(event)[3] as string }],
          state,
        };
      },
      async (event, context) => {
        await countMessages(event, context);
        throw new Error('injected failure after applying');
      },
      async (event, context) => {
        const { state } = await countMessages(event, context);
        return {
          batchItemFailures: [{ itemIdentifier: sequenceNumbers(event)[0] as string }],
          state,
        };
      },
      async (event, context) => {
        const { state } = await countMessages(event, context);
        return { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }], state };
      },
      // With a tumbling window, an answer without a state is a failed invocation.
      async (event, context) => {
        await countMessages(event, context);
        return { batchItemFailures: [] };
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
    // Four whole-batch retries; the partial report moved the checkpoint instead.
    expect(poller.stats.retries).toBe(4);
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
    const discarded: StreamFailureRecord[] = [];
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

    expect(
      discarded
        .map(({ DDBStreamBatchInfo }) => DDBStreamBatchInfo.batchSize)
        .reduce((a, b) => a + b, 0),
    ).toBe(2);
    expect(poller.stats.retries).toBe(2 * discarded.length);
    // The record Lambda's on-failure destination receives, naming what was given up.
    const [first] = discarded;
    expect(first).toMatchObject({
      requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 },
      version: '1.0',
      DDBStreamBatchInfo: { shardId: (await shardOf(tables.messages)).shardId, streamArn },
    });
    expect(first?.DDBStreamBatchInfo.startSequenceNumber).toMatch(/^\d+$/);
  });
  it('delivers as the deployed mapping: its settings, the shard, the window and its state', async () => {
    expect(await streamMappingSettings()).toEqual({
      batchSize: 1000,
      tumblingWindowSeconds: 60,
      maximumRetryAttempts: 10000,
    });
    const events: CountingEvent[] = [];
    let clock = Date.now();
    // Counts the records of each window in its state, as a tumbling-window function would.
    const counting: StreamHandler = async (event, context) => {
      events.push(structuredClone(event));
      await countMessages(event, context);
      const state = event.state as { records?: number };
      return {
        batchItemFailures: [],
        state: { records: (state.records ?? 0) + event.Records.length },
      };
    };
    const poller = poll(counting, { startingPosition: 'LATEST', batchSize: 2, now: () => clock });
    await poller.drained();
    for (let i = 0; i < 5; i++) await messages.put(messageItem({ _id: `window-${i}` }));
    await poller.drained();
    // Past the end of every window: each gets its final invocation.
    clock += 120_000;
    const deadline = Date.now() + 10_000;
    while (events.filter((e) => e.isFinalInvokeForWindow).length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    const { shardId } = await shardOf(tables.messages);
    const delivering = events.filter((event) => !event.isFinalInvokeForWindow);
    const final = events.filter((event) => event.isFinalInvokeForWindow);
    expect(delivering.flatMap((event) => event.Records)).toHaveLength(5);
    expect(Math.max(...delivering.map((event) => event.Records.length))).toBe(2);
    for (const event of events) {
      expect(event).toMatchObject({
        shardId,
        eventSourceARN: streamArn,
        isWindowTerminatedEarly: false,
      });
      const { start, end } = event.window as { start: string; end: string };
      expect(Date.parse(end) - Date.parse(start)).toBe(60_000);
      expect(Date.parse(start) % 60_000).toBe(0);
    }
    expect(final.length).toBeGreaterThan(0);
    for (const event of final) {
      expect(event.Records).toEqual([]);
      // The state handed on through the window holds every record delivered in it.
      const inWindow = delivering.filter((e) => e.window?.start === event.window?.start);
      expect(event.state).toEqual({ records: inWindow.flatMap((e) => e.Records).length });
    }
    expect(poller.stats.windowsClosed).toBe(final.length);
  });

  it('stays exact when BatchSize is lowered while a batch is being retried', async () => {
    const sizes: number[] = [];
    let lose = true;
    let poller: StreamPoller | undefined;
    // The first delivery is applied, but its result never reaches Lambda; meanwhile an operator
    // lowers the mapping's BatchSize, so the retry and everything after it are shorter.
    const losing: StreamHandler = async (event, context) => {
      sizes.push(event.Records.length);
      const response = await countMessages(event, context);
      if (lose) {
        lose = false;
        poller?.setBatchSize(3);
        throw new Error('the result of this invocation was lost');
      }
      return response;
    };
    for (let i = 0; i < 12; i++) {
      await messages.put(
        messageItem({ _id: `lowered-${i}`, ts: `2023-06-04T0${i % 4}:00:00.000Z` }),
      );
    }
    poller = poll(losing, { batchSize: 10, startingPosition: 'TRIM_HORIZON' });
    await poller.drained();

    expect(sizes.slice(0, 2)).toEqual([10, 3]);
    expect(Math.max(...sizes.slice(1))).toBe(3);
    // The whole stream was delivered again from its start: every message is counted once, but
    // for the two records an earlier test had the poller give up, which stay missing.
    const recount = await recountMessages(tables.messages);
    const givenUp = Object.keys(recount).filter((key) => key.includes('2023-06-03'));
    expect(givenUp).toHaveLength(3);
    for (const key of givenUp) delete recount[key];
    expect(await readCounters(tables.counters)).toEqual(recount);
    expect((await readCounters(tables.counters))['day 2023-06-04']).toBe(12);
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
      return { batchItemFailures: [], state: {} };
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
