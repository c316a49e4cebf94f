// Thousands of random events and query strings: the messages-sent handler never answers 5xx,
// never throws for bad input, and always answers JSON; dates anywhere in the Date range, with or
// without a time zone and a valid token, are answered within bounded time.
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { demoToken, demoUser } from '../../infra/local/demo-data.js';
import { httpApiEvent, restApiEvent, route } from '../helpers/api-gateway.js';
import { messagesSentQuery, rocketChatAcceptsDate } from '../helpers/date-arbitraries.js';
import { lambdaContext } from '../helpers/lambda.js';
import { captureOutput } from '../helpers/output.js';
import { localClient, useTestTables } from '../helpers/tables.js';
import { userWithToken } from '../helpers/users.js';

const tables = await useTestTables();
captureOutput();
const { handler } = await import('../../functions/messages-sent.js');
await userWithToken(DynamoDBDocumentClient.from(localClient()), tables.auth, {
  userId: demoUser.userId,
  token: demoToken,
  roles: ['admin'],
});

const timestamp = fc
  .date({
    min: new Date('1970-01-01T00:00:00.000Z'),
    max: new Date('2100-01-01T00:00:00.000Z'),
    noInvalidDate: true,
  })
  .map((date) => date.toISOString());
const hostile = fc.constantFrom(
  '',
  ' ',
  '%',
  '%E0%A4%A',
  '\u0000',
  '\uD800',
  "'; DROP TABLE messages; --",
  '{"$ne":null}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '9'.repeat(400),
  'x'.repeat(10_000),
  '2023-02-29T00:00:00.000Z',
  '+275760-09-13T00:00:00.000Z',
  '2023-05-30T00:00:00.000+05:30',
  'NaN',
  'Infinity',
  '-1',
);
const value = fc.oneof(
  timestamp,
  hostile,
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);
const query = fc.oneof(
  fc.constant(null),
  fc.record(
    {
      start: fc.oneof(value, fc.array(value, { minLength: 2, maxLength: 3 })),
      end: value,
      timezone: value,
    },
    { requiredKeys: [] },
  ),
  fc.dictionary(fc.oneof(fc.constantFrom('start', 'end', 'timezone'), fc.string()), value),
);
const headers = fc.oneof(
  fc.constant({ 'x-user-id': demoUser.userId, 'x-auth-token': demoToken }),
  fc.record({ 'x-user-id': value, 'x-auth-token': value }, { requiredKeys: [] }),
  fc.dictionary(fc.string(), value),
);
const request = fc.record({
  method: fc.oneof(
    fc.constant('GET'),
    fc.constantFrom('POST', 'HEAD', 'DELETE', 'get', ''),
    fc.string(),
  ),
  path: fc.oneof(fc.constant(route), fc.constant(`/prod${route}`), fc.string(), hostile),
  query,
  headers,
});

function expectJsonResponse(response: unknown): void {
  const { statusCode, body, headers: responseHeaders } = response as APIGatewayProxyResult;
  expect(statusCode).toBeLessThan(500);
  expect(responseHeaders?.['content-type']).toBe('application/json');
  const parsed = JSON.parse(body) as { success?: unknown; error?: unknown };
  if (statusCode === 200) expect(parsed.success).toBe(true);
  else expect(parsed).toMatchObject({ success: false, error: expect.any(String) });
}

describe('messages-sent under random input', () => {
  it('answers every random HTTP request (both payload formats) with JSON and no 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(request, fc.boolean(), async (shape, rest) => {
        const event = rest ? restApiEvent(shape) : httpApiEvent(shape);
        expectJsonResponse(await handler(event, lambdaContext()));
      }),
      { numRuns: 1500 },
    );
  });

  it('answers every random direct invocation with a report or { success: false, error }', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.anything(),
          fc.record({ start: fc.oneof(value, fc.anything()), end: fc.oneof(value, fc.anything()) }),
        ),
        async (event) => {
          const answer = (await handler(event, lambdaContext())) as { success?: unknown };
          // A report, or a refusal that says why; either travels as JSON unchanged.
          if (answer.success === true) {
            expect(answer).toMatchObject({ days: expect.any(Array), period: expect.any(Object) });
          } else {
            expect(answer).toEqual({ success: false, error: expect.any(String) });
          }
          expect(JSON.parse(JSON.stringify(answer))).toEqual(answer);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('answers malformed API Gateway events without throwing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          version: fc.constantFrom('2.0', '1.0', undefined),
          requestContext: fc.oneof(fc.constant({ http: { method: 'GET' } }), fc.anything()),
          httpMethod: fc.oneof(fc.constant('GET'), fc.anything()),
          rawPath: fc.anything(),
          path: fc.anything(),
          headers: fc.anything(),
          queryStringParameters: fc.anything(),
          multiValueQueryStringParameters: fc.anything(),
        }),
        async (event) => {
          const answer = (await handler(event, lambdaContext())) as Record<string, unknown>;
          if ('statusCode' in answer) expectJsonResponse(answer);
          else expect(typeof answer.success).toBe('boolean');
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('counter-example found by the property: a path that is an object with a broken toString', async () => {
    const event = {
      version: '2.0',
      requestContext: {},
      httpMethod: 'GET',
      rawPath: [],
      path: { toString: '' },
      headers: {},
      queryStringParameters: [],
      multiValueQueryStringParameters: [],
    };
    expectJsonResponse(await handler(event, lambdaContext()));
  });
});

/**
 * What an authorised request must be answered, where an oracle independent of the service says:
 * dates Rocket.Chat accepts are never a Match error, an end not before the start never "before
 * the start", and a UTC window within the limit is answered.
 */
function expectAnswerTheRuleGives(
  query: { start: string; end: string; timezone?: string },
  status: number,
  body: { error?: string },
): void {
  if (!rocketChatAcceptsDate(query.start) || !rocketChatAcceptsDate(query.end)) {
    expect(body.error).toMatch(/^Match error: Failed Match.Where validation in field (start|end)$/);
    return;
  }
  expect(body.error ?? '').not.toMatch(/^Match error/);
  const [startMs, endMs] = [Date.parse(query.start), Date.parse(query.end)];
  if (endMs >= startMs) expect(body.error ?? '').not.toMatch(/must not be before/);
  if (query.timezone !== undefined) return;
  const days = Math.floor(endMs / 86_400_000) - Math.floor(startMs / 86_400_000) + 1;
  if (days >= 1 && days <= 3660) expect(status).toBe(200);
  if (days > 3660) expect(body.error).toContain(`; it is ${days} days`);
}

describe('messages-sent over the whole Date range', () => {
  const granted = { 'x-user-id': demoUser.userId, 'x-auth-token': demoToken };
  const refused = { 'x-user-id': demoUser.userId, 'x-auth-token': 'guessed' };
  /** Hang detection only, on a shared machine: answers take milliseconds. */
  const answerWithinMs = 5_000;
  const cpuPerAnswerMicros = 1_000_000;

  it('answers any start, end and timezone with 200 or a documented 400, or 401 without a token (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        messagesSentQuery,
        fc.boolean(),
        fc.boolean(),
        async (query, withToken, rest) => {
          const shape = { query, headers: withToken ? granted : refused };
          const event = rest ? restApiEvent(shape) : httpApiEvent(shape);
          const started = performance.now();
          const cpu = process.cpuUsage();

          const response = (await handler(event, lambdaContext())) as APIGatewayProxyResult;

          const { user, system } = process.cpuUsage(cpu);
          expect(user + system).toBeLessThan(cpuPerAnswerMicros);
          expect(performance.now() - started).toBeLessThan(answerWithinMs);
          expectJsonResponse(response);
          const body = JSON.parse(response.body);
          if (!withToken) expect(response.statusCode).toBe(401);
          else expect([200, 400]).toContain(response.statusCode);
          if (response.statusCode === 400) {
            expect(body.error).toMatch(/^Match error: |\[error-invalid-params\]$/);
          }
          if (response.statusCode === 200) {
            expect(body).toMatchObject({ days: expect.any(Array), success: true });
          }
          if (withToken) expectAnswerTheRuleGives(query, response.statusCode, body);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
