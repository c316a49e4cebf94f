// Exactly-once counting under everything the event source mapping and the network can do:
// random message histories, delivered under random schedules (whole batches again, retries from
// the reported record, longer retries, lost responses), through a proxy that resets requests
// before DynamoDB sees them and drops responses after DynamoDB applied them.
import { randomBytes } from 'node:crypto';
import type { DynamoDBRecord } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { streamEvent, toLambdaStreamRecord } from '../../infra/local/lambda-events.js';
import { createTables, deleteTables } from '../../infra/local/tables.js';
import { clearTable, readCounters, recountMessages } from '../helpers/counters.js';
import { type Fault, startFaultProxy } from '../helpers/fault-proxy.js';
import { lambdaContext } from '../helpers/lambda.js';
import { MessagesTable, messageItem } from '../helpers/messages.js';
import { captureOutput } from '../helpers/output.js';
import { readWholeStream, streamArnOf } from '../helpers/stream.js';
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

interface Step {
  size: number;
  /** The invocation's result never reaches Lambda (timeout, crash): it redelivers the batch. */
  loseResponse: boolean;
  /** After success, the same batch arrives once more. */
  duplicate: boolean;
  /** How many more records a redelivery carries than the delivery before it. */
  grow: number;
}

const step: fc.Arbitrary<Step> = fc.record({
  size: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 40, max: 130 })),
  loseResponse: fc.integer({ min: 0, max: 9 }).map((n) => n < 3),
  duplicate: fc.integer({ min: 0, max: 9 }).map((n) => n < 2),
  grow: fc.integer({ min: 0, max: 20 }),
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

/** Delivers the records as an event source mapping may, and returns how many invocations it took. */
async function deliverLikeLambda(records: DynamoDBRecord[], steps: Step[]): Promise<number> {
  let position = 0;
  let invocations = 0;
  let previousSize = 0;
  let redelivering = false;
  let lostLast = false;
  while (position < records.length) {
    const current = steps[invocations % steps.length] as Step;
    // Lambda retries a lost invocation, but an endless run of losses would be an outage.
    const loseResponse: boolean = current.loseResponse && !lostLast;
    invocations += 1;
    // Every invocation Lambda's response reaches applies at least one chunk, but up to half of them
    // are lost and each failure needs two faults: a bound that only a stuck schedule reaches.
    const bound = 20 * (records.length + 10);
    if (invocations > bound) throw new Error(`no progress after ${bound} invocations`);
    const size = redelivering ? Math.max(current.size, previousSize + current.grow) : current.size;
    const batch = records.slice(position, position + size);
    const response = await handler(streamEvent(batch), lambdaContext());
    previousSize = batch.length;
    lostLast = loseResponse;
    if (loseResponse) {
      redelivering = true;
      continue;
    }
    const [failure, ...more] = response.batchItemFailures;
    expect(more).toEqual([]);
    if (failure) {
      // Lambda checkpoints before the reported record and retries from it.
      const at = batch.findIndex(
        (record) => record.dynamodb?.SequenceNumber === failure.itemIdentifier,
      );
      expect(at).toBeGreaterThanOrEqual(0);
      position += at;
      redelivering = at === 0;
      continue;
    }
    if (current.duplicate) await handler(streamEvent(batch), lambdaContext());
    position += batch.length;
    redelivering = false;
  }
  return invocations;
}

/**
 * Injects the faults in turn. Two in a row exhaust the handler's two attempts and fail its
 * invocation; after that the next two requests pass, as a network that recovers would let them,
 * so that the retry reads its marker and applies at least one chunk: every schedule can finish.
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
    inARow = fault === 'pass' ? 0 : inARow + 1;
    if (inARow === 2) {
      inARow = 0;
      passesOwed = 2;
    }
    return fault;
  };
}

async function withMessagesTable<T>(run: (messages: MessagesTable) => Promise<T>): Promise<T> {
  const client = localClient();
  const { names } = await createTables(client, `exactly-once-${randomBytes(4).toString('hex')}`);
  try {
    await clearTable(tables.counters);
    return await run(new MessagesTable(names.messages));
  } finally {
    await deleteTables(client, names);
    client.destroy();
  }
}

async function readStreamAsLambda(messages: MessagesTable): Promise<DynamoDBRecord[]> {
  const streamArn = await streamArnOf(messages.tableName);
  return (await readWholeStream(streamArn)).map((record) =>
    toLambdaStreamRecord(record, streamArn),
  );
}

const fault = fc.constantFrom<Fault>(
  'pass',
  'pass',
  'pass',
  'pass',
  'pass',
  'pass',
  'reset',
  'drop',
);

async function countersMatchRecount(operations: Operation[], steps: Step[], faults: Fault[]) {
  await withMessagesTable(async (messages) => {
    await writeHistory(messages, operations);
    const records = await readStreamAsLambda(messages);
    proxy.plan = faultPlan(faults);
    try {
      await deliverLikeLambda(records, steps);
    } finally {
      proxy.plan = () => 'pass';
    }
    expect(await readCounters(tables.counters)).toEqual(await recountMessages(messages.tableName));
  });
}

describe('exactly-once counting', () => {
  it('counters equal a recount after any delivery schedule and network faults (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(operation, { minLength: 1, maxLength: 90 }),
        fc.array(step, { minLength: 1, maxLength: 12 }),
        fc.array(fault, { minLength: 1, maxLength: 20 }),
        countersMatchRecount,
      ),
      { numRuns: 40, endOnFailure: true },
    );
    // The runs did exercise the dangerous case: committed transactions whose response was lost.
    expect(proxy.injected.TransactWriteItems?.drop).toBeGreaterThan(0);
  });

  it('counter-example found by the property: a reported record must be its SequenceNumber verbatim', async () => {
    // Reporting "63" for the record "000000000000000000063" names no record of the batch.
    await countersMatchRecount(
      [
        { kind: 'insert', room: 'p', day: 3, minute: 633, flavour: 'system' },
        { kind: 'hardDelete', target: 231904318 },
        { kind: 'insert', room: 'l', day: 3, minute: 396, flavour: 'plain' },
      ],
      [
        { size: 2, loseResponse: false, duplicate: false, grow: 13 },
        { size: 126, loseResponse: false, duplicate: false, grow: 1 },
        { size: 4, loseResponse: true, duplicate: false, grow: 17 },
        { size: 63, loseResponse: true, duplicate: false, grow: 13 },
        { size: 112, loseResponse: false, duplicate: true, grow: 13 },
      ],
      ['drop', 'pass', 'reset', 'reset', 'drop', 'reset', 'pass', 'pass', 'pass', 'pass'],
    );
  });

  it('a transaction applied but whose response is lost twice is not applied again', async () => {
    await withMessagesTable(async (messages) => {
      for (let i = 0; i < 10; i++)
        await messages.put(messageItem({ _id: `x${i}`, ts: sentAt(0, i * 20) }));
      const records = await readStreamAsLambda(messages);
      let transactions = 0;
      proxy.plan = (operation) =>
        operation === 'TransactWriteItems' && transactions++ < 2 ? 'drop' : 'pass';

      const first = await handler(streamEvent(records), lambdaContext());
      expect(first.batchItemFailures).toEqual([
        { itemIdentifier: records[0]?.dynamodb?.SequenceNumber },
      ]);
      const retry = await handler(streamEvent(records), lambdaContext());

      expect(retry.batchItemFailures).toEqual([]);
      expect(await readCounters(tables.counters)).toEqual(
        await recountMessages(messages.tableName),
      );
      expect((await readCounters(tables.counters))['day 2024-02-28']).toBe(10);
    });
    proxy.plan = () => 'pass';
  });

  it('with DynamoDB unreachable the batch is reported failed from its first record, then applied once it is back', async () => {
    await withMessagesTable(async (messages) => {
      for (let i = 0; i < 5; i++) await messages.put(messageItem({ _id: `y${i}` }));
      const records = await readStreamAsLambda(messages);
      proxy.plan = () => 'reset';

      const failed = await handler(streamEvent(records), lambdaContext());

      expect(failed.batchItemFailures).toEqual([
        { itemIdentifier: records[0]?.dynamodb?.SequenceNumber },
      ]);
      expect(await readCounters(tables.counters)).toEqual({});
      proxy.plan = () => 'pass';
      expect((await handler(streamEvent(records), lambdaContext())).batchItemFailures).toEqual([]);
      expect(await readCounters(tables.counters)).toEqual({
        'day 2023-05-30': 5,
        'quarter-hour#2023-05 2023-05-30T10:00': 5,
      });
    });
  });
});
