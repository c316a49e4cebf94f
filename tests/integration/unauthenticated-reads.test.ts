// What a refused request may cost: the auth BatchGetItem, and at most the counters of a
// UTC window of 31 days read alongside it so that the usual request takes one round trip. Longer
// windows and time-zone days are read only once access is granted. Counted on the wire, through a
// proxy in front of DynamoDB Local, over a year of busy counters.
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpApiEvent } from '../helpers/api-gateway.js';
import { countReads } from '../helpers/dynamodb-reads.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { lambdaContext } from '../helpers/lambda.js';
import { captureOutput } from '../helpers/output.js';
import { insertRecord, syntheticEvent } from '../helpers/stream-records.js';
import { localClient, localEndpoint, useTestTables } from '../helpers/tables.js';
import { userWithToken } from '../helpers/users.js';

const tables = await useTestTables();
const proxy = await startFaultProxy(localEndpoint());
afterAll(() => proxy.close());
// The functions' DynamoDB clients talk to the proxy.
process.env.AWS_ENDPOINT_URL_DYNAMODB = proxy.url;
captureOutput();
const countMessages = await import('../../functions/count-messages.js');
const messagesSent = await import('../../functions/messages-sent.js');
const { reads, reset } = countReads(proxy);

const granted = { 'x-user-id': 'analyst', 'x-auth-token': 'analyst-token' };
/** Refused callers, and the auth lookups each costs: none without a token. */
const refused: [string, Record<string, string>, number][] = [
  ['no token', { 'x-user-id': 'analyst' }, 0],
  ['an unknown token', { 'x-user-id': 'analyst', 'x-auth-token': 'guessed' }, 1],
  ['a token of another user', { 'x-user-id': 'someone-else', 'x-auth-token': 'analyst-token' }, 1],
  ['a user without the permission', { 'x-user-id': 'viewer', 'x-auth-token': 'viewer-token' }, 1],
];
const hourMs = 3_600_000;
const year2023 = { start: '2023-01-01T12:00:00.000Z', end: '2023-12-31T12:00:00.000Z' };
/** The day counters of the window and of the equal-length window before it. */
const maxItemsBeforeAccess = 2 * 31;

beforeAll(async () => {
  const client = DynamoDBDocumentClient.from(localClient());
  await userWithToken(client, tables.auth, {
    userId: 'analyst',
    token: 'analyst-token',
    roles: ['admin'],
  });
  await userWithToken(client, tables.auth, {
    userId: 'viewer',
    token: 'viewer-token',
    roles: ['user'],
  });
  // A busy year: a message every hour of 2023, so every day and 8,760 quarter-hours have counters.
  const records = Array.from({ length: 365 * 24 }, (_, hour) =>
    insertRecord({
      _id: `hourly-${hour}`,
      rid: 'GENERAL',
      roomType: 'c',
      ts: new Date(Date.UTC(2023, 0, 1) + hour * hourMs).toISOString(),
    }),
  );
  for (let at = 0; at < records.length; at += 1000) {
    const response = await countMessages.handler(
      syntheticEvent(records.slice(at, at + 1000)),
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([]);
  }
}, 120_000);

async function ask(query: Record<string, string>, headers: Record<string, string>) {
  reset();
  const response = (await messagesSent.handler(
    httpApiEvent({ query, headers }),
    lambdaContext(),
  )) as APIGatewayProxyResult;
  return { status: response.statusCode, body: JSON.parse(response.body) };
}

describe('a refused request', () => {
  const windows: [string, Record<string, string>, number][] = [
    ['a year in a time zone', { ...year2023, timezone: 'America/Sao_Paulo' }, 0],
    ['a year of UTC days', year2023, 0],
    [
      'a week in a time zone',
      {
        start: '2023-05-24T12:00:00.000Z',
        end: '2023-05-30T12:00:00.000Z',
        timezone: 'Asia/Tokyo',
      },
      0,
    ],
    ['32 UTC days', { start: '2023-05-01T00:00:00.000Z', end: '2023-06-01T00:00:00.000Z' }, 0],
    ['31 UTC days', { start: '2023-05-01T00:00:00.000Z', end: '2023-05-31T00:00:00.000Z' }, 62],
    ['malformed dates', { start: 'yesterday', end: 'today' }, 0],
  ];

  describe.each(refused)('with %s', (_refusal, headers, lookups) => {
    it.each(windows)(
      'costs the auth lookup and no more counters than allowed: %s',
      async (_window, query, dayItems) => {
        const { status } = await ask(query, headers);

        expect([401, 403]).toContain(status);
        expect(reads.requests.BatchGetItem ?? 0).toBe(lookups);
        expect(reads.items.BatchGetItem ?? 0).toBeLessThanOrEqual(3);
        expect(reads.items.Query ?? 0).toBeLessThanOrEqual(maxItemsBeforeAccess);
        // Counters are only read alongside a lookup, never for a request refused without one.
        const counterItems = lookups > 0 ? dayItems : 0;
        expect(reads.items.Query ?? 0).toBe(counterItems);
        expect(reads.requests.Query ?? 0).toBe(counterItems > 0 ? 1 : 0);
        expect(
          Object.keys(reads.requests).filter(
            (operation) => operation !== 'BatchGetItem' && operation !== 'Query',
          ),
        ).toEqual([]);
      },
    );
  });

  it('twenty year-long time-zone requests with made-up tokens read no counter', async () => {
    let counterItems = 0;
    for (let i = 0; i < 20; i++) {
      await ask(
        { ...year2023, timezone: 'America/Sao_Paulo' },
        { 'x-user-id': `u${i}`, 'x-auth-token': 'x' },
      );
      counterItems += reads.items.Query ?? 0;
    }
    expect(counterItems).toBe(0);
  });
});

describe('a granted request', () => {
  it('reads the auth items and a 31-day window in one round trip', async () => {
    const { status, body } = await ask(
      { start: '2023-05-01T00:00:00.000Z', end: '2023-05-31T00:00:00.000Z' },
      granted,
    );

    expect(status).toBe(200);
    expect(body.period).toEqual({ count: 31 * 24, variation: 0 });
    expect(reads.requests).toEqual({ BatchGetItem: 1, Query: 1 });
    expect(reads.mostInFlight).toBe(2);
  });

  it('reads a year of local days once access is granted, and answers it exactly', async () => {
    const { status, body } = await ask({ ...year2023, timezone: 'America/Sao_Paulo' }, granted);

    expect(status).toBe(200);
    // Local 2023 in São Paulo (UTC−3) starts at 03:00 UTC: the first three hourly messages are
    // in its last day of 2022.
    expect(body.period).toEqual({ count: 365 * 24 - 3, variation: 365 * 24 - 3 - 3 });
    expect(reads.requests.BatchGetItem).toBe(1);
    // One quarter-hours item per UTC day of the window and of the one before it, where messages
    // were sent (all of 2023, and a day either side for the zone's offset): not 24 × 365.
    expect(reads.items.Query).toBeGreaterThanOrEqual(365);
    expect(reads.items.Query).toBeLessThanOrEqual(2 * 365 + 2);
  });
});
