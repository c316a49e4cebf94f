// Thousands of spellings of one time zone, with and without a valid token: the process's memory
// stays within a fixed bound, because nothing is kept per spelling (zone names are canonicalised
// before any cache, and a refused request never reaches the zone at all).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { httpApiEvent } from '../helpers/api-gateway.js';
import { lambdaContext } from '../helpers/lambda.js';
import { captureOutput } from '../helpers/output.js';
import { localClient, useTestTables } from '../helpers/tables.js';
import { userWithToken } from '../helpers/users.js';

const tables = await useTestTables();
captureOutput();
const { handler } = await import('../../functions/messages-sent.js');
await userWithToken(DynamoDBDocumentClient.from(localClient()), tables.auth, {
  userId: 'zone-user',
  token: 'zone-token',
  roles: ['admin'],
});

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Memory the process holds once garbage that can be collected has been. */
async function settledRss(): Promise<number> {
  for (let round = 0; round < 5; round++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return process.memoryUsage().rss;
}

const zone = 'America/Sao_Paulo';
/** The n-th spelling of the zone: its letters upper- or lower-cased by the bits of n. */
function spelling(n: number): string {
  let bits = n;
  return [...zone]
    .map((c) => {
      if (!/[a-z]/i.test(c)) return c;
      const upper = bits & 1;
      bits >>= 1;
      return upper ? c.toUpperCase() : c.toLowerCase();
    })
    .join('');
}

async function ask(timezone: string, headers: Record<string, string>): Promise<number> {
  const event = httpApiEvent({
    query: { start: '2024-03-01T12:00:00.000Z', end: '2024-03-01T12:00:00.000Z', timezone },
    headers,
  });
  return ((await handler(event, lambdaContext())) as APIGatewayProxyResult).statusCode;
}

/** Asks about every spelling from `first` on, ten requests at a time. */
async function askSpellings(first: number, count: number, headers: Record<string, string>) {
  const statuses = new Set<number>();
  for (let at = first; at < first + count; at += 10) {
    const batch = Array.from({ length: 10 }, (_, i) => ask(spelling(at + i), headers));
    for (const status of await Promise.all(batch)) statuses.add(status);
  }
  return statuses;
}

const granted = { 'x-user-id': 'zone-user', 'x-auth-token': 'zone-token' };
const stranger = { 'x-user-id': 'zone-user', 'x-auth-token': 'guessed' };
/** A formatter kept per spelling is some 80 MB for these 3,000; what else moves is a few MB. */
const boundBytes = 24 * 1024 * 1024;

describe('many spellings of one time zone', () => {
  it('leave memory within a fixed bound, with and without a valid token', async () => {
    // Warm up: the SDK, the handler and the zone's own entries are loaded once and for all.
    await askSpellings(0, 200, granted);
    await askSpellings(0, 200, stranger);
    const before = await settledRss();

    const grantedStatuses = await askSpellings(200, 1500, granted);
    const strangerStatuses = await askSpellings(1700, 1500, stranger);
    const grown = (await settledRss()) - before;

    expect(grantedStatuses).toEqual(new Set([200]));
    expect(strangerStatuses).toEqual(new Set([401]));
    expect(grown).toBeLessThan(boundBytes);
  }, 240_000);
});
