// The real count-messages handler, fed the Messages table's real stream in Lambda-shaped batches.
import type { DynamoDBRecord } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { streamEvent, toLambdaStreamRecord } from '../../infra/local/lambda-events.js';
import { clearTable, readCounters, recountMessages } from '../helpers/counters.js';
import { lambdaContext } from '../helpers/lambda.js';
import { MessagesTable, messageItem } from '../helpers/messages.js';
import { captureOutput, metricValues } from '../helpers/output.js';
import { readWholeStream, streamArnOf } from '../helpers/stream.js';
import { useTestTables } from '../helpers/tables.js';

const tables = await useTestTables();
process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
process.env.POWERTOOLS_METRICS_DISABLED = 'false';
const output = captureOutput();
const { handler } = await import('../../functions/count-messages.js');

const messages = new MessagesTable(tables.messages);
const streamArn = await streamArnOf(tables.messages);
let delivered = 0;

/** Records written since the last call, as Lambda would deliver them. */
async function newRecords(): Promise<DynamoDBRecord[]> {
  const records = (await readWholeStream(streamArn)).slice(delivered);
  delivered += records.length;
  return records.map((record) => toLambdaStreamRecord(record, streamArn));
}

async function deliver(records: DynamoDBRecord[], batchSize: number) {
  for (let at = 0; at < records.length; at += batchSize) {
    const response = await handler(streamEvent(records.slice(at, at + batchSize)), lambdaContext());
    expect(response).toEqual({ batchItemFailures: [] });
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
    await deliver(batch, 5);
    await deliver(batch.slice(0, 3), 3);

    expect(await readCounters(tables.counters)).toEqual(once);
    expect(once['day 2023-05-30']).toBe(5);
    expect(metricValues(output, 'BatchesAlreadyApplied')).toEqual([0, 1, 1]);
    // The last delivery was shorter than the first: recognised, and flagged for an operator.
    expect(metricValues(output, 'RedeliveriesEndedInsideAppliedRun')).toEqual([1]);
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
      streamEvent([broken, unidentifiable, ...records]),
      lambdaContext(),
    );

    expect(response).toEqual({ batchItemFailures: [] });
    expect(await readCounters(tables.counters)).toEqual({
      'day 2023-05-30': 1,
      'quarter-hour#2023-05 2023-05-30T10:00': 1,
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

  it('rejects an event that is not a stream batch with a clear error and no stack in the log', async () => {
    await expect(handler({} as never, lambdaContext())).rejects.toThrow(
      'the event is not a DynamoDB stream event: it has no Records list',
    );
    const [line] = output.json().filter((entry) => entry.level === 'ERROR');
    expect(JSON.stringify(line)).not.toMatch(/stack|at .*\.ts:\d+/);
  });

  it('rejects a batch whose records are out of stream order', async () => {
    await messages.put(messageItem({ _id: 'o1' }));
    await messages.put(messageItem({ _id: 'o2' }));
    const records = await newRecords();
    await expect(handler(streamEvent(records.reverse()), lambdaContext())).rejects.toThrow(
      /ascending sequence-number order/,
    );
    expect(await readCounters(tables.counters)).toEqual({});
  });
});
