// DynamoDB stopped in the middle of a run: the query answers 503 within its timeouts, the stream
// handler reports its batch failed, and once DynamoDB is back (its data kept on disk) the retried
// batches leave the counters exact.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { httpApiEvent } from '../helpers/api-gateway.js';
import { readCounters, recountMessages } from '../helpers/counters.js';
import { lambdaContext } from '../helpers/lambda.js';
import { MessagesTable, messageItem } from '../helpers/messages.js';
import { captureOutput } from '../helpers/output.js';
import { StreamFeeder } from '../helpers/stream.js';
import { useOwnDynamoDbLocal, useTestTables } from '../helpers/tables.js';

captureOutput();
const dataDir = await mkdtemp(join(tmpdir(), 'ddb-outage-'));
afterAll(() => rm(dataDir, { recursive: true, force: true }));
// This file's own DynamoDB Local, the one that will be stopped, keeping its data on disk.
const dynamoDb = await useOwnDynamoDbLocal({ dbPath: dataDir });
const tables = await useTestTables();
process.env.DYNAMODB_MAX_ATTEMPTS = '2';
process.env.DYNAMODB_CONNECT_TIMEOUT_MS = '500';
process.env.DYNAMODB_REQUEST_TIMEOUT_MS = '1000';
const countMessages = await import('../../functions/count-messages.js');
const messagesSent = await import('../../functions/messages-sent.js');

describe('DynamoDB Local stopped mid-run', () => {
  it('answers 503 in time, fails the stream batch, and ends exact once DynamoDB is back', async () => {
    await new MessagesTable(tables.messages).putMany(
      Array.from({ length: 50 }, (_, i) =>
        messageItem({
          _id: `o${i}`,
          ts: new Date(Date.UTC(2024, 5, 1 + (i % 3), i % 24)).toISOString(),
        }),
      ),
    );
    const feeder = await StreamFeeder.of(tables.messages);
    const records = await feeder.newRecords();
    const [first, second] = [records.slice(0, 30), records.slice(30)];
    expect(
      (await countMessages.handler(feeder.event(first), lambdaContext())).batchItemFailures,
    ).toEqual([]);

    await dynamoDb.stop();

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
    const failed = await countMessages.handler(feeder.event(second), lambdaContext());
    expect(failed.batchItemFailures).toEqual([
      { itemIdentifier: second[0]?.dynamodb?.SequenceNumber },
    ]);

    await dynamoDb.start();
    // Lambda retries the failed batch, and redelivers the first one (its result "lost") too.
    expect(
      (await countMessages.handler(feeder.event(second), lambdaContext())).batchItemFailures,
    ).toEqual([]);
    expect(
      (await countMessages.handler(feeder.event(first), lambdaContext())).batchItemFailures,
    ).toEqual([]);

    const counters = await readCounters(tables.counters);
    expect(counters).toEqual(await recountMessages(tables.messages));
    expect(counters['day 2024-06-01']).toBe(17);
  });
});
