// Where `npm run admin` sends its requests, as the AWS SDK documents endpoint settings: with only
// AWS_ENDPOINT_URL_DYNAMODB set, the streams of its tables are read there too, and a request that
// cannot reach its endpoint is reported with the variable that pointed there.
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../../infra/local/dynamodb-local.js';
import { admin } from '../helpers/admin-cli.js';
import { addToCounter, readCounters } from '../helpers/counters.js';
import { localClient, localEndpoint, useTestTables } from '../helpers/tables.js';

const tables = await useTestTables();
const documentClient = DynamoDBDocumentClient.from(localClient());

/**
 * Drift for reconcile to repair: a counter moved behind the counting function's back, on the day
 * of a message whose stream record is not counted yet (so the stream must be read to know that
 * the message is not the counter's to hold).
 */
async function driftOn(day: string, _id: string): Promise<void> {
  await documentClient.send(
    new PutCommand({
      TableName: tables.messages,
      Item: { _id, rid: 'GENERAL', roomType: 'c', ts: `${day}T09:10:00.000Z` },
    }),
  );
  await addToCounter(tables.counters, { unit: 'day', period: day }, 3);
}
const reconcile = (day: string) => [
  'counters',
  'reconcile',
  '--from',
  day,
  '--to',
  day,
  '--settle',
  '1',
];

describe('endpoint settings of the admin tools', () => {
  it.each([
    // The case the admin tools add to the SDK: the stream is read from the DynamoDB endpoint.
    ['2024-04-02', 'AWS_ENDPOINT_URL_DYNAMODB'],
    // The SDK's own: every service goes there.
    ['2024-04-03', 'AWS_ENDPOINT_URL'],
  ])('reconciles (on %s) with only %s set', async (day, variable) => {
    await driftOn(day, `message-of-${day}`);
    const outcome = await admin(reconcile(day), {
      AWS_ENDPOINT_URL: undefined,
      AWS_ENDPOINT_URL_DYNAMODB: undefined,
      AWS_ENDPOINT_URL_DYNAMODB_STREAMS: undefined,
      [variable]: localEndpoint(),
    });
    expect(outcome.stderr).not.toMatch(/error/);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toMatch(new RegExp(`^${day} +3 +0 +-3 +repaired$`, 'm'));
    expect(await readCounters(tables.counters)).not.toHaveProperty([`day ${day}`]);
  });

  it('names AWS_ENDPOINT_URL_DYNAMODB_STREAMS when the streams endpoint it sets cannot be reached', async () => {
    const closed = await freeLoopbackPort();
    const outcome = await admin(reconcile('2024-04-04'), {
      AWS_ENDPOINT_URL_DYNAMODB_STREAMS: `http://127.0.0.1:${closed}`,
    });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr.trim().split('\n').at(-1)).toBe(
      `error: cannot reach DynamoDB Streams at http://127.0.0.1:${closed} (ECONNREFUSED); check the region and AWS_ENDPOINT_URL_DYNAMODB_STREAMS`,
    );
  });

  it('names AWS_ENDPOINT_URL_DYNAMODB, used for both, when it alone is set and cannot be reached', async () => {
    const closed = await freeLoopbackPort();
    const outcome = await admin(reconcile('2024-04-04'), {
      AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${closed}`,
      AWS_ENDPOINT_URL_DYNAMODB_STREAMS: undefined,
    });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr.trim().split('\n').at(-1)).toBe(
      `error: cannot reach DynamoDB at http://127.0.0.1:${closed} (ECONNREFUSED); check the region and AWS_ENDPOINT_URL_DYNAMODB`,
    );
  });
});
