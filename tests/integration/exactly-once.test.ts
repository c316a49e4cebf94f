// Exactly-once counting under everything the event source mapping and the network can do: random
// message histories in two shards counted into the same counters at once, each delivered from its
// checkpoint in deliveries of any length (shorter, equal or longer than the one before), results
// lost, redelivered records out of order, windows starting afresh, deliveries given up, all
// through a proxy that resets requests before DynamoDB sees them, drops responses after DynamoDB
// applied them, and reads only part of a BatchGetItem.
import { randomBytes } from 'node:crypto';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { streamEvent, toLambdaStreamRecord } from '../../infra/local/lambda-events.js';
import { createTables, deleteTables } from '../../infra/local/tables.js';
import { counterId, effectOfChange } from '../../lib/counting/changes.js';
import type { ShardRef } from '../../lib/counting/count-changes.js';
import { toMessageChange } from '../../lib/lambda/stream-records.js';
import { appliedMarkKey } from '../../lib/store/counter-keys.js';
import {
  type CounterTable,
  clearTable,
  readCounters,
  recountMessages,
} from '../helpers/counters.js';
import { type Fault, startFaultProxy } from '../helpers/fault-proxy.js';
import { lambdaContext } from '../helpers/lambda.js';
import { MessagesTable, messageItem } from '../helpers/messages.js';
import { captureOutput } from '../helpers/output.js';
import { readWholeStream, shardOf } from '../helpers/stream.js';
import { localClient, useTestTables } from '../helpers/tables.js';

const tables = await useTestTables();
captureOutput();
const proxy = await startFaultProxy(inject('dynamoDbEndpoint'));
afterAll(() => proxy.close());
// The handler talks to DynamoDB only through the proxy, and gives up after two attempts, so that
// lost responses reach the handler's own failure path and not only the SDK's retries.
process.env.AWS_ENDPOINT_URL_DYNAMODB = proxy.url;
process.env.DYNAMODB_MAX_ATTEMPTS = '2';
const { handler } = await import('../../functions/count-messages.js');
const counted = new Set(['c', 'p', 'd']);
const documentClient = DynamoDBDocumentClient.from(localClient());

type Operation =
  | { kind: 'insert'; room: string; day: number; minute: number; flavour: Flavour }
  | { kind: 'edit' | 'softDelete' | 'hide' | 'hardDelete'; target: number }
  | { kind: 'move'; target: number; day: number; minute: number };
type Flavour = 'plain' | 'reply' | 'system' | 'hidden' | 'malformed';

const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('insert' as const),
      room: fc.constantFrom('c', 'p', 'd', 'l'),
      day: fc.integer({ min: 0, max: 3 }),
      minute: fc.integer({ min: 0, max: 1439 }),
      flavour: fc.constantFrom<Flavour>(
        'plain',
        'plain',
        'plain',
        'reply',
        'system',
        'hidden',
        'malformed',
      ),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom(
        'edit' as const,
        'softDelete' as const,
        'hide' as const,
        'hardDelete' as const,
      ),
      target: fc.nat(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('move' as const),
      target: fc.nat(),
      day: fc.integer({ min: 0, max: 3 }),
      minute: fc.integer({ min: 0, max: 1439 }),
    }),
  },
);

/** One delivery the event source mapping makes from its checkpoint for a shard. */
interface Step {
  /** How many records from the checkpoint: any number, whatever came before. */
  size: number;
  /** The invocation's result never reaches Lambda (timeout, crash): nothing moves. */
  loseResult: boolean;
  /** A delivery of records seen before comes in another order. */
  shuffle: boolean;
  /** A new tumbling window starts, with an empty state. */
  newWindow: boolean;
  /** Lambda gives the delivery up (retries exhausted, records too old) and moves past it. */
  giveUp: boolean;
}

const chance = (percent: number) => fc.integer({ min: 0, max: 99 }).map((n) => n < percent);

const step: fc.Arbitrary<Step> = fc.record({
  size: fc.oneof(
    fc.integer({ min: 1, max: 5 }),
    fc.integer({ min: 6, max: 40 }),
    fc.integer({ min: 41, max: 130 }),
  ),
  loseResult: chance(30),
  shuffle: chance(20),
  newWindow: chance(15),
  giveUp: chance(3),
});

const sentAt = (day: number, minute: number) =>
  new Date(
    Date.UTC(2024, 1, 28 + day, 0, minute, Math.floor(minute / 7) % 60, minute % 1000),
  ).toISOString();

async function writeHistory(messages: MessagesTable, operations: Operation[]): Promise<void> {
  const live: string[] = [];
  const items = new Map<string, ReturnType<typeof messageItem>>();
  let next = 0;
  for (const op of operations) {
    if (op.kind === 'insert') {
      const _id = `m${next++}`;
      const ts = sentAt(op.day, op.minute);
      const item = messageItem({
        _id,
        roomType: op.room,
        ts: op.flavour === 'malformed' ? ts.slice(0, 19) : ts,
        ...(op.flavour === 'reply' ? { tmid: 'm0' } : {}),
        ...(op.flavour === 'system' ? { t: 'uj' } : {}),
        ...(op.flavour === 'hidden' ? { _hidden: true } : {}),
      });
      await messages.put(item);
      items.set(_id, item);
      live.push(_id);
      continue;
    }
    if (live.length === 0) continue;
    const index = op.target % live.length;
    const id = live[index] as string;
    const item = items.get(id) as ReturnType<typeof messageItem>;
    let updated: ReturnType<typeof messageItem> | undefined;
    if (op.kind === 'edit')
      updated = { ...item, msg: 'edited', editedAt: new Date().toISOString() };
    if (op.kind === 'softDelete') updated = { ...item, t: 'rm', msg: '' };
    if (op.kind === 'hide') updated = { ...item, _hidden: true };
    if (op.kind === 'move') updated = { ...item, ts: sentAt(op.day, op.minute) };
    if (updated) {
      await messages.put(updated);
      items.set(id, updated);
    } else {
      await messages.delete(id);
      live.splice(index, 1);
    }
  }
}

/**
 * Delivers a shard's records as its event source mapping may: every delivery starts at the
 * checkpoint and holds any number of consecutive records from there, and the checkpoint moves only
 * past what the function reported done (or what Lambda gave up). Returns the records given up.
 */
async function deliverLikeLambda(
  shard: ShardRef,
  records: DynamoDBRecord[],
  steps: Step[],
): Promise<DynamoDBRecord[]> {
  const givenUp: DynamoDBRecord[] = [];
  const seen = new Set<string>();
  let checkpoint = 0;
  let state: Record<string, unknown> = {};
  let lostLast = false;
  // Every delivery whose result reaches Lambda applies at least one chunk or moves past records
  // already applied, and each failure needs two faults in a row: only a stuck schedule gets here.
  const bound = 20 * (records.length + 10);
  for (let invocation = 0; checkpoint < records.length; invocation++) {
    if (invocation > bound) throw new Error(`no progress after ${bound} invocations`);
    const current = steps[invocation % steps.length] as Step;
    const batch = records.slice(checkpoint, checkpoint + current.size);
    if (current.giveUp) {
      // Records an earlier delivery applied (its result lost) stay counted; the others never
      // will be.
      const mark = await appliedMark(shard);
      givenUp.push(
        ...batch.filter(
          (record) => mark === undefined || BigInt(sequenceOf(record)) > BigInt(mark),
        ),
      );
      checkpoint += batch.length;
      continue;
    }
    const redelivered = batch.some((record) => seen.has(sequenceOf(record)));
    for (const record of batch) seen.add(sequenceOf(record));
    const delivered = current.shuffle && redelivered ? shuffled(batch, invocation) : batch;
    if (current.newWindow) state = {};
    const response = await handler(streamEvent(delivered, { ...shard, state }), lambdaContext());
    // Lambda retries a lost invocation, but an endless run of losses would be an outage.
    if (current.loseResult && !lostLast) {
      lostLast = true;
      continue;
    }
    lostLast = false;
    expect(response.state).toBeTypeOf('object');
    state = response.state as Record<string, unknown>;
    const [failure, ...more] = response.batchItemFailures;
    expect(more).toEqual([]);
    if (!failure) {
      checkpoint += batch.length;
      continue;
    }
    // Lambda checkpoints before the reported record and retries from it.
    const at = batch.findIndex((record) => sequenceOf(record) === failure.itemIdentifier);
    expect(at).toBeGreaterThanOrEqual(0);
    checkpoint += at;
  }
  return givenUp;
}

/** The shard's applied mark, read directly, past the fault proxy. */
async function appliedMark(shard: ShardRef): Promise<string | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({
      TableName: tables.counters,
      Key: appliedMarkKey(shard),
      ConsistentRead: true,
    }),
  );
  return Item?.through as string | undefined;
}

const sequenceOf = (record: DynamoDBRecord) => String(record.dynamodb?.SequenceNumber);

/** The records in another order, the same for the same seed. */
function shuffled<T>(items: T[], seed: number): T[] {
  const copy = [...items];
  let random = seed + 1;
  for (let index = copy.length - 1; index > 0; index--) {
    random = (random * 1103515245 + 12345) % 2 ** 31;
    const other = random % (index + 1);
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}

/**
 * Injects the faults in turn. Two in a row exhaust the handler's two attempts and fail its
 * invocation; after that the next six requests pass, as a network that recovers would let them,
 * so that the retry can read what it needs (its shard's mark, the marker of the version before for
 * a shard without one, the quarter-hours it writes) and apply at least one chunk: every schedule
 * can finish.
 */
function faultPlan(faults: Fault[]): (operation: string) => Fault {
  let next = 0;
  let inARow = 0;
  let passesOwed = 0;
  return () => {
    if (passesOwed > 0) {
      passesOwed -= 1;
      return 'pass';
    }
    const fault = faults[next++ % faults.length] as Fault;
    // A partial batch read fails nothing: the handler asks for the rest.
    inARow = fault === 'reset' || fault === 'drop' ? inARow + 1 : 0;
    if (inARow === 2) {
      inARow = 0;
      passesOwed = 6;
    }
    return fault;
  };
}

/** A shard's history: the messages its table holds and the records its stream delivered. */
interface ShardHistory {
  messages: MessagesTable;
  shard: ShardRef;
  records: DynamoDBRecord[];
}

/** Runs with fresh Messages tables (one shard each), all counted into this file's counters. */
async function withShards<T>(count: number, run: (tables: MessagesTable[]) => Promise<T>) {
  const client = localClient();
  const made = await Promise.all(
    Array.from({ length: count }, () =>
      createTables(client, `exactly-once-${randomBytes(4).toString('hex')}`, ['messages']),
    ),
  );
  try {
    await clearTable(tables.counters);
    return await run(made.map(({ names }) => new MessagesTable(names.messages)));
  } finally {
    await Promise.all(made.map(({ names }) => deleteTables(client, { messages: names.messages })));
    client.destroy();
  }
}

async function historyOf(messages: MessagesTable): Promise<ShardHistory> {
  const shard = await shardOf(messages.tableName);
  const records = (await readWholeStream(shard.streamArn)).map((record) =>
    toLambdaStreamRecord(record, shard.streamArn),
  );
  return { messages, shard, records };
}

/** What the counters must hold: a recount of every table, less what Lambda gave up. */
async function expectedCounters(
  histories: ShardHistory[],
  givenUp: DynamoDBRecord[],
): Promise<CounterTable> {
  const expected: CounterTable = {};
  const add = (key: string, delta: number) => {
    expected[key] = (expected[key] ?? 0) + delta;
    if (expected[key] === 0) delete expected[key];
  };
  for (const { messages } of histories) {
    for (const [key, value] of Object.entries(await recountMessages(messages.tableName))) {
      add(key, value);
    }
  }
  for (const record of givenUp) {
    const change = toMessageChange(record);
    if (!change) continue;
    for (const delta of effectOfChange(change, counted).deltas) add(counterId(delta), -delta.delta);
  }
  return expected;
}

const fault = fc.constantFrom<Fault>(
  'pass',
  'pass',
  'pass',
  'pass',
  'pass',
  'pass',
  'partial',
  'reset',
  'drop',
);

interface ShardRun {
  operations: Operation[];
  steps: Step[];
}

const shardRun: fc.Arbitrary<ShardRun> = fc.record({
  operations: fc.array(operation, { minLength: 1, maxLength: 30 }),
  steps: fc.array(step, { minLength: 1, maxLength: 10 }),
});

async function countersMatchRecount(runs: ShardRun[], faults: Fault[]) {
  await withShards(runs.length, async (shardTables) => {
    await Promise.all(
      shardTables.map((messages, index) => writeHistory(messages, runs[index]?.operations ?? [])),
    );
    const histories = await Promise.all(shardTables.map(historyOf));
    proxy.plan = faultPlan(faults);
    let givenUp: DynamoDBRecord[];
    try {
      // The shards are counted at the same time, into the same counters, as Lambda would.
      givenUp = (
        await Promise.all(
          histories.map(({ shard, records }, index) =>
            deliverLikeLambda(shard, records, runs[index]?.steps ?? []),
          ),
        )
      ).flat();
    } finally {
      proxy.plan = () => 'pass';
    }
    expect(await readCounters(tables.counters)).toEqual(await expectedCounters(histories, givenUp));
  });
}

describe('exactly-once counting', () => {
  it('counters equal a recount after any deliveries from the checkpoint, two shards, and network faults (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(shardRun, { minLength: 2, maxLength: 2 }),
        fc.array(fault, { minLength: 1, maxLength: 20 }),
        countersMatchRecount,
      ),
      { numRuns: 200, endOnFailure: true },
    );
    // The runs did exercise the dangerous cases: committed transactions whose response was lost,
    // and requests lost before DynamoDB saw them.
    expect(proxy.injected.TransactWriteItems?.drop).toBeGreaterThan(0);
    expect(proxy.injected.TransactWriteItems?.reset).toBeGreaterThan(0);
  }, 600_000);
  it('counter-example found by the property: a reported record must be its SequenceNumber verbatim', async () => {
    // Reporting "63" for the record "000000000000000000063" names no record of the batch.
    const quiet = { loseResult: false, shuffle: false, newWindow: false, giveUp: false };
    await countersMatchRecount(
      [
        {
          operations: [
            { kind: 'insert', room: 'p', day: 3, minute: 633, flavour: 'system' },
            { kind: 'hardDelete', target: 231904318 },
            { kind: 'insert', room: 'l', day: 3, minute: 396, flavour: 'plain' },
          ],
          steps: [
            { ...quiet, size: 2 },
            { ...quiet, size: 126 },
            { ...quiet, size: 4, loseResult: true },
            { ...quiet, size: 63, loseResult: true },
            { ...quiet, size: 112 },
          ],
        },
        {
          operations: [{ kind: 'insert', room: 'c', day: 3, minute: 10, flavour: 'plain' }],
          steps: [{ ...quiet, size: 1 }],
        },
      ],
      ['drop', 'pass', 'reset', 'reset', 'drop', 'reset', 'pass', 'pass', 'pass', 'pass'],
    );
  });

  it('counter-example found by the property: a new shard reads its mark and the old marker before it writes', async () => {
    // A network that keeps resetting requests, recovering for a few at a time: the first
    // delivery of a shard without a mark makes four requests, and must still get through.
    const quiet = { loseResult: false, shuffle: false, newWindow: false, giveUp: false };
    await countersMatchRecount(
      [
        {
          operations: [{ kind: 'insert', room: 'c', day: 3, minute: 1326, flavour: 'hidden' }],
          steps: [
            { ...quiet, size: 78 },
            { ...quiet, size: 83, shuffle: true },
            { ...quiet, size: 73, loseResult: true },
          ],
        },
        {
          operations: [
            { kind: 'insert', room: 'd', day: 1, minute: 1306, flavour: 'reply' },
            { kind: 'edit', target: 927324098 },
            { kind: 'insert', room: 'l', day: 2, minute: 805, flavour: 'malformed' },
            { kind: 'insert', room: 'c', day: 1, minute: 1249, flavour: 'plain' },
            { kind: 'insert', room: 'l', day: 1, minute: 828, flavour: 'system' },
            { kind: 'insert', room: 'd', day: 2, minute: 99, flavour: 'system' },
            { kind: 'insert', room: 'c', day: 3, minute: 706, flavour: 'plain' },
            { kind: 'softDelete', target: 977669576 },
          ],
          steps: [{ ...quiet, size: 30, loseResult: true }],
        },
      ],
      ['reset'],
    );
  });

  it('a delivery shorter than the applied one before it, then the rest: each record counted once', async () => {
    await withShards(1, async ([messages]) => {
      const table = messages as MessagesTable;
      for (let i = 0; i < 12; i++) await table.put(messageItem({ _id: `z${i}`, ts: sentAt(1, i) }));
      const { shard, records } = await historyOf(table);
      // Applied, result lost; then BatchSize lowered: 5, and on from the checkpoint.
      await handler(streamEvent(records, shard), lambdaContext());
      let state: Record<string, unknown> = {};
      for (const at of [0, 5, 10]) {
        const response = await handler(
          streamEvent(records.slice(at, at + 5), { ...shard, state }),
          lambdaContext(),
        );
        expect(response.batchItemFailures).toEqual([]);
        state = response.state as Record<string, unknown>;
      }
      expect(await readCounters(tables.counters)).toEqual(await recountMessages(table.tableName));
      expect((await readCounters(tables.counters))['day 2024-02-29']).toBe(12);
    });
  });

  it('a transaction applied but whose response is lost twice is not applied again', async () => {
    await withShards(1, async ([messages]) => {
      const table = messages as MessagesTable;
      for (let i = 0; i < 10; i++)
        await table.put(messageItem({ _id: `x${i}`, ts: sentAt(0, i * 20) }));
      const { shard, records } = await historyOf(table);
      let transactions = 0;
      proxy.plan = (operation) =>
        operation === 'TransactWriteItems' && transactions++ < 2 ? 'drop' : 'pass';
      try {
        const first = await handler(streamEvent(records, shard), lambdaContext());
        expect(first.batchItemFailures).toEqual([
          { itemIdentifier: records[0]?.dynamodb?.SequenceNumber },
        ]);
        const retry = await handler(streamEvent(records, shard), lambdaContext());
        expect(retry.batchItemFailures).toEqual([]);
      } finally {
        proxy.plan = () => 'pass';
      }
      expect(await readCounters(tables.counters)).toEqual(await recountMessages(table.tableName));
      expect((await readCounters(tables.counters))['day 2024-02-28']).toBe(10);
    });
  });

  it('with DynamoDB unreachable the delivery is reported failed from its first record, then applied once it is back', async () => {
    await withShards(1, async ([messages]) => {
      const table = messages as MessagesTable;
      for (let i = 0; i < 5; i++) await table.put(messageItem({ _id: `y${i}` }));
      const { shard, records } = await historyOf(table);
      proxy.plan = () => 'reset';
      let failed: Awaited<ReturnType<typeof handler>>;
      try {
        failed = await handler(streamEvent(records, shard), lambdaContext());
      } finally {
        proxy.plan = () => 'pass';
      }

      expect(failed.batchItemFailures).toEqual([
        { itemIdentifier: records[0]?.dynamodb?.SequenceNumber },
      ]);
      expect(await readCounters(tables.counters)).toEqual({});
      expect(
        (await handler(streamEvent(records, shard), lambdaContext())).batchItemFailures,
      ).toEqual([]);
      expect(await readCounters(tables.counters)).toEqual({
        'day 2023-05-30': 5,
        'quarter-hour 2023-05-30T10:00': 5,
      });
    });
  });
});
