// The real messages-sent handler over counters the real count-messages handler built from the
// demo chat history: the seed document's answer, every error of docs/architecture.md, and auth.
import { readFile } from 'node:fs/promises';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoToken, demoUser, writeDemoData } from '../../infra/local/demo-data.js';
import { hashLoginToken } from '../../lib/auth/login-token.js';
import { AuthAdmin } from '../../lib/store/auth-admin.js';
import { userKey } from '../../lib/store/auth-keys.js';
import { reportKey } from '../../lib/store/counter-keys.js';
import { CounterReader } from '../../lib/store/period-counters.js';
import {
  httpApiEvent,
  type RequestShape,
  restApiEvent,
  route,
  scheduledEvent,
} from '../helpers/api-gateway.js';
import { lambdaContext } from '../helpers/lambda.js';
import { captureOutput, metricValues } from '../helpers/output.js';
import { StreamFeeder } from '../helpers/stream.js';
import { localClient, useTestTables } from '../helpers/tables.js';

const tables = await useTestTables();
process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
process.env.POWERTOOLS_METRICS_DISABLED = 'false';
const output = captureOutput();
const countMessages = await import('../../functions/count-messages.js');
const messagesSent = await import('../../functions/messages-sent.js');

const seed = JSON.parse(
  await readFile(new URL('../fixtures/messages-sent-seed.json', import.meta.url), 'utf8'),
) as unknown;
const seedQuery = { start: '2023-05-20T00:00:00.000Z', end: '2023-05-30T00:00:00.000Z' };
const documentClient = DynamoDBDocumentClient.from(localClient());
const auth = new AuthAdmin(documentClient, tables.auth);
const demoHeaders = { 'x-user-id': demoUser.userId, 'x-auth-token': demoToken };
const tokens: string[] = [demoToken];

/** A user with the given roles and a fresh login token for them. */
async function userWithToken(
  userId: string,
  roles: string[],
  token: { expiresAt?: number; revokedAt?: string } = {},
): Promise<Record<string, string>> {
  const secret = `token-of-${userId}-${Math.random().toString(36).slice(2)}`;
  tokens.push(secret);
  await auth.putUser(userId, roles);
  await auth.putToken({
    hashedToken: hashLoginToken(secret),
    userId,
    type: 'login',
    createdAt: new Date().toISOString(),
    ...token,
  });
  return { 'x-user-id': userId, 'x-auth-token': secret };
}

async function get(shape: RequestShape, format: 'http' | 'rest' = 'http') {
  const event = format === 'http' ? httpApiEvent(shape) : restApiEvent(shape);
  const response = (await messagesSent.handler(event, lambdaContext())) as APIGatewayProxyResult;
  return { ...response, json: JSON.parse(response.body) as Record<string, unknown> };
}

beforeAll(async () => {
  await writeDemoData(documentClient, tables);
  const feeder = await StreamFeeder.of(tables.messages);
  await feeder.deliverNew(countMessages.handler, 100);
});

afterAll(() => {
  // Nothing the suite logged may carry a token, or the hash that stands in for one. The suite did
  // log: every answer, successful or refused, at DEBUG level and above.
  const logged = output.lines().join('\n');
  const answered = output.json().filter((line) => line.message === 'Answered messages-sent');
  expect(new Set(answered.map((line) => line.status))).toEqual(
    new Set([200, 400, 401, 403, 404, 405]),
  );
  for (const token of tokens) {
    expect(logged).not.toContain(token);
    expect(logged).not.toContain(hashLoginToken(token));
  }
});

describe('the seed document example', () => {
  const expectedBody = JSON.stringify(seed);

  it.each(['http', 'rest'] as const)(
    'answers byte for byte over API Gateway (%s payload)',
    async (format) => {
      const response = await get({ query: seedQuery, headers: demoHeaders }, format);
      expect(response.statusCode).toBe(200);
      expect(response.headers?.['content-type']).toBe('application/json');
      expect(response.body).toBe(expectedBody);
    },
  );

  it('answers a direct invocation with the same report, without a token', async () => {
    expect(await messagesSent.handler(seedQuery, lambdaContext())).toEqual(seed);
  });

  it('reads header names case-insensitively', async () => {
    const headers = { 'X-User-Id': demoUser.userId, 'X-AUTH-TOKEN': demoToken };
    expect((await get({ query: seedQuery, headers }, 'rest')).body).toBe(expectedBody);
  });

  it('ignores parameters it does not know and accepts a stage in the path', async () => {
    const query = { ...seedQuery, offset: '10', sort: '{"ts":-1}' };
    expect((await get({ query, headers: demoHeaders, path: `/prod${route}` })).body).toBe(
      expectedBody,
    );
  });

  it('takes any instant of the start and end days', async () => {
    const query = { start: '2023-05-20T23:59:59.999Z', end: '2023-05-30T23:59:59.999Z' };
    expect((await get({ query, headers: demoHeaders })).body).toBe(expectedBody);
  });
});

describe('errors, byte-compatible with Rocket.Chat', () => {
  const loggedOut = {
    success: false,
    error: 'You must be logged in to do this.',
    status: 'error',
    message: 'You must be logged in to do this.',
  };
  const forbidden = {
    success: false,
    error: 'User does not have the permissions required for this action [error-unauthorized]',
  };

  it.each([
    ['no headers', {}],
    ['only a user id', { 'x-user-id': demoUser.userId }],
    ['only a token', { 'x-auth-token': demoToken }],
    ['an unknown token', { 'x-user-id': demoUser.userId, 'x-auth-token': 'not-a-token' }],
    ['a token of another user', { 'x-user-id': 'someone-else', 'x-auth-token': demoToken }],
    ['an oversized user id', { 'x-user-id': 'u'.repeat(5000), 'x-auth-token': demoToken }],
  ])('401 for %s', async (_case, headers) => {
    const response = await get({ query: seedQuery, headers });
    expect(response.statusCode).toBe(401);
    expect(response.body).toBe(JSON.stringify(loggedOut));
  });

  it('401 for an expired token, a revoked token and a user that no longer exists', async () => {
    const expired = await userWithToken('expired-user', ['admin'], {
      expiresAt: Math.floor(Date.now() / 1000) - 1,
    });
    const revoked = await userWithToken('revoked-user', ['admin'], {
      revokedAt: new Date().toISOString(),
    });
    const orphan = await userWithToken('orphan-user', ['admin']);
    await documentClient.send(
      new DeleteCommand({
        TableName: tables.auth,
        Key: userKey('orphan-user'),
      }),
    );
    for (const headers of [expired, revoked, orphan]) {
      expect((await get({ query: seedQuery, headers })).statusCode).toBe(401);
    }
    const live = await userWithToken('live-user', ['admin'], {
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
    });
    expect((await get({ query: seedQuery, headers: live })).statusCode).toBe(200);
  });

  it('403 for a user without a role granted the permission', async () => {
    const headers = await userWithToken('plain-user', ['user']);
    const response = await get({ query: seedQuery, headers });
    expect(response.statusCode).toBe(403);
    expect(response.body).toBe(JSON.stringify(forbidden));
  });

  it.each([
    ['start missing', { end: seedQuery.end }, "Match error: Missing key 'start'"],
    ['end missing', { start: seedQuery.start }, "Match error: Missing key 'end'"],
    ['both missing', {}, "Match error: Missing key 'start'"],
    [
      'start malformed',
      { ...seedQuery, start: '2023-05-20' },
      'Match error: Failed Match.Where validation in field start',
    ],
    [
      'start empty',
      { ...seedQuery, start: '' },
      'Match error: Failed Match.Where validation in field start',
    ],
    [
      'end malformed',
      { ...seedQuery, end: '2023-05-30T00:00:00Z' },
      'Match error: Failed Match.Where validation in field end',
    ],
    [
      'an impossible date',
      { ...seedQuery, end: '2023-02-30T00:00:00.000Z' },
      'Match error: Failed Match.Where validation in field end',
    ],
    [
      'a repeated start',
      { ...seedQuery, start: [seedQuery.start, seedQuery.start] },
      'Match error: Failed Match.Where validation in field start',
    ],
    [
      'an end day before the start day',
      { start: '2023-05-30T00:00:00.000Z', end: '2023-05-29T23:59:59.999Z' },
      'The end date must not be before the start date [error-invalid-params]',
    ],
    [
      'a window longer than 3660 days',
      { start: '2010-01-01T00:00:00.000Z', end: '2020-01-09T00:00:00.000Z' },
      'The period from start to end must not be longer than 3660 days; it is 3661 days [error-invalid-params]',
    ],
  ])('400 for %s', async (_case, query, error) => {
    for (const format of ['http', 'rest'] as const) {
      const response = await get({ query, headers: demoHeaders }, format);
      expect(response.statusCode).toBe(400);
      expect(response.body).toBe(JSON.stringify({ success: false, error }));
    }
  });

  it('400 when API Gateway sends queryStringParameters: null', async () => {
    for (const format of ['http', 'rest'] as const) {
      const response = await get({ query: null, headers: demoHeaders }, format);
      expect(response.json).toEqual({ success: false, error: "Match error: Missing key 'start'" });
    }
  });

  it('checks authentication, then permission, then parameters', async () => {
    expect((await get({ query: {}, headers: {} })).statusCode).toBe(401);
    const plain = await userWithToken('plain-user-2', ['user']);
    expect((await get({ query: {}, headers: plain })).statusCode).toBe(403);
    expect((await get({ query: {}, headers: demoHeaders })).statusCode).toBe(400);
  });

  it('404 for another path and 405 for another method, as JSON', async () => {
    const notFound = await get({
      path: '/api/v1/engagement-dashboard/users/active-users',
      headers: demoHeaders,
    });
    expect(notFound.statusCode).toBe(404);
    expect(notFound.json).toEqual({ success: false, error: 'Not found [error-not-found]' });
    const wrongMethod = await get({ method: 'POST', query: seedQuery, headers: demoHeaders });
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers?.allow).toBe('GET');
    expect(wrongMethod.json.success).toBe(false);
  });

  it('answers bad direct invocations with { success: false, error }', async () => {
    expect(await messagesSent.handler({ start: seedQuery.start }, lambdaContext())).toEqual({
      success: false,
      error: "Match error: Missing key 'end'",
    });
    expect(await messagesSent.handler('not an event', lambdaContext())).toEqual({
      success: false,
      error:
        'The event is neither an API Gateway request, a scheduled event, nor {"start": …, "end": …} [error-invalid-params]',
    });
  });
});

describe('the permission grant', () => {
  afterAll(() => auth.putPermissionRoles('view-engagement-dashboard', ['admin']));

  it('defaults to admin when no grant is stored, and follows a stored grant', async () => {
    const analyst = await userWithToken('analyst', ['analyst']);
    expect((await get({ query: seedQuery, headers: demoHeaders })).statusCode).toBe(200);
    expect((await get({ query: seedQuery, headers: analyst })).statusCode).toBe(403);

    await auth.putPermissionRoles('view-engagement-dashboard', ['analyst']);

    expect((await get({ query: seedQuery, headers: analyst })).statusCode).toBe(200);
    expect((await get({ query: seedQuery, headers: demoHeaders })).statusCode).toBe(403);
  });
});

describe('scheduled reports', () => {
  it('reports the 7 complete days before the event, stores it once, and publishes metrics', async () => {
    const event = scheduledEvent('2023-05-31T06:00:00Z');

    const report = await messagesSent.handler(event, lambdaContext());
    await messagesSent.handler(event, lambdaContext());

    // 2023-05-24..30: 126 + 79 + 114 + 1 + 0 + 101 + 183; 05-17..23: 5 + 4 + 5 + 0 + 5 + 22 + 129.
    expect(report).toMatchObject({
      period: { count: 604, variation: 604 - 170 },
      yesterday: { count: 101, variation: 82 },
      success: true,
    });
    const { Item } = await documentClient.send(
      new GetCommand({ TableName: tables.counters, Key: reportKey(7, '2023-05-30') }),
    );
    expect(Item).toMatchObject({ startDay: '2023-05-24', endDay: '2023-05-30', report });
    expect(metricValues(output, 'MessagesSentPeriod')).toEqual([604, 604]);
    const logged = output.json().filter((line) => line.message === 'Messages-sent report');
    expect(logged).toHaveLength(2);
    expect(logged[0]).toMatchObject({ startDay: '2023-05-24', endDay: '2023-05-30', days: 7 });
  });
});

describe('reading the counters', () => {
  it('follows pagination to the last page', async () => {
    const paged = new CounterReader(documentClient, tables.counters, 3);
    const whole = new CounterReader(documentClient, tables.counters);
    const counts = await paged.dayCounts('2023-05-01', '2023-05-31');
    expect(counts.size).toBe(19);
    expect(counts).toEqual(await whole.dayCounts('2023-05-01', '2023-05-31'));
  });
});
