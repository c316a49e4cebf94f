// The real messages-sent handler at the edges: dates anywhere in the range a Date can hold (signed
// six-digit years included) with and without a time zone, a token header given twice, and auth
// data stored in a shape the service cannot read.
import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashLoginToken } from '../../lib/auth/login-token.js';
import { permissionKey, tokenKey, userKey } from '../../lib/store/auth-keys.js';
import { httpApiEvent, type RequestShape, restApiEvent } from '../helpers/api-gateway.js';
import { lambdaContext } from '../helpers/lambda.js';
import { captureOutput } from '../helpers/output.js';
import { insertRecord, syntheticEvent } from '../helpers/stream-records.js';
import { localClient, useTestTables } from '../helpers/tables.js';
import { userWithToken } from '../helpers/users.js';

const tables = await useTestTables();
const output = captureOutput();
const countMessages = await import('../../functions/count-messages.js');
const messagesSent = await import('../../functions/messages-sent.js');
const documentClient = DynamoDBDocumentClient.from(localClient());

const token = 'edge-token-Kq3vX9';
const granted = { 'x-user-id': 'edge-user', 'x-auth-token': token };
const stranger = { 'x-user-id': 'edge-user', 'x-auth-token': 'made-up' };
/** Hang detection only: every answer here takes milliseconds. */
const answerWithinMs = 5_000;

beforeAll(async () => {
  await userWithToken(documentClient, tables.auth, {
    userId: 'edge-user',
    token,
    roles: ['admin'],
  });
  // Messages at the first and last instants a message can be counted in, and near them.
  const sent = [
    '0000-01-01T05:00:00.000Z',
    '0000-06-01T12:00:00.000Z',
    '9999-12-30T10:00:00.000Z',
    '9999-12-31T20:00:00.000Z',
  ];
  const response = await countMessages.handler(
    syntheticEvent(
      sent.map((ts, index) =>
        insertRecord({ _id: `edge-${index}`, rid: 'GENERAL', roomType: 'c', ts }),
      ),
    ),
    lambdaContext(),
  );
  expect(response.batchItemFailures).toEqual([]);
});

async function get(shape: RequestShape, format: 'http' | 'rest' = 'http') {
  const event = format === 'http' ? httpApiEvent(shape) : restApiEvent(shape);
  const started = performance.now();
  const response = (await messagesSent.handler(event, lambdaContext())) as APIGatewayProxyResult;
  expect(performance.now() - started).toBeLessThan(answerWithinMs);
  return { status: response.statusCode, body: JSON.parse(response.body) };
}

const nothing = {
  days: [],
  period: { count: 0, variation: 0 },
  yesterday: { count: 0, variation: 0 },
  success: true,
};

describe('dates near the ends of year 9999', () => {
  const lastDays = {
    start: '9999-12-30T00:00:00.000Z',
    end: '9999-12-30T00:00:00.000Z',
    timezone: 'UTC',
  };

  it('refuses a stranger at once, with or without a time zone', async () => {
    const lastInstant = { start: '9999-12-31T23:59:59.999Z', end: '9999-12-31T23:59:59.999Z' };
    for (const query of [
      lastDays,
      { ...lastDays, timezone: 'Asia/Tokyo' },
      // Answered 500 before the caller was even authenticated.
      { ...lastInstant, timezone: 'Asia/Tokyo' },
      { ...lastInstant, timezone: 'Australia/Lord_Howe' },
    ]) {
      expect((await get({ query, headers: stranger })).status).toBe(401);
    }
  });

  it('answers the last days of 9999 in UTC as a time zone', async () => {
    const { status, body } = await get({ query: lastDays, headers: granted });

    expect(status).toBe(200);
    expect(body.days).toEqual([{ day: '9999-12-30T00:00:00.000Z', messages: 1 }]);
  });

  it('counts local day 10000-01-01 in Tokyo, which starts at 15:00 UTC on 9999-12-31', async () => {
    const instant = '9999-12-31T23:59:59.999Z';
    const { status, body } = await get({
      query: { start: instant, end: instant, timezone: 'Asia/Tokyo' },
      headers: granted,
    });

    expect(status).toBe(200);
    expect(body).toEqual({
      days: [{ day: '9999-12-31T15:00:00.000Z', messages: 1 }],
      // Local 9999-12-31 in Tokyo starts at 15:00 UTC on 9999-12-30, after the message of 10:00.
      period: { count: 1, variation: 1 },
      yesterday: { count: 0, variation: 1 },
      success: true,
    });
  });

  it('accepts six-digit years, as Rocket.Chat does, and counts the day before them', async () => {
    const instant = '+010000-01-01T00:00:00.000Z';
    const { status, body } = await get({
      query: { start: instant, end: instant },
      headers: granted,
    });

    expect(status).toBe(200);
    expect(body).toEqual({
      days: [],
      period: { count: 0, variation: -1 },
      yesterday: { count: 1, variation: -1 },
      success: true,
    });
  });
});

describe('dates near year 0000', () => {
  it('answers a window whose previous window reaches year −1', async () => {
    const { status, body } = await get({
      query: { start: '0000-01-02T00:00:00.000Z', end: '0001-01-01T00:00:00.000Z' },
      headers: granted,
    });

    expect(status).toBe(200);
    expect(body).toEqual({
      days: [{ day: '0000-06-01T00:00:00.000Z', messages: 1 }],
      // The message of 0000-01-01 is in the previous window.
      period: { count: 1, variation: 0 },
      yesterday: { count: 0, variation: 0 },
      success: true,
    });
  });

  it('accepts year −1 and counts what falls in its last local day', async () => {
    // 10 hours west of UTC, 0000-01-01T05:00Z is still 31 December of year −1.
    const { status, body } = await get({
      query: {
        start: '-000001-12-31T12:00:00.000Z',
        end: '-000001-12-31T12:00:00.000Z',
        timezone: 'Etc/GMT+10',
      },
      headers: granted,
    });

    expect(status).toBe(200);
    expect(body.days).toEqual([{ day: '-000001-12-31T10:00:00.000Z', messages: 1 }]);
  });

  it('answers a year-long window of year −1 with nothing', async () => {
    const query = { start: '-000001-01-01T00:00:00.000Z', end: '-000001-06-01T00:00:00.000Z' };
    expect(await get({ query, headers: granted })).toEqual({ status: 200, body: nothing });
  });

  it('refuses a zone whose days then did not start on a quarter-hour, clearly', async () => {
    const { status, body } = await get({
      query: {
        start: '0000-01-02T00:00:00.000Z',
        end: '0000-01-02T00:00:00.000Z',
        timezone: 'Asia/Tokyo',
      },
      headers: granted,
    });

    expect(status).toBe(400);
    expect(body.error).toMatch(
      /^Days in Asia\/Tokyo around -?\d{4,6}-\d\d-\d\d do not start on a quarter-hour of UTC/,
    );
  });
});

describe('the ends of the Date range', () => {
  it.each([
    ['-271821-04-20T00:00:00.000Z', undefined],
    ['-271821-04-20T00:00:00.000Z', 'Etc/GMT+12'],
    ['+275760-09-13T00:00:00.000Z', undefined],
    ['+275760-09-13T00:00:00.000Z', 'Pacific/Kiritimati'],
  ])('%s (%s) holds no messages', async (instant, timezone) => {
    const query = { start: instant, end: instant, ...(timezone ? { timezone } : {}) };
    expect(await get({ query, headers: granted })).toEqual({ status: 200, body: nothing });
  });

  it('refuses the whole range as one window', async () => {
    const query = { start: '-271821-04-20T00:00:00.000Z', end: '+275760-09-13T00:00:00.000Z' };
    const { status, body } = await get({ query, headers: granted });
    expect(status).toBe(400);
    expect(body.error).toMatch(/must not be longer than 3660 days; it is 200000001 days/);
  });
});

describe('a token header given twice', () => {
  const query = { start: '9999-12-30T00:00:00.000Z', end: '9999-12-31T00:00:00.000Z' };

  it.each(['rest', 'http'] as const)(
    'is one value that matches no token (%s payload), as Rocket.Chat reads it',
    async (format) => {
      for (const values of [
        ['junk', token],
        [token, 'junk'],
        [token, token],
      ]) {
        const shape = {
          query,
          headers: { 'x-user-id': 'edge-user' },
          repeatedHeaders: { 'X-Auth-Token': values },
        };
        expect((await get(shape, format)).status).toBe(401);
      }
      const once = {
        query,
        headers: { 'x-user-id': 'edge-user' },
        repeatedHeaders: { 'X-Auth-Token': [token] },
      };
      expect((await get(once, format)).status).toBe(200);
    },
  );

  it('is joined across letter cases too (rest payload)', async () => {
    const shape = {
      query,
      headers: { 'x-user-id': 'edge-user' },
      repeatedHeaders: { 'x-auth-token': ['junk'], 'X-Auth-Token': [token] },
    };
    expect((await get(shape, 'rest')).status).toBe(401);
  });
});

describe('auth data the service cannot read', () => {
  const query = { start: '9999-12-30T00:00:00.000Z', end: '9999-12-31T00:00:00.000Z' };
  const put = (Item: Record<string, unknown>) =>
    documentClient.send(new PutCommand({ TableName: tables.auth, Item }));

  afterEach(async () => {
    await documentClient.send(
      new DeleteCommand({
        TableName: tables.auth,
        Key: permissionKey('view-engagement-dashboard'),
      }),
    );
    await put({ ...userKey('edge-user'), userId: 'edge-user', roles: ['admin'] });
    await put({
      ...tokenKey('edge-user', hashLoginToken(token)),
      userId: 'edge-user',
      type: 'login',
      createdAt: new Date().toISOString(),
    });
  });

  afterAll(() => {
    const logged = output.lines().join('\n');
    expect(logged).not.toContain(token);
    expect(logged).not.toContain(hashLoginToken(token));
  });

  const refusals = () =>
    output.json().filter((line) => line.message === 'Access refused: auth data cannot be read');

  it.each([
    ['roles as a string set', { roles: new Set(['admin']) }],
    ['no roles', {}],
    ['roles that are not strings', { roles: ['admin', 7] }],
  ])(
    'a permission grant with %s refuses everyone, and says so in the log',
    async (_case, attributes) => {
      output.clear();
      await put({ ...permissionKey('view-engagement-dashboard'), ...attributes });

      const { status } = await get({ query, headers: granted });

      expect(status).toBe(403);
      expect(refusals()).toEqual([
        expect.objectContaining({
          level: 'ERROR',
          item: 'permission',
          problems: [expect.stringMatching(/^roles(\.\d+)?: invalid_type$/)],
        }),
      ]);
    },
  );

  it('a user whose roles cannot be read is refused the permission', async () => {
    output.clear();
    await put({ ...userKey('edge-user'), roles: 'admin' });

    expect((await get({ query, headers: granted })).status).toBe(403);
    expect(refusals()).toEqual([expect.objectContaining({ item: 'user' })]);
  });

  it('a token item that cannot be read does not authenticate', async () => {
    output.clear();
    await put({
      ...tokenKey('edge-user', hashLoginToken(token)),
      userId: 'edge-user',
      type: 'magic',
    });

    expect((await get({ query, headers: granted })).status).toBe(401);
    expect(refusals()).toEqual([
      expect.objectContaining({
        item: 'token',
        problems: ['type: invalid_value', 'createdAt: invalid_type'],
      }),
    ]);
  });

  it('a stranger is refused for the token, not for the grant, and the grant is not logged', async () => {
    output.clear();
    await put({ ...permissionKey('view-engagement-dashboard'), roles: new Set(['admin']) });

    expect((await get({ query, headers: stranger })).status).toBe(401);
    expect(refusals()).toEqual([]);
  });
});
