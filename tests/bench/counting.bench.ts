// count-messages: DynamoDB writes per counted message, handler throughput, and how much of the
// handler's time is its DynamoDB calls.
import { type AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse } from 'aws-lambda';
import { countingConfigSchema, loadConfig } from '../../lib/config.js';
import { countedDeltas } from '../../lib/counting/changes.js';
import { parseMessageImage } from '../../lib/counting/message.js';
import { planChunks } from '../../lib/counting/plan.js';
import type { CountingEvent } from '../../lib/lambda/stream-records.js';
import { createDocumentClient } from '../../lib/store/client.js';
import { counterItemKey } from '../../lib/store/counter-keys.js';
import { DynamoDbCounterLedger } from '../../lib/store/counter-ledger.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { lambdaContext } from '../helpers/lambda.js';
import { insertRecord, syntheticEvent, syntheticShard } from '../helpers/stream-records.js';
import { type Benchmark, type BenchRow, compared } from './harness.js';
import { median, timed } from './stats.js';

interface CountMessages {
  handler(event: CountingEvent, context: Context): Promise<DynamoDBBatchResponse>;
}

const counted = new Set(['c', 'p', 'd']);
const callsShard = { ...syntheticShard, shardId: `${syntheticShard.shardId}-calls` };
let nextId = 0;

/** A batch of new messages, all sent on 2023-05-30 at random times, in several rooms. */
function oneDayBatch(size: number) {
  const dayStart = Date.UTC(2023, 4, 30);
  return Array.from({ length: size }, () =>
    insertRecord({
      _id: `bench-${nextId++}`,
      rid: `room-${nextId % 7}`,
      roomType: ['c', 'p', 'd'][nextId % 3],
      ts: new Date(dayStart + Math.floor(Math.random() * 86_400_000)).toISOString(),
      msg: 'benchmark message',
      u: { _id: 'u1', username: 'bench' },
    }),
  );
}

const writeOperations = ['TransactWriteItems', 'UpdateItem', 'PutItem', 'BatchWriteItem'];

export const countingBenchmark: Benchmark = {
  name: 'count-messages',
  async run(context): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    const proxy = await startFaultProxy(context.endpoint);
    const writesSoFar = () =>
      writeOperations.reduce((sum, operation) => sum + (proxy.injected[operation]?.pass ?? 0), 0);
    const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: proxy.url }));
    try {
      const throughProxy = await context.importFunction<CountMessages>('count-messages');
      for (const size of [100, 1000]) {
        const batch = oneDayBatch(size);
        const before = writesSoFar();
        const response = await context.withEndpoint(proxy.url, () =>
          throughProxy.handler(syntheticEvent(batch), lambdaContext()),
        );
        if (response.batchItemFailures.length > 0) throw new Error('the batch was not applied');
        const writes = writesSoFar() - before;
        if (writes === 0) throw new Error('the handler did not write through the counting proxy');

        // The naive way: one ADD per counted message, straight from each stream record.
        const naiveBefore = writesSoFar();
        for (const record of batch) {
          const day = String(record.dynamodb?.NewImage?.ts?.S).slice(0, 10);
          await documentClient.send(
            new UpdateCommand({
              TableName: context.tables.counters,
              Key: counterItemKey({ unit: 'day', period: `naive-${day}` }),
              UpdateExpression: 'ADD messages :one',
              ExpressionAttributeValues: { ':one': 1 },
            }),
          );
        }
        const naiveWrites = writesSoFar() - naiveBefore;
        rows.push(
          compared(
            {
              benchmark: 'count-messages',
              measure: `write requests per counted message, batch of ${size} on one day`,
              value: writes / size,
              unit: 'requests',
              goal: '≤ 0.05',
            },
            'per-message ADD',
            naiveWrites / size,
          ),
        );
      }
    } finally {
      documentClient.destroy();
      await proxy.close();
    }

    const { handler } = await context.importFunction<CountMessages>('count-messages');
    const size = 1000;
    const runs = 40;
    await handler(syntheticEvent(oneDayBatch(size)), lambdaContext());

    // The same DynamoDB calls the handler makes for such a batch, issued directly with a client
    // configured as the function's: the mark read and one transaction per chunk (on a shard of
    // their own, so that the two never move each other's mark). Runs alternate
    // with the handler's so that both see the same state of the machine and of DynamoDB Local.
    const ledger = new DynamoDbCounterLedger(
      createDocumentClient(loadConfig(countingConfigSchema).dynamoDb),
      context.tables.counters,
    );
    const handlerTimes: number[] = [];
    const callTimes: number[] = [];
    // Every batch is made before any is timed, so that making them leaves no garbage for the
    // collector to clear in the middle of a timed run.
    const forHandler = Array.from({ length: runs }, () => syntheticEvent(oneDayBatch(size)));
    const forCalls = Array.from({ length: runs }, () => {
      const records = oneDayBatch(size);
      const chunks = planChunks(
        records.map((record) => {
          const sequenceNumber = String(record.dynamodb?.SequenceNumber);
          const newImage = unmarshall(
            (record.dynamodb?.NewImage ?? {}) as Record<string, AttributeValue>,
          );
          return {
            sequenceNumber,
            eventId: String(record.eventID),
            deltas: countedDeltas(parseMessageImage(newImage), counted),
          };
        }),
      );
      return { firstEventId: String(records[0]?.eventID), chunks };
    });
    const timeHandler = async (run: number) => {
      const event = forHandler[run] as (typeof forHandler)[number];
      const invocation = lambdaContext();
      handlerTimes.push((await timed(() => handler(event, invocation)))[1]);
    };
    const timeCalls = async (run: number) => {
      const { firstEventId, chunks } = forCalls[run] as (typeof forCalls)[number];
      const [, ms] = await timed(async () => {
        let previous = await ledger.appliedThrough(callsShard, firstEventId);
        for (const chunk of chunks) {
          await ledger.applyChunk(callsShard, previous, chunk);
          previous = chunk.through;
        }
      });
      callTimes.push(ms);
    };
    // Alternating which goes first, so that neither always follows the other's garbage.
    for (let run = 0; run < runs; run++) {
      if (run % 2 === 0) {
        await timeHandler(run);
        await timeCalls(run);
      } else {
        await timeCalls(run);
        await timeHandler(run);
      }
    }

    // Baseline for throughput: the naive per-message ADD of the same number of messages.
    const naiveClient = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: context.endpoint }),
    );
    const [, naiveMs] = await timed(async () => {
      for (let i = 0; i < size; i++) {
        await naiveClient.send(
          new UpdateCommand({
            TableName: context.tables.counters,
            Key: counterItemKey({ unit: 'day', period: 'naive-throughput' }),
            UpdateExpression: 'ADD messages :one',
            ExpressionAttributeValues: { ':one': 1 },
          }),
        );
      }
    });
    naiveClient.destroy();

    const handlerMs = median(handlerTimes);
    rows.push(
      compared(
        {
          benchmark: 'count-messages',
          measure: `handler throughput, batches of ${size} messages`,
          value: (size / handlerMs) * 1000,
          unit: 'messages/s',
        },
        'per-message ADD',
        (size / naiveMs) * 1000,
      ),
      compared(
        {
          benchmark: 'count-messages',
          measure: `handler time per batch of ${size} (median of ${runs})`,
          value: handlerMs,
          unit: 'ms',
          goal: 'ratio ≤ 1.2',
        },
        'its DynamoDB calls alone',
        median(callTimes),
      ),
    );
    return rows;
  },
};
