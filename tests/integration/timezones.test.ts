// The `timezone` parameter: local calendar days, exact across DST changes and :30/:45 offsets,
// checked against a brute-force count of the same messages by local date.
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { reportKey } from '../../lib/store/counter-keys.js';
import { httpApiEvent, scheduledEvent } from '../helpers/api-gateway.js';
import { lambdaContext } from '../helpers/lambda.js';
import { type MessageItem, MessagesTable, messageItem } from '../helpers/messages.js';
import { captureOutput } from '../helpers/output.js';
import { StreamFeeder } from '../helpers/stream.js';
import { localClient, useTestTables } from '../helpers/tables.js';
import { userWithToken } from '../helpers/users.js';

const tables = await useTestTables();
process.env.REPORT_TIMEZONE = 'America/Sao_Paulo';
captureOutput();
const countMessages = await import('../../functions/count-messages.js');
const messagesSent = await import('../../functions/messages-sent.js');

const zones = [
  'UTC',
  'America/Sao_Paulo',
  'America/New_York',
  'Europe/London',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
];

// Brute force, independent of the code under test: a date by formatting, a midnight by walking
// the clock (a quarter-hour, then a minute at a time).
const dateFormats = new Map<string, Intl.DateTimeFormat>();
function localDate(ms: number, timeZone: string): string {
  let format = dateFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('sv-SE', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dateFormats.set(timeZone, format);
  }
  return format.format(ms);
}

function bruteForceDayStart(date: string, timeZone: string): number {
  const utcMidnight = Date.parse(`${date}T00:00:00.000Z`);
  for (let at = utcMidnight - 15 * 3_600_000; at < utcMidnight + 15 * 3_600_000; at += 900_000) {
    if (localDate(at, timeZone) !== date) continue;
    for (let minute = at - 900_000 + 60_000; minute <= at; minute += 60_000) {
      if (localDate(minute, timeZone) === date) return minute;
    }
  }
  throw new Error(`no start found for ${date} in ${timeZone}`);
}

const nextDate = (date: string) =>
  new Date(Date.parse(`${date}T00:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10);

// Around local midnights: each zone's DST changes of 2024 and a plain day.
const midnightsToProbe: Record<string, string[]> = {
  UTC: ['2024-03-10', '2024-03-31'],
  'America/Sao_Paulo': ['2024-03-10', '2024-10-06'],
  'America/New_York': ['2024-03-10', '2024-03-11', '2024-11-03', '2024-11-04'],
  'Europe/London': ['2024-03-31', '2024-04-01', '2024-10-27', '2024-10-28'],
  'Asia/Kolkata': ['2024-03-10', '2024-10-27'],
  'Asia/Kathmandu': ['2024-03-10', '2024-10-27'],
  'Australia/Lord_Howe': ['2024-04-07', '2024-04-08', '2024-10-06', '2024-10-07'],
};

/** Messages 1 ms before, at, and 1 ms after each probed local midnight, plus a seeded random set. */
function messagesToWrite(): MessageItem[] {
  const items: MessageItem[] = [];
  let id = 0;
  for (const [zone, dates] of Object.entries(midnightsToProbe)) {
    for (const date of dates) {
      const start = bruteForceDayStart(date, zone);
      for (const offset of [-1, 0, 1, 3_600_000]) {
        items.push(messageItem({ _id: `edge${id++}`, ts: new Date(start + offset).toISOString() }));
      }
    }
  }
  const random = fc.sample(fc.integer({ min: Date.UTC(2024, 2, 1), max: Date.UTC(2024, 10, 30) }), {
    seed: 20241103,
    numRuns: 1500,
  });
  for (const ms of random)
    items.push(messageItem({ _id: `random${id++}`, ts: new Date(ms).toISOString() }));
  return items;
}

const written = messagesToWrite();
const headers = { 'x-user-id': 'tz-user', 'x-auth-token': 'tz-token' };

beforeAll(async () => {
  await userWithToken(DynamoDBDocumentClient.from(localClient()), tables.auth, {
    userId: 'tz-user',
    token: 'tz-token',
    roles: ['admin'],
  });
  await new MessagesTable(tables.messages).putMany(written);
  await (await StreamFeeder.of(tables.messages)).deliverNew(countMessages.handler, 1000);
}, 120_000);

async function ask(query: Record<string, string>) {
  const response = (await messagesSent.handler(
    httpApiEvent({ query, headers }),
    lambdaContext(),
  )) as APIGatewayProxyResult;
  return { status: response.statusCode, body: JSON.parse(response.body) };
}

/** The answer a brute-force count by local date gives for a window of local dates. */
function bruteForceAnswer(startDate: string, endDate: string, timeZone: string) {
  const byDate = new Map<string, number>();
  for (const item of written) {
    const date = localDate(Date.parse(item.ts), timeZone);
    byDate.set(date, (byDate.get(date) ?? 0) + 1);
  }
  const days: { day: string; messages: number }[] = [];
  let count = 0;
  let n = 0;
  for (let date = startDate; date <= endDate; date = nextDate(date)) {
    count += byDate.get(date) ?? 0;
    n += 1;
    if (byDate.get(date))
      days.unshift({
        day: new Date(bruteForceDayStart(date, timeZone)).toISOString(),
        messages: byDate.get(date) as number,
      });
  }
  let previous = 0;
  let date = startDate;
  for (let i = 0; i < n; i++) {
    date = new Date(Date.parse(`${date}T00:00:00.000Z`) - 86_400_000).toISOString().slice(0, 10);
    previous += byDate.get(date) ?? 0;
  }
  const yesterdayDate = new Date(Date.parse(`${endDate}T00:00:00.000Z`) - 86_400_000)
    .toISOString()
    .slice(0, 10);
  const yesterday = byDate.get(yesterdayDate) ?? 0;
  return {
    days,
    period: { count, variation: count - previous },
    yesterday: { count: yesterday, variation: (byDate.get(endDate) ?? 0) - yesterday },
    success: true,
  };
}

describe('local days of a time zone', () => {
  it.each(zones)(
    '%s: messages around local midnights land on the right local day',
    async (zone) => {
      const dates = midnightsToProbe[zone] as string[];
      const first = dates[0] as string;
      const last = dates.at(-1) as string;
      const start = new Date(bruteForceDayStart(first, zone) + 60_000).toISOString();
      const end = new Date(bruteForceDayStart(last, zone) + 60_000).toISOString();

      const { status, body } = await ask({ start, end, timezone: zone });

      expect(status).toBe(200);
      expect(body).toEqual(bruteForceAnswer(first, last, zone));
    },
  );

  it('gives the UTC instant of local midnight as the day, as Rocket.Chat in that zone would', async () => {
    const { body } = await ask({
      start: '2024-10-06T12:00:00.000Z',
      end: '2024-10-06T12:00:00.000Z',
      timezone: 'America/Sao_Paulo',
    });
    expect(body.days[0].day).toBe('2024-10-06T03:00:00.000Z');
  });

  it('answers UTC exactly as without a timezone', async () => {
    const query = { start: '2024-03-01T00:00:00.000Z', end: '2024-05-30T00:00:00.000Z' };
    expect((await ask({ ...query, timezone: 'UTC' })).body).toEqual((await ask(query)).body);
  });

  it('sums of local days equal the messages between two local midnights (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...zones),
        fc.integer({ min: Date.UTC(2024, 2, 1), max: Date.UTC(2024, 10, 30) }),
        fc.integer({ min: 0, max: 120 }),
        async (zone, startMs, length) => {
          const first = localDate(startMs, zone);
          let last = first;
          for (let i = 0; i < length; i++) last = nextDate(last);
          const endMs = bruteForceDayStart(last, zone) + 1;
          const { body } = await ask({
            start: new Date(startMs).toISOString(),
            end: new Date(endMs).toISOString(),
            timezone: zone,
          });
          const from = bruteForceDayStart(first, zone);
          const to = bruteForceDayStart(nextDate(last), zone);
          const between = written.filter(
            (item) => Date.parse(item.ts) >= from && Date.parse(item.ts) < to,
          ).length;
          expect(body.period.count).toBe(between);
          expect(
            body.days.reduce((sum: number, day: { messages: number }) => sum + day.messages, 0),
          ).toBe(between);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('timezone errors', () => {
  const range = { start: '2024-03-01T00:00:00.000Z', end: '2024-03-10T00:00:00.000Z' };
  it.each([
    [
      'an unknown zone',
      { ...range, timezone: 'Mars/Olympus_Mons' },
      "The timezone 'Mars/Olympus_Mons' is not an IANA time zone name like America/Sao_Paulo [error-invalid-params]",
    ],
    [
      'an offset instead of a name',
      { ...range, timezone: '+05:30' },
      "The timezone '+05:30' is not an IANA time zone name like America/Sao_Paulo [error-invalid-params]",
    ],
    [
      'a hostile value, not echoed',
      { ...range, timezone: "<script>'x'</script>" },
      'The timezone is not an IANA time zone name like America/Sao_Paulo [error-invalid-params]',
    ],
    [
      'a repeated timezone',
      { ...range, timezone: 'UTC,Asia/Kolkata' },
      "The timezone 'UTC,Asia/Kolkata' is not an IANA time zone name like America/Sao_Paulo [error-invalid-params]",
    ],
    [
      'a window over 366 local days',
      {
        start: '2023-01-01T12:00:00.000Z',
        end: '2024-01-02T12:00:00.000Z',
        timezone: 'Asia/Kolkata',
      },
      'The period from start to end must not be longer than 366 days when a timezone is given; it is 367 days [error-invalid-params]',
    ],
    [
      'a zone whose days then did not start on a quarter-hour',
      {
        start: '1900-01-01T12:00:00.000Z',
        end: '1900-01-02T12:00:00.000Z',
        timezone: 'America/Sao_Paulo',
      },
      'Days in America/Sao_Paulo around 1899-12-30 do not start on a quarter-hour of UTC, so they cannot be counted exactly [error-invalid-params]',
    ],
  ])('400 for %s', async (_case, query, error) => {
    const { status, body } = await ask(query);
    expect(status).toBe(400);
    expect(body).toEqual({ success: false, error });
  });

  it('accepts a window of exactly 366 local days', async () => {
    const { status } = await ask({
      start: '2023-06-01T12:00:00.000Z',
      end: '2024-05-31T12:00:00.000Z',
      timezone: 'Asia/Kathmandu',
    });
    expect(status).toBe(200);
  });
});

describe('scheduled reports in a time zone (REPORT_TIMEZONE)', () => {
  it('reports the complete local days before the event and stores them under the zone', async () => {
    const report = await messagesSent.handler(
      scheduledEvent('2024-11-04T12:00:00Z'),
      lambdaContext(),
    );
    expect(report).toMatchObject(bruteForceAnswer('2024-10-28', '2024-11-03', 'America/Sao_Paulo'));
    const { Item } = await DynamoDBDocumentClient.from(localClient()).send(
      new GetCommand({
        TableName: tables.counters,
        Key: reportKey(7, '2024-11-03', 'America/Sao_Paulo'),
      }),
    );
    expect(Item).toMatchObject({
      startDay: '2024-10-28',
      endDay: '2024-11-03',
      timeZone: 'America/Sao_Paulo',
    });
  });
});
