// Hostile HTTP input against the local stack's server: every answer is a 4xx with a JSON body,
// never a 5xx, and the server keeps serving; so do dates anywhere in the Date range.
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { demoToken, demoUser } from '../../infra/local/demo-data.js';
import { startLocalStack } from '../../infra/local/stack.js';
import { messagesSentQuery } from '../helpers/date-arbitraries.js';
import { captureOutput } from '../helpers/output.js';

captureOutput();
const stack = await startLocalStack({
  httpPort: 0,
  dynamoDbPort: 0,
  dynamoDbEndpoint: inject('dynamoDbEndpoint'),
  stackName: `engagement-dashboard-hostile-${process.pid}`,
});
afterAll(() => stack.stop());

const route = '/api/v1/engagement-dashboard/messages/messages-sent';
const auth = { 'x-user-id': demoUser.userId, 'x-auth-token': demoToken };
const { port } = new URL(stack.httpUrl);

/** Sends bytes as they are, for requests no HTTP client would form, and returns the answer. */
function raw(request: Buffer | string): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const [head = '', body = ''] = text.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body });
    });
    socket.end(request);
  });
}

/** A JSON object saying what went wrong: the function's `error`, or the server's `message`. */
function expectJsonError(body: string): void {
  const parsed = JSON.parse(body) as { error?: unknown; message?: unknown };
  expect(typeof parsed.error === 'string' || typeof parsed.message === 'string').toBe(true);
}

function expectJson4xx(answer: { status: number; headers: string; body: string }): void {
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.status).toBeLessThan(500);
  expect(answer.headers).toContain('content-type: application/json');
  expectJsonError(answer.body);
}

async function get(target: string, headers: Record<string, string> = auth) {
  const response = await fetch(`${stack.httpUrl}${target}`, { headers });
  const body = await response.text();
  return {
    status: response.status,
    headers: [...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n'),
    body,
  };
}

async function stillServing(): Promise<void> {
  const answer = await get(
    `${route}?start=2023-05-20T00%3A00%3A00.000Z&end=2023-05-30T00%3A00%3A00.000Z`,
  );
  expect(answer.status).toBe(200);
  expect(JSON.parse(answer.body).period).toEqual({ count: 760, variation: 716 });
}

describe('hostile HTTP input', () => {
  it.each([
    ['a 100 KB query string', `${route}?start=${'9'.repeat(100_000)}`],
    ['invalid UTF-8 in percent-encoding', `${route}?start=%FF%FE%FD&end=%C0%AF`],
    ['broken percent-encoding', `${route}?start=%E0%A4%A&end=%%%`],
    [
      'duplicate keys',
      `${route}?start=2023-05-20T00:00:00.000Z&start=2023-05-21T00:00:00.000Z&end=2023-05-30T00:00:00.000Z`,
    ],
    ['array-style keys', `${route}?start[]=2023-05-20T00:00:00.000Z&end[0]=x`],
    ['huge numbers', `${route}?start=1e309&end=${'9'.repeat(400)}`],
    ['NoSQL injection', `${route}?start[$ne]=null&end={"$gt":""}`],
    [
      'SQL injection',
      `${route}?start=' OR '1'='1&end=2023-05-30T00:00:00.000Z; DROP TABLE messages`,
    ],
    ['path traversal', '/api/v1/../../../etc/passwd'],
    ['an encoded path', `${route.replace('messages-sent', '%6d%65ssages-sent%00')}?start=x`],
    [
      'a huge timezone',
      `${route}?start=2023-05-20T00:00:00.000Z&end=2023-05-30T00:00:00.000Z&timezone=${'A/'.repeat(5000)}`,
    ],
  ])('%s gets a JSON 4xx', async (_case, target) => {
    expectJson4xx(await get(target));
    await stillServing();
  });

  it.each([
    ['a 64 KB header', { ...auth, 'x-padding': 'x'.repeat(64 * 1024) }],
    ['injection in the user id', { ...auth, 'x-user-id': `' OR 1=1; --` }],
    ['a user id that is a key prefix', { ...auth, 'x-user-id': 'rbAXPnMktTFbNpwtJ#token' }],
    ['a 10 KB token', { ...auth, 'x-auth-token': 'A'.repeat(10_000) }],
  ])('%s gets a JSON 4xx', async (_case, headers) => {
    expectJson4xx(
      await get(`${route}?start=2023-05-20T00:00:00.000Z&end=2023-05-30T00:00:00.000Z`, headers),
    );
    await stillServing();
  });

  it.each([
    [
      'invalid bytes in the request line',
      Buffer.concat([Buffer.from('GET /api/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1')]),
    ],
    [
      'a header split by a bare LF and a NUL',
      `GET ${route} HTTP/1.1\r\nHost: x\r\nx-user-id: a\nb\0\r\n\r\n`,
    ],
    ['a header line without a colon', `GET ${route} HTTP/1.1\r\nHost: x\r\nnot a header\r\n\r\n`],
    [
      'a body larger than 1 MB',
      `POST ${route} HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\nConnection: close\r\n\r\n${'x'.repeat(2_000_000)}`,
    ],
    [
      'a chunked body that lies about its size',
      `POST ${route} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`,
    ],
    ['an unknown HTTP version', `GET ${route} HTTP/9.9\r\nHost: x\r\n\r\n`],
  ])('%s gets a JSON 4xx', async (_case, request) => {
    expectJson4xx(await raw(request));
    await stillServing();
  });

  it('answers random query strings and headers with a JSON 4xx or 200, never a 5xx (property)', async () => {
    const text = fc.string({ unit: 'binary', maxLength: 200 });
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom('start', 'end', 'timezone', 'x', 'start[]'), text),
        fc.dictionary(
          fc.constantFrom('x-user-id', 'x-auth-token', 'x-other'),
          // Any value an HTTP client can send: no NUL, CR or LF (fetch refuses those itself).
          fc.string({ maxLength: 200 }).map((value) => value.replace(/[\0\r\n]/g, ' ')),
        ),
        async (query, headers) => {
          const search = new URLSearchParams(query).toString();
          const answer = await get(`${route}?${search}`, headers);
          expect(answer.status).toBeLessThan(500);
          if (answer.status === 200) {
            expect(JSON.parse(answer.body)).toMatchObject({
              success: true,
              days: expect.any(Array),
            });
          } else {
            expectJsonError(answer.body);
          }
        },
      ),
      { numRuns: 300 },
    );
    await stillServing();
  });

  it('answers the last days of year 9999 in a time zone, and keeps serving everyone', async () => {
    const lastDays = `${route}?start=9999-12-30T00:00:00.000Z&end=9999-12-30T00:00:00.000Z`;
    for (const timezone of ['UTC', 'Asia/Tokyo']) {
      const stranger = await get(`${lastDays}&timezone=${timezone}`, {
        'x-user-id': 'anyone',
        'x-auth-token': 'anything',
      });
      expect(stranger.status).toBe(401);
      const granted = await get(`${lastDays}&timezone=${timezone}`);
      expect(granted.status).toBe(200);
      expect(JSON.parse(granted.body)).toMatchObject({ days: [], success: true });
    }
    await stillServing();
  });

  it('answers any start, end and timezone, with and without a token, in bounded time (property)', async () => {
    const refused = { ...auth, 'x-auth-token': 'guessed' };
    /** Hang detection only, on a shared machine: answers take milliseconds. */
    const answerWithinMs = 5_000;
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(messagesSentQuery, fc.boolean(), async (query, withToken) => {
        const started = performance.now();
        const answer = await get(
          `${route}?${new URLSearchParams(query)}`,
          withToken ? auth : refused,
        );
        expect(performance.now() - started).toBeLessThan(answerWithinMs);
        expect(answer.headers).toContain('content-type: application/json');
        if (withToken) expect([200, 400]).toContain(answer.status);
        else expect(answer.status).toBe(401);
        if (answer.status === 200) {
          expect(JSON.parse(answer.body)).toMatchObject({ success: true, days: expect.any(Array) });
        } else {
          expectJsonError(answer.body);
        }
        runs += 1;
        if (runs % 200 === 0) await stillServing();
      }),
      { numRuns: 1000 },
    );
    await stillServing();
  });
});
