// Rocket.Chat's outgoing webhooks against the local stack, over HTTP as Rocket.Chat posts them:
// a token made with the admin tool, messages new and edited, and everything that must be refused.
// The dashboard's answer changes only as it should, and always equals a recount.
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startLocalStack } from '../../infra/local/stack.js';
import { hashLoginToken } from '../../lib/auth/login-token.js';
import { admin } from '../helpers/admin-cli.js';
import { readCounters, recountMessages } from '../helpers/counters.js';
import { captureOutput } from '../helpers/output.js';
import { localClient } from '../helpers/tables.js';
import { userWithToken } from '../helpers/users.js';

// Info logs on, to check what the webhook function logs.
process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
const output = captureOutput();
const stack = await startLocalStack({
  httpPort: 0,
  dynamoDbPort: 0,
  dynamoDbEndpoint: inject('dynamoDbEndpoint'),
  stackName: `engagement-dashboard-webhook-${process.pid}`,
  pollIntervalMs: 100,
});
afterAll(() => stack.stop());

const documentClient = DynamoDBDocumentClient.from(localClient());
const viewer = { 'x-user-id': 'webhook-viewer', 'x-auth-token': 'webhook-viewer-token' };
await userWithToken(documentClient, stack.tables.auth, {
  userId: viewer['x-user-id'],
  token: viewer['x-auth-token'],
  roles: ['admin'],
});

async function createToken(roomType: string): Promise<{ token: string; stdout: string }> {
  const outcome = await admin([
    'webhook',
    'create',
    '--room-type',
    roomType,
    '--url',
    stack.httpUrl,
  ]);
  expect(outcome.code).toBe(0);
  const token = /^ {2}([A-Za-z0-9_-]{43})$/m.exec(outcome.stdout)?.[1] ?? '';
  return { token, stdout: outcome.stdout };
}
const publicChannels = await createToken('c');
const privateGroups = await createToken('p');
const tokens = { c: publicChannels.token, p: privateGroups.token };

/** What Rocket.Chat posts for "Message Sent" (triggerHandler's sendMessage data). */
function sentMessage(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    token: tokens.c,
    bot: false,
    channel_id: 'GENERAL',
    channel_name: 'general',
    message_id: 'webhook-message-1',
    timestamp: '2024-06-10T09:15:00.000Z',
    user_id: 'k7Pq2sWd9LmZt4xYb',
    user_name: 'aline.souza',
    text: 'the release is out',
    siteUrl: 'https://chat.example.com',
    ...fields,
  };
}

async function post(
  roomType: string,
  body: string | Record<string, unknown>,
  method = 'POST',
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${stack.httpUrl}/rocketchat/outgoing-webhook/${roomType}`, {
    method,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)',
    },
    ...(method === 'GET' ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  expect(response.headers.get('content-type')).toBe('application/json');
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The dashboard's days of 2024-06-08 to 2024-06-12, once the stream is counted. */
async function dashboardDays(): Promise<Record<string, number>> {
  await stack.poller.drained(30_000);
  const response = await fetch(
    `${stack.httpUrl}/api/v1/engagement-dashboard/messages/messages-sent?start=2024-06-08T00%3A00%3A00.000Z&end=2024-06-12T00%3A00%3A00.000Z`,
    { headers: viewer },
  );
  expect(response.status).toBe(200);
  const body = (await response.json()) as { days: { day: string; messages: number }[] };
  return Object.fromEntries(body.days.map(({ day, messages }) => [day.slice(0, 10), messages]));
}

async function storedMessages(): Promise<Record<string, unknown>[]> {
  const { Items } = await documentClient.send(
    new ScanCommand({ TableName: stack.tables.messages, ConsistentRead: true }),
  );
  return (Items ?? []).sort((a, b) => String(a._id).localeCompare(String(b._id)));
}

const stored = async (id: string) =>
  (
    await documentClient.send(
      new GetCommand({ TableName: stack.tables.messages, Key: { _id: id }, ConsistentRead: true }),
    )
  ).Item;

describe('webhook create', () => {
  it('prints the token once, the route and what to enter in Rocket.Chat; only its hash is stored', async () => {
    const { stdout, token } = publicChannels;
    expect(token).toHaveLength(43);
    expect(stdout).toContain(`POST ${stack.httpUrl}/rocketchat/outgoing-webhook/c`);
    expect(stdout).toMatch(/Event Trigger +Message Sent/);
    expect(stdout).toMatch(/Channel +all_public_channels/);
    expect(stdout).toMatch(new RegExp(`Token +${token}`));
    expect(stdout).toMatch(/Run on edits +on/);
    expect(privateGroups.stdout).toMatch(/Channel +all_private_groups/);
    const { Items } = await documentClient.send(
      new ScanCommand({ TableName: stack.tables.auth, ConsistentRead: true }),
    );
    const text = JSON.stringify(Items);
    expect(text).not.toContain(token);
    expect(text).toContain(`token#${hashLoginToken(token)}`);
    const listed = await admin(['webhook', 'list']);
    expect(listed.stdout).toContain(`${hashLoginToken(token).slice(0, 12)}…`);
    expect(listed.stdout).not.toContain(hashLoginToken(token));
  });
});

describe('messages from Rocket.Chat', () => {
  it('counts a new message once, however often Rocket.Chat sends it, and answers so that Rocket.Chat posts nothing back', async () => {
    const first = await post('c', sentMessage({}));
    expect(first).toEqual({ status: 200, body: { success: true } });
    expect((await post('c', sentMessage({}))).status).toBe(200);
    expect(await dashboardDays()).toEqual({ '2024-06-10': 1 });
    expect(await stored('webhook-message-1')).toEqual({
      _id: 'webhook-message-1',
      rid: 'GENERAL',
      roomType: 'c',
      ts: '2024-06-10T09:15:00.000Z',
      u: { _id: 'k7Pq2sWd9LmZt4xYb', username: 'aline.souza' },
    });
  });

  it('keeps an edited message on the day it was sent, and counts it still once', async () => {
    const edit = await post('c', sentMessage({ isEdited: true, text: 'the release is out (v2)' }));
    expect(edit.status).toBe(200);
    const item = await stored('webhook-message-1');
    expect(item).toMatchObject({ ts: '2024-06-10T09:15:00.000Z', roomType: 'c' });
    expect(Date.parse(String(item?.editedAt))).toBeGreaterThan(Date.now() - 60_000);
    expect(await dashboardDays()).toEqual({ '2024-06-10': 1 });
  });

  it('counts an edit of a message it never saw once, on the day it was sent', async () => {
    const edit = await post(
      'p',
      sentMessage({
        token: tokens.p,
        channel_id: 'release-planning',
        message_id: 'sent-before-the-webhook',
        timestamp: '2024-06-09T23:59:59.999Z',
        isEdited: true,
      }),
    );
    expect(edit.status).toBe(200);
    expect(await stored('sent-before-the-webhook')).toMatchObject({
      roomType: 'p',
      ts: '2024-06-09T23:59:59.999Z',
    });
    expect(await dashboardDays()).toEqual({ '2024-06-09': 1, '2024-06-10': 1 });
  });

  it('counts thread replies and bots, in the room type of the route', async () => {
    expect(
      (
        await post(
          'c',
          sentMessage({
            message_id: 'reply-1',
            tmid: 'webhook-message-1',
            timestamp: '2024-06-11T08:00:00.000Z',
          }),
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await post(
          'c',
          sentMessage({
            message_id: 'bot-1',
            bot: true,
            alias: 'CI',
            user_name: 'rocket.cat',
            timestamp: '2024-06-11T08:00:01.000Z',
          }),
        )
      ).status,
    ).toBe(200);
    expect(await stored('reply-1')).toMatchObject({ tmid: 'webhook-message-1', roomType: 'c' });
    expect(await dashboardDays()).toEqual({ '2024-06-09': 1, '2024-06-10': 1, '2024-06-11': 2 });
  });
});

describe('what is refused, with nothing written', () => {
  const big = 'x'.repeat(300 * 1024);
  it.each<[string, string, string | Record<string, unknown>, string, number, RegExp]>([
    [
      'a wrong token',
      'c',
      { token: 'guess' },
      'POST',
      401,
      /not a webhook token of this room type/,
    ],
    ['no token', 'c', { token: undefined }, 'POST', 401, /not a webhook token/],
    ["another room type's token", 'c', { token: 'private' }, 'POST', 401, /not a webhook token/],
    ['a token for a room type with none', 'd', {}, 'POST', 401, /not a webhook token/],
    ['malformed JSON', 'c', '{"token": "x", "message_id": ', 'POST', 400, /not a JSON object/],
    ['a JSON array', 'c', '[1, 2]', 'POST', 400, /not a JSON object/],
    ['no message_id', 'c', { message_id: undefined }, 'POST', 400, /message_id: invalid_type/],
    ['a timestamp that is no date', 'c', { timestamp: 'yesterday' }, 'POST', 400, /timestamp/],
    ['an unknown room type', 'l', {}, 'POST', 404, /room type is one of c, p, d/],
    ['a GET', 'c', {}, 'GET', 405, /Use POST/],
    ['a 300 KB body', 'c', { text: big }, 'POST', 413, /larger than 256 KB/],
  ])('%s', async (_name, roomType, body, method, status, error) => {
    const before = await storedMessages();
    const payload =
      typeof body === 'string'
        ? body
        : sentMessage({
            message_id: 'must-not-be-written',
            ...body,
            ...(body.token === 'private' ? { token: tokens.p } : {}),
          });
    const answer = await post(roomType, payload, method);
    expect(answer.status).toBe(status);
    expect(answer.body.success).toBe(false);
    expect(String(answer.body.error)).toMatch(error);
    expect(JSON.stringify(answer.body)).not.toContain(tokens.c);
    expect(await storedMessages()).toEqual(before);
  });

  it('a body larger than the local server takes (1 MB) gets 413 JSON too', async () => {
    const before = await storedMessages();
    const response = await fetch(`${stack.httpUrl}/rocketchat/outgoing-webhook/c`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(sentMessage({ text: 'y'.repeat(2 * 1024 * 1024) })),
    });
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await storedMessages()).toEqual(before);
  });

  it('a revoked token gets 401 from then on', async () => {
    const id = hashLoginToken(tokens.p).slice(0, 12);
    const revoked = await admin(['webhook', 'revoke', '--room-type', 'p', '--id', id]);
    expect(revoked.stdout).toContain(`Revoked webhook token ${id}…`);
    const answer = await post('p', sentMessage({ token: tokens.p, message_id: 'after-revoke' }));
    expect(answer.status).toBe(401);
    expect(await stored('after-revoke')).toBeUndefined();
  });
});

describe('afterwards', () => {
  it('the counters equal a recount, and the dashboard shows exactly the accepted messages', async () => {
    expect(await dashboardDays()).toEqual({ '2024-06-09': 1, '2024-06-10': 1, '2024-06-11': 2 });
    expect(await readCounters(stack.tables.counters)).toEqual(
      await recountMessages(stack.tables.messages),
    );
  });

  it('logs each request without its token or text', () => {
    const logged = output.lines().join('\n');
    expect(logged).toContain('Answered a Rocket.Chat outgoing webhook');
    for (const secret of [tokens.c, tokens.p, 'the release is out', 'guess']) {
      expect(logged).not.toContain(secret);
    }
  });
});
