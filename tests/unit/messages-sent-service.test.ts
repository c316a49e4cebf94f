// The messages-sent use cases against in-memory ports: Rocket.Chat's order of checks, what a
// refused caller costs, and the answers, in milliseconds.
import { beforeEach, describe, expect, it } from 'vitest';
import type { RequestError } from '../../lib/report/errors.js';
import { MessagesSentService } from '../../lib/report/messages-sent-service.js';
import { FakeMessagesSentPorts } from '../fakes/messages-sent-ports.js';

let ports: FakeMessagesSentPorts;
let service: MessagesSentService;
const query = (start: string, end: string, timezone?: string) => ({
  start: [start],
  end: [end],
  ...(timezone ? { timezone: [timezone] } : {}),
});
const may = () => ports.addUser('admin-user', 'admin-token', ['admin']);
const refusedKind = async (work: Promise<unknown>) =>
  (
    (await work.then(
      () => undefined,
      (error) => error,
    )) as RequestError | undefined
  )?.kind;

beforeEach(() => {
  ports = new FakeMessagesSentPorts();
  service = new MessagesSentService(ports.ports, { days: 7 });
  ports.counters.days.set('2023-05-30', 183).set('2023-05-29', 101).set('2023-05-20', 44);
});

describe('the order of checks: authentication, permission, parameters', () => {
  it('refuses missing credentials without reading anything', async () => {
    expect(await refusedKind(service.answerAuthenticated({}, query('x', 'y')))).toBe(
      'not-authenticated',
    );
    expect(ports.calls).toEqual([]);
  });

  it('refuses an unknown token before a parameter error, and a user without the role after it', async () => {
    ports.addUser('plain-user', 'plain-token', ['user']);
    const bad = query('yesterday', 'today');
    expect(await refusedKind(service.answerAuthenticated({ userId: 'x', token: 'y' }, bad))).toBe(
      'not-authenticated',
    );
    expect(
      await refusedKind(
        service.answerAuthenticated({ userId: 'plain-user', token: 'plain-token' }, bad),
      ),
    ).toBe('not-permitted');
    expect(await refusedKind(service.answerAuthenticated(may(), bad))).toBe('invalid-params');
  });

  it('answers 503 when the auth items cannot be read, and when the counters cannot', async () => {
    const credentials = may();
    ports.failing = 'auth';
    const window = query('2023-05-24T00:00:00.000Z', '2023-05-30T00:00:00.000Z');
    expect(await refusedKind(service.answerAuthenticated(credentials, window))).toBe(
      'service-unavailable',
    );
    ports.failing = 'counters';
    expect(await refusedKind(service.answerAuthenticated(credentials, window))).toBe(
      'service-unavailable',
    );
  });
});

describe('what a refused caller costs', () => {
  it('reads a short UTC window alongside the auth items, in one round trip', async () => {
    const window = query('2023-05-24T00:00:00.000Z', '2023-05-30T00:00:00.000Z');
    await refusedKind(service.answerAuthenticated({ userId: 'x', token: 'y' }, window));
    expect(ports.calls).toEqual(['authItems', 'dayCounts 2023-05-17 2023-05-30']);
  });

  it.each([
    ['a UTC window of 32 days', query('2023-04-29T00:00:00.000Z', '2023-05-30T00:00:00.000Z')],
    [
      'a week in a time zone',
      query('2023-05-24T00:00:00.000Z', '2023-05-30T00:00:00.000Z', 'Asia/Tokyo'),
    ],
  ])('reads no counters for %s until access is granted', async (_name, window) => {
    await refusedKind(service.answerAuthenticated({ userId: 'x', token: 'y' }, window));
    expect(ports.calls).toEqual(['authItems']);
    await service.answerAuthenticated(may(), window);
    expect(ports.calls.slice(1)).toEqual([
      'authItems',
      expect.stringMatching(/^(dayCounts|countsBetween)/),
    ]);
  });
});

describe('the answer', () => {
  it('is the seed document shape, counted over the window and the equal window before it', async () => {
    const answer = await service.answerAuthenticated(
      may(),
      query('2023-05-21T00:00:00.000Z', '2023-05-30T00:00:00.000Z'),
    );
    expect(answer).toEqual({
      days: [
        { day: '2023-05-30T00:00:00.000Z', messages: 183 },
        { day: '2023-05-29T00:00:00.000Z', messages: 101 },
      ],
      period: { count: 284, variation: 284 - 44 },
      yesterday: { count: 101, variation: 82 },
      success: true,
    });
  });

  it('counts the local days of a time zone from the messages between their starts', async () => {
    // 02:00 UTC on 2023-05-30 is still 29 May in São Paulo (UTC−3).
    ports.counters.quarterHours.set(Date.parse('2023-05-30T02:00:00.000Z'), 5);
    ports.counters.quarterHours.set(Date.parse('2023-05-30T03:00:00.000Z'), 7);
    const answer = await service.answerTrusted(
      query('2023-05-29T12:00:00.000Z', '2023-05-30T12:00:00.000Z', 'America/Sao_Paulo'),
    );
    expect(answer.days).toEqual([
      { day: '2023-05-30T03:00:00.000Z', messages: 7 },
      { day: '2023-05-29T03:00:00.000Z', messages: 5 },
    ]);
  });

  it('stores the scheduled report of the complete days before the event, under the event time', async () => {
    const { window, report } = await service.scheduledReport('2023-05-31T00:15:00Z');
    expect([window.days, report.period.count, report.yesterday.count]).toEqual([7, 284, 101]);
    expect(ports.calls.at(-1)).toBe('saveReport');
    await expect(service.scheduledReport('not a time')).rejects.toMatchObject({
      kind: 'invalid-params',
    });
  });
});
