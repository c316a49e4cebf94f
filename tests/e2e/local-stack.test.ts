// The local stack over HTTP, as `npm start` runs it: the seed document's request and its errors,
// and how soon a new message shows.
import { readFile } from 'node:fs/promises';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { demoToken, demoUser } from '../../infra/local/demo-data.js';
import { startLocalStack } from '../../infra/local/stack.js';
import { captureOutput } from '../helpers/output.js';
import { localClient } from '../helpers/tables.js';
import { userWithToken } from '../helpers/users.js';

captureOutput();
const stack = await startLocalStack({
  httpPort: 0,
  dynamoDbPort: 0,
  dynamoDbEndpoint: inject('dynamoDbEndpoint'),
  stackName: `engagement-dashboard-e2e-${process.pid}`,
  pollIntervalMs: 100,
});
afterAll(() => stack.stop());

const documentClient = DynamoDBDocumentClient.from(localClient());
const seed = await readFile(
  new URL('../fixtures/messages-sent-seed.json', import.meta.url),
  'utf8',
);
const seedUrl = `${stack.httpUrl}/api/v1/engagement-dashboard/messages/messages-sent?start=2023-05-20T00%3A00%3A00.000Z&end=2023-05-30T00%3A00%3A00.000Z`;
const demoHeaders = { 'x-auth-token': demoToken, 'x-user-id': demoUser.userId };

describe('the local stack over HTTP', () => {
  it("answers the seed document's curl with the document's JSON", async () => {
    const response = await fetch(seedUrl, { headers: demoHeaders });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = await response.text();
    expect(JSON.parse(body)).toEqual(JSON.parse(seed));
    expect(body).toBe(JSON.stringify(JSON.parse(seed)));
  });

  it('answers 401 without a valid token', async () => {
    const response = await fetch(seedUrl, { headers: { ...demoHeaders, 'x-auth-token': 'wrong' } });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      success: false,
      error: 'You must be logged in to do this.',
      status: 'error',
      message: 'You must be logged in to do this.',
    });
  });

  it('answers 403 to a user without the permission', async () => {
    await userWithToken(documentClient, stack.tables.auth, {
      userId: 'guest',
      token: 'guest-token',
      roles: ['user'],
    });
    const response = await fetch(seedUrl, {
      headers: { 'x-user-id': 'guest', 'x-auth-token': 'guest-token' },
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      success: false,
      error: 'User does not have the permissions required for this action [error-unauthorized]',
    });
  });

  it('answers 400 for missing and malformed dates', async () => {
    const base = `${stack.httpUrl}/api/v1/engagement-dashboard/messages/messages-sent`;
    const missing = await fetch(`${base}?end=2023-05-30T00%3A00%3A00.000Z`, {
      headers: demoHeaders,
    });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({
      success: false,
      error: "Match error: Missing key 'start'",
    });
    const malformed = await fetch(`${base}?start=2023-05-20&end=2023-05-30T00%3A00%3A00.000Z`, {
      headers: demoHeaders,
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({
      success: false,
      error: 'Match error: Failed Match.Where validation in field start',
    });
  });

  it('shows a message written to the Messages table within the poll interval plus processing', async () => {
    const written = Date.now();
    await documentClient.send(
      new PutCommand({
        TableName: stack.tables.messages,
        Item: {
          _id: 'fresh-message',
          rid: 'GENERAL',
          roomType: 'c',
          ts: '2023-05-30T12:00:00.000Z',
          msg: 'hello from the test',
          u: { _id: demoUser.userId, username: 'rocket.cat' },
        },
      }),
    );
    let visibleAfter = Number.POSITIVE_INFINITY;
    while (Date.now() - written < 5_000) {
      const body = (await (await fetch(seedUrl, { headers: demoHeaders })).json()) as {
        days: { day: string; messages: number }[];
      };
      if (body.days[0]?.messages === 184) {
        visibleAfter = Date.now() - written;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(visibleAfter).toBeLessThan(2_000);
  });
});
