// The webhook's rules without DynamoDB: what a posted message becomes, the token check and the
// order in which requests are refused, and reading either API Gateway payload format.
import { describe, expect, it } from 'vitest';
import { hashLoginToken } from '../../lib/auth/login-token.js';
import { readWebhookRequest } from '../../lib/lambda/rocketchat-webhook-http.js';
import type { MessageItem } from '../../lib/rocketchat/message-item.js';
import { messageFromWebhook } from '../../lib/rocketchat/outgoing-webhook.js';
import { type Recorded, WebhookReceiver } from '../../lib/rocketchat/webhook-receiver.js';
import { httpApiEvent, restApiEvent } from '../helpers/api-gateway.js';

const payload = {
  token: 'integration-token',
  bot: false,
  channel_id: 'GENERAL',
  channel_name: 'general',
  message_id: 'm1',
  timestamp: '2024-06-10T09:15:00.000Z',
  user_id: 'u1',
  user_name: 'aline',
  text: 'hello',
  siteUrl: 'https://chat.example.com',
};

describe('a posted message', () => {
  const receivedAt = Date.parse('2024-06-12T00:00:00.000Z');

  it('becomes the same item the import writes: no text, the room type of the route', () => {
    expect(messageFromWebhook(payload, 'c', receivedAt)).toEqual({
      ok: true,
      edited: false,
      item: {
        _id: 'm1',
        rid: 'GENERAL',
        roomType: 'c',
        ts: '2024-06-10T09:15:00.000Z',
        u: { _id: 'u1', username: 'aline' },
      },
    });
  });

  it('keeps its ts when edited, and is marked edited when received', () => {
    const edited = messageFromWebhook({ ...payload, isEdited: true, tmid: 't1' }, 'p', receivedAt);
    expect(edited).toMatchObject({
      ok: true,
      edited: true,
      item: { ts: '2024-06-10T09:15:00.000Z', tmid: 't1', editedAt: '2024-06-12T00:00:00.000Z' },
    });
  });

  it('names what is missing or wrong, never the values', () => {
    const result = messageFromWebhook(
      { ...payload, message_id: '', timestamp: 'Tue Jun 10 2024', user_id: 7 },
      'c',
      receivedAt,
    );
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems.map((problem) => problem.split(':')[0])).toEqual([
      'message_id',
      'user_id',
      'timestamp',
    ]);
    expect(problems.join(' ')).not.toContain('Tue Jun');
  });
});

describe('receiving', () => {
  function receiver() {
    const written: MessageItem[] = [];
    const lookups: string[] = [];
    const stored = new Set([`c ${hashLoginToken('integration-token')}`]);
    const record = async (item: MessageItem): Promise<Recorded> => {
      written.push(item);
      return 'written';
    };
    return {
      written,
      lookups,
      receiver: new WebhookReceiver({
        tokens: {
          isKnown: async (roomType, hashedToken) => {
            lookups.push(`${roomType} ${hashedToken}`);
            return stored.has(`${roomType} ${hashedToken}`);
          },
        },
        messages: { recordNew: record, recordEdit: record },
        now: () => 0,
      }),
    };
  }
  const body = (fields: Record<string, unknown>) => JSON.stringify({ ...payload, ...fields });

  it('checks the room type, then the size, then that it is JSON, then the token, then the message', async () => {
    const { receiver: r, written } = receiver();
    const tooBig = 300 * 1024;
    expect((await r.receive('x', 'not json', tooBig)).kind).toBe('unknown-room-type');
    expect((await r.receive('c', 'not json', tooBig)).kind).toBe('too-large');
    expect((await r.receive('c', 'not json', 8)).kind).toBe('malformed');
    expect((await r.receive('c', body({ token: 'x', message_id: 1 }), 40)).kind).toBe(
      'not-authenticated',
    );
    expect((await r.receive('p', body({}), 40)).kind).toBe('not-authenticated');
    expect((await r.receive('c', body({ message_id: 1 }), 40)).kind).toBe('malformed');
    expect(written).toEqual([]);
    expect(await r.receive('c', body({}), 40)).toEqual({
      kind: 'recorded',
      messageId: 'm1',
      recorded: 'written',
    });
    expect(written).toHaveLength(1);
  });

  it('looks the token up by its hash, once, and only a token of the very room type is known', async () => {
    const { receiver: r, lookups } = receiver();
    expect((await r.receive('c', body({ token: 'integration-token ' }), 40)).kind).toBe(
      'not-authenticated',
    );
    expect((await r.receive('p', body({}), 40)).kind).toBe('not-authenticated');
    expect((await r.receive('c', body({ token: '' }), 40)).kind).toBe('not-authenticated');
    expect((await r.receive('c', body({}), 40)).kind).toBe('recorded');
    // No lookup for an empty token; never the token itself, only its hash.
    expect(lookups).toEqual([
      `c ${hashLoginToken('integration-token ')}`,
      `p ${hashLoginToken('integration-token')}`,
      `c ${hashLoginToken('integration-token')}`,
    ]);
  });

  it('answers unavailable when DynamoDB fails, so that Rocket.Chat sends the message again', async () => {
    const failing = new WebhookReceiver({
      tokens: { isKnown: async () => true },
      messages: {
        recordNew: async () => {
          throw new Error('ProvisionedThroughputExceededException');
        },
        recordEdit: async () => 'edited',
      },
      now: () => 0,
    });
    expect((await failing.receive('c', body({}), 40)).kind).toBe('unavailable');
  });
});

describe('reading the request', () => {
  it('reads payload 2.0, with the room type from the path or its parameter', () => {
    const event = {
      ...httpApiEvent({ method: 'POST', path: '/rocketchat/outgoing-webhook/c' }),
      body: Buffer.from('{"a":1}').toString('base64'),
      isBase64Encoded: true,
    };
    expect(readWebhookRequest(event)).toEqual({
      method: 'POST',
      roomType: 'c',
      body: '{"a":1}',
      bodyBytes: 7,
    });
    expect(readWebhookRequest({ ...event, pathParameters: { roomType: 'p' } })?.roomType).toBe('p');
  });

  it('reads payload 1.0 under a stage, and tells other paths and events apart', () => {
    const rest = {
      ...restApiEvent({ method: 'POST', path: '/prod/rocketchat/outgoing-webhook/d' }),
      body: '{}',
    };
    expect(readWebhookRequest(rest)).toMatchObject({ method: 'POST', roomType: 'd', body: '{}' });
    expect(
      readWebhookRequest({ ...rest, path: '/rocketchat/elsewhere/d' })?.roomType,
    ).toBeUndefined();
    expect(readWebhookRequest({ start: '2024-06-10T00:00:00.000Z' })).toBeUndefined();
  });
});
