// The real count-messages handler, fed the Messages table's real stream in Lambda-shaped batches.
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { runMarkerKey } from '../../lib/store/counter-keys.js';
import { addToCounter, clearTable, readCounters, recountMessages } from '../helpers/counters.js';
import { lambdaContext } from '../helpers/lambda.js';
import { MessagesTable, messageItem } from '../helpers/messages.js';
import { captureOutput, metricValues } from '../helpers/output.js';
import { StreamFeeder } from '../helpers/stream.js';
import { localClient, useTestTables } from '../helpers/tables.js';

const tables = await useTestTables();
process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
process.env.POWERTOOLS_METRICS_DISABLED = 'false';
const output = captureOutput();
const { handler } = await import('../../functions/count-messages.js');

const messages = new MessagesTable(tables.messages);
const feeder = await StreamFeeder.of(tables.messages);
/** Records written since the last call, as Lambda would deliver them. */
const newRecords = () => feeder.newRecords();
const documentClient = DynamoDBDocumentClient.from(localClient());
async function addToCounters({ day, quarterHour }: { day: number; quarterHour: number }) {
  await addToCounter(tables.counters, { unit: 'day', period: '2023-05-28' }, day);
  await addToCounter(
    tables.counters,
    { unit: 'quarter-hour', period: '2023-05-28T09:00' },
    quarterHour,
  );
}
const mark = (records: DynamoDBRecord[]) => ({
  appliedThrough: records.at(-1)?.dynamodb?.SequenceNumber,
});

async function deliver(records: DynamoDBRecord[], batchSize: number) {
  for (let at = 0; at < records.length; at += batchSize) {
    const batch = records.slice(at, at + batchSize);
    const response = await handler(feeder.event(batch), lambdaContext());
    expect(response).toEqual({ batchItemFailures: [], state: mark(batch) });
  }
}

beforeEach(async () => {
  await deliver(await newRecords(), 100);
  await clearTable(tables.counters);
  output.clear();
});

describe('count-messages over the real stream', () => {
  it('keeps counters equal to a recount through inserts, edits, deletes and moves', async () => {
    const ts = (day: number, hour: number, minute = 0) =>
      `2023-05-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00.000Z`;
    for (let i = 0; i < 30; i++) {
      await messages.put(
        messageItem({
          _id: `a${i}`,
          roomType: ['c', 'p', 'd'][i % 3],
          ts: ts(20 + (i % 5), i % 24, (i * 7) % 60),
        }),
      );
    }
    await messages.put(messageItem({ _id: 'reply', tmid: 'a1', ts: ts(21, 23, 59) }));
    await messages.put(messageItem({ _id: 'join', t: 'uj', ts: ts(21, 8) }));
    await messages.put(messageItem({ _id: 'livechat', roomType: 'l', ts: ts(21, 8) }));
    await messages.put(
      messageItem({ _id: 'a2', msg: 'edited', editedAt: ts(22, 9), ts: ts(22, 2, 14) }),
    );
    await messages.put(messageItem({ _id: 'a2-history', _hidden: true, ts: ts(22, 2, 14) }));
    await messages.put(messageItem({ _id: 'a3', t: 'rm', msg: '', ts: ts(23, 3, 21) }));
    await messages.delete('a4');
    await messages.put(messageItem({ _id: 'a5', roomType: 'p', ts: ts(30, 0, 0) }));

    await deliver(await newRecords(), 7);

    const counters = await readCounters(tables.counters);
    expect(counters).toEqual(await recountMessages(tables.messages));
    expect(counters['day 2023-05-21']).toBe(7);
    expect(metricValues(output, 'MessagesAdded').reduce((a, b) => a + b, 0)).toBe(33);
  });

  it('recognises a redelivered batch and changes nothing', async () => {
    for (let i = 0; i < 5; i++) await messages.put(messageItem({ _id: `r${i}` }));
    const batch = await newRecords();

    await deliver(batch, 5);
    const once = await readCounters(tables.counters);
    const again = await handler(feeder.event(batch), lambdaContext());
    const shorter = await handler(feeder.event(batch.slice(0, 3)), lambdaContext());

    expect(again).toEqual({ batchItemFailures: [], state: mark(batch) });
    // The state carries the shard's mark, past the shorter delivery's end.
    expect(shorter).toEqual({ batchItemFailures: [], state: mark(batch) });
    expect(await readCounters(tables.counters)).toEqual(once);
    expect(once['day 2023-05-30']).toBe(5);
    expect(metricValues(output, 'RecordsAlreadyApplied')).toEqual([0, 5, 3]);
    // Repeated deliveries are exact, and flagged for an operator all the same.
    expect(metricValues(output, 'DeliveriesInsideAppliedRange')).toEqual([0, 1, 1]);
    expect(metricValues(output, 'DeliveryAnomalies')).toEqual([0, 1, 1]);
  });

  it('counts the rest exactly once after a redelivery shorter than the delivery before it', async () => {
    for (let i = 0; i < 10; i++) {
      await messages.put(messageItem({ _id: `s${i}`, ts: `2023-05-2${i % 3}T10:00:00.000Z` }));
    }
    const records = await newRecords();
    // The first delivery of ten is applied but its result is lost; Lambda then redelivers from
    // the same record with a smaller BatchSize, and goes on after each shorter success.
    await handler(feeder.event(records), lambdaContext());
    for (const at of [0, 4, 7]) {
      const batch = records.slice(at, at + 4);
      expect(await handler(feeder.event(batch), lambdaContext())).toEqual({
        batchItemFailures: [],
        state: mark(records),
      });
    }

    expect(await readCounters(tables.counters)).toEqual({
      'day 2023-05-20': 4,
      'day 2023-05-21': 3,
      'day 2023-05-22': 3,
      'quarter-hour 2023-05-20T10:00': 4,
      'quarter-hour 2023-05-21T10:00': 3,
      'quarter-hour 2023-05-22T10:00': 3,
    });
    expect(metricValues(output, 'RecordsApplied')).toEqual([10, 0, 0, 0]);
  });

  it('skips malformed images with a log line and a metric, without failing the batch', async () => {
    await messages.put(messageItem({ _id: 'good', msg: 'secret words' }));
    await messages.put(
      messageItem({ _id: 'bad-ts', ts: '2023-02-30T00:00:00.000Z', msg: 'secret words' }),
    );
    await messages.put(messageItem({ _id: 'bad-hidden', _hidden: 'yes' as unknown as boolean }));
    const records = await newRecords();
    const broken = {
      ...records[0],
      eventID: 'broken-image',
      dynamodb: { ...records[0]?.dynamodb, SequenceNumber: '1', NewImage: { _id: { X: 1 } } },
    } as unknown as DynamoDBRecord;
    const unidentifiable = { eventName: 'INSERT', dynamodb: {} } as DynamoDBRecord;

    const response = await handler(
      feeder.event([broken, unidentifiable, ...records]),
      lambdaContext(),
    );

    expect(response).toEqual({ batchItemFailures: [], state: mark(records) });
    expect(await readCounters(tables.counters)).toEqual({
      'day 2023-05-30': 1,
      'quarter-hour 2023-05-30T10:00': 1,
    });
    const warnings = output.json().filter((line) => line.level === 'WARN');
    expect(warnings.map((line) => [line.messageId ?? null, line.problems ?? null])).toEqual([
      [
        'good',
        ['_id: invalid_type', 'rid: invalid_type', 'roomType: invalid_type', 'ts: invalid_type'],
      ],
      ['bad-ts', ['ts: invalid_format']],
      ['bad-hidden', ['_hidden: invalid_type']],
      [null, null],
    ]);
    expect(output.lines().join('\n')).not.toContain('secret words');
    expect(metricValues(output, 'MalformedImages')).toEqual([3]);
    expect(metricValues(output, 'UnidentifiableRecords')).toEqual([1]);
    // What the skipped-records alarm watches.
    expect(metricValues(output, 'SkippedRecords')).toEqual([4]);
  });

  it('writes a batch of 1,000 messages of one day as one transaction', async () => {
    const items = Array.from({ length: 1000 }, (_, i) =>
      messageItem({
        _id: `bulk${i}`,
        ts: new Date(Date.UTC(2023, 4, 25) + i * 86_000).toISOString(),
      }),
    );
    await messages.putMany(items);

    await deliver(await newRecords(), 1000);

    expect(metricValues(output, 'CounterTransactions')).toEqual([1]);
    expect((await readCounters(tables.counters))['day 2023-05-25']).toBe(1000);
  });

  it('publishes the age of the newest record', async () => {
    await messages.put(messageItem({ _id: 'fresh' }));
    await deliver(await newRecords(), 10);
    const [age] = metricValues(output, 'NewestRecordAgeMs');
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(120_000);
  });

  it('takes over from the run marker a version before applied marks left, counting nothing twice', async () => {
    for (let i = 0; i < 8; i++) {
      await messages.put(messageItem({ _id: `u${i}`, ts: '2023-05-28T09:00:00.000Z' }));
    }
    const records = await newRecords();
    const sequence = (index: number) => records[index]?.dynamodb?.SequenceNumber as string;
    // The version before counted the first six in one batch (keyed by its first record) and its
    // result was lost; then the upgrade. Lambda redelivers from the same record, three at a time.
    await addToCounters({ day: 6, quarterHour: 6 });
    await documentClient.send(
      new PutCommand({
        TableName: tables.counters,
        Item: { ...runMarkerKey(records[0]?.eventID as string), through: sequence(5) },
      }),
    );
    for (const at of [0, 3, 6]) {
      expect(await handler(feeder.event(records.slice(at, at + 3)), lambdaContext())).toEqual({
        batchItemFailures: [],
        state: { appliedThrough: sequence(Math.max(5, Math.min(at + 2, 7))) },
      });
    }

    expect(await readCounters(tables.counters)).toEqual({
      'day 2023-05-28': 8,
      'quarter-hour 2023-05-28T09:00': 8,
    });
  });

  it('counts records that come out of sequence order (or twice) once each, in order', async () => {
    await messages.put(messageItem({ _id: 'o1' }));
    await messages.put(messageItem({ _id: 'o2' }));
    await messages.put(messageItem({ _id: 'o1', t: 'rm' }));
    const records = await newRecords();
    const shuffled = [records[2], records[0], records[1], records[0]] as DynamoDBRecord[];

    const response = await handler(feeder.event(shuffled), lambdaContext());

    expect(response).toEqual({ batchItemFailures: [], state: mark(records) });
    // o1 added then taken away again, o2 added: what a recount of the two says.
    expect(await readCounters(tables.counters)).toEqual({
      'day 2023-05-30': 1,
      'quarter-hour 2023-05-30T10:00': 1,
    });
    expect(metricValues(output, 'DeliveriesOutOfOrder')).toEqual([1]);
  });

  it('refuses to count an event that does not name its shard, and says what the mapping lacks', async () => {
    await messages.put(messageItem({ _id: 'no-shard' }));
    const records = await newRecords();
    const { shardId: _shardId, ...withoutShard } = feeder.event(records);

    await expect(handler(withoutShard, lambdaContext())).rejects.toThrow(
      /needs a tumbling window \(TumblingWindowInSeconds\)/,
    );
    await expect(handler({ Records: records }, lambdaContext())).rejects.toThrow(
      /TumblingWindowInSeconds/,
    );
    expect(await readCounters(tables.counters)).toEqual({});
    expect(metricValues(output, 'EventsWithoutShard')).toEqual([1, 1]);
    expect(metricValues(output, 'DeliveryAnomalies')).toEqual([1, 1]);
    await deliver(records, 10);
  });

  it("answers a window's last invocation, which may come without records, with its state", async () => {
    const event = { ...feeder.event([], { appliedThrough: '42' }), isFinalInvokeForWindow: true };
    expect(await handler(event, lambdaContext())).toEqual({
      batchItemFailures: [],
      state: { appliedThrough: '42' },
    });
    // A state that is not a sequence number is not trusted, nor repeated.
    const forged = { ...feeder.event([], { appliedThrough: '99; DROP' }) };
    expect(await handler(forged, lambdaContext())).toEqual({ batchItemFailures: [], state: {} });
  });

  it('rejects an event that is not a stream batch with a clear error and no stack in the log', async () => {
    await expect(handler({} as never, lambdaContext())).rejects.toThrow(
      'the event is not a DynamoDB stream event: it has no Records list',
    );
    const [line] = output.json().filter((entry) => entry.level === 'ERROR');
    expect(JSON.stringify(line)).not.toMatch(/stack|at .*\.ts:\d+/);
  });
});
