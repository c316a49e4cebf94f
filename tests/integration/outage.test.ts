// DynamoDB stopped in the middle of a run: the query answers 503 within its timeouts, the stream
// handler reports its batch failed, and once DynamoDB is back (its data kept on disk) the retried
// batches leave the counters exact.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult, DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import { streamEvent, toLambdaStreamRecord } from '../../infra/local/lambda-events.js';
import { createTables, tableEnvironment } from '../../infra/local/tables.js';
import { putAll } from '../../lib/store/put-all.js';
import { httpApiEvent } from '../helpers/api-gateway.js';
import { readCounters, recountMessages } from '../helpers/counters.js';
import { lambdaContext } from '../helpers/lambda.js';
import { messageItem } from '../helpers/messages.js';
import { captureOutput } from '../helpers/output.js';

captureOutput();
const dataDir = await mkdtemp(join(tmpdir(), 'ddb-outage-'));
let dynamoDbLocal: DynamoDbLocal = await startDynamoDbLocal({ dbPath: dataDir });
const port = dynamoDbLocal.port;
afterAll(async () => {
  await dynamoDbLocal.stop();
  await rm(dataDir, { recursive: true, force: true });
});

// This file's functions talk to its own DynamoDB Local, the one that will be stopped.
process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamoDbLocal.endpoint;
process.env.AWS_ENDPOINT_URL_DYNAMODB_STREAMS = dynamoDbLocal.endpoint;
process.env.DYNAMODB_MAX_ATTEMPTS = '2';
process.env.DYNAMODB_CONNECT_TIMEOUT_MS = '500';
process.env.DYNAMODB_REQUEST_TIMEOUT_MS = '1000';
const client = new DynamoDBClient({ endpoint: dynamoDbLocal.endpoint, maxAttempts: 1 });
const documentClient = DynamoDBDocumentClient.from(client);
const { names } = await createTables(client, 'engagement-dashboard-outage');
Object.assign(process.env, tableEnvironment(names));
const countMessages = await import('../../functions/count-messages.js');
const messagesSent = await import('../../functions/messages-sent.js');

async function streamRecords(): Promise<DynamoDBRecord[]> {
  const streams = new DynamoDBStreamsClient({ endpoint: dynamoDbLocal.endpoint });
  try {
    const { DescribeTableCommand } = await import('@aws-sdk/client-dynamodb');
    const { Table } = await client.send(new DescribeTableCommand({ TableName: names.messages }));
    const StreamArn = Table?.LatestStreamArn as string;
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn }));
    const records: DynamoDBRecord[] = [];
    for (const { ShardId } of StreamDescription?.Shards ?? []) {
      let { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({ StreamArn, ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      while (ShardIterator) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator, Limit: 1000 }));
        records.push(
          ...(page.Records ?? []).map((record) => toLambdaStreamRecord(record, StreamArn)),
        );
        ShardIterator = page.Records?.length ? page.NextShardIterator : undefined;
      }
    }
    return records;
  } finally {
    streams.destroy();
  }
}

describe('DynamoDB Local stopped mid-run', () => {
  it('answers 503 in time, fails the stream batch, and ends exact once DynamoDB is back', async () => {
    const items = Array.from({ length: 60 }, (_, i) =>
      messageItem({
        _id: `o${i}`,
        ts: new Date(Date.UTC(2024, 5, 1 + (i % 3), i % 24)).toISOString(),
      }),
    );
    await putAll(documentClient, names.messages, items.slice(0, 50));
    const records = await streamRecords();
    const [first, second] = [records.slice(0, 30), records.slice(30)];
    expect(
      (await countMessages.handler(streamEvent(first), lambdaContext())).batchItemFailures,
    ).toEqual([]);

    await dynamoDbLocal.stop();

    const started = Date.now();
    const response = (await messagesSent.handler(
      httpApiEvent({
        query: { start: '2024-06-01T00:00:00.000Z', end: '2024-06-03T00:00:00.000Z' },
        headers: { 'x-user-id': 'someone', 'x-auth-token': 'token' },
      }),
      lambdaContext(),
    )) as APIGatewayProxyResult;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body)).toEqual({
      success: false,
      error:
        'The message counts cannot be read right now; try again shortly [error-service-unavailable]',
    });
    const failed = await countMessages.handler(streamEvent(second), lambdaContext());
    expect(failed.batchItemFailures).toEqual([
      { itemIdentifier: second[0]?.dynamodb?.SequenceNumber },
    ]);

    dynamoDbLocal = await startDynamoDbLocal({ dbPath: dataDir, port });
    // Lambda retries the failed batch, and redelivers the first one (its result "lost") too.
    expect(
      (await countMessages.handler(streamEvent(second), lambdaContext())).batchItemFailures,
    ).toEqual([]);
    expect(
      (await countMessages.handler(streamEvent(first), lambdaContext())).batchItemFailures,
    ).toEqual([]);

    const counters = await readCounters(names.counters, { client: documentClient });
    expect(counters).toEqual(await recountMessages(names.messages, { client: documentClient }));
    expect(counters['day 2024-06-01']).toBe(17);
  });
});
