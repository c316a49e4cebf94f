// What an operator follows from one bad answer to its log lines: every line the real handlers
// write for an API Gateway request carries that request's id (the one the HTTP API's access log
// shows), a scheduled report's lines the event's id, a stream batch's lines its first sequence
// number and shard; and nothing of one invocation stays on the lines of the next.
import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { hashLoginToken } from '../../lib/auth/login-token.js';
import { permissionKey } from '../../lib/store/auth-keys.js';
import { httpApiEvent, restApiEvent, scheduledEvent } from '../helpers/api-gateway.js';
import { lambdaContext } from '../helpers/lambda.js';
import { captureOutput } from '../helpers/output.js';
import { insertRecord, syntheticEvent, syntheticShard } from '../helpers/stream-records.js';
import { localClient, useTestTables } from '../helpers/tables.js';
import { userWithToken } from '../helpers/users.js';

const tables = await useTestTables();
process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
const output = captureOutput();
const countMessages = await import('../../functions/count-messages.js');
const messagesSent = await import('../../functions/messages-sent.js');
const rocketchatWebhook = await import('../../functions/rocketchat-webhook.js');
const documentClient = DynamoDBDocumentClient.from(localClient());

const token = 'correlation-token-T8wq2';
const headers = { 'x-user-id': 'correlation-user', 'x-auth-token': token };
await userWithToken(documentClient, tables.auth, {
  userId: headers['x-user-id'],
  token,
  roles: ['admin'],
});
const query = { start: '2024-03-01T00:00:00.000Z', end: '2024-03-07T00:00:00.000Z' };

/** The log lines (not the EMF metric documents) written while `invoke` ran. */
async function linesOf(invoke: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  output.clear();
  await invoke();
  return output.json().filter((line) => !('_aws' in line));
}

afterAll(() => {
  const logged = output.lines().join('\n');
  expect(logged).not.toContain(token);
  expect(logged).not.toContain(hashLoginToken(token));
});

describe('messages-sent', () => {
  it('writes the API Gateway request id on every line of an HTTP request, an error line included', async () => {
    // A grant the service cannot read: the request is refused with an ERROR line and its INFO line.
    await documentClient.send(
      new PutCommand({
        TableName: tables.auth,
        Item: { ...permissionKey('view-engagement-dashboard'), roles: 'admin' },
      }),
    );
    const event = httpApiEvent({ query, headers });
    event.requestContext.requestId = 'Ab1Cd2Ef3Gh4=';
    let response: APIGatewayProxyResult | undefined;
    const lines = await linesOf(async () => {
      response = (await messagesSent.handler(event, lambdaContext())) as APIGatewayProxyResult;
    });
    await documentClient.send(
      new DeleteCommand({
        TableName: tables.auth,
        Key: permissionKey('view-engagement-dashboard'),
      }),
    );

    expect(response?.statusCode).toBe(403);
    expect(lines.map((line) => [line.level, line.message])).toEqual([
      ['ERROR', 'Access refused: auth data cannot be read'],
      ['INFO', 'Answered messages-sent'],
    ]);
    for (const line of lines) expect(line.correlation_id).toBe('Ab1Cd2Ef3Gh4=');
  });

  it('writes the request id of a REST API request (payload 1.0) too, and a new one for each request', async () => {
    for (const requestId of ['rest-request-1', 'rest-request-2']) {
      const event = restApiEvent({ query, headers });
      event.requestContext.requestId = requestId;
      const lines = await linesOf(() => messagesSent.handler(event, lambdaContext()));
      expect(lines).toEqual([
        expect.objectContaining({
          message: 'Answered messages-sent',
          status: 200,
          correlation_id: requestId,
        }),
      ]);
    }
  });

  it("writes a scheduled report's event id, not the id of the request before it", async () => {
    const request = httpApiEvent({ query, headers });
    request.requestContext.requestId = 'request-before-the-report';
    await messagesSent.handler(request, lambdaContext());

    const event = scheduledEvent('2024-03-08T00:15:00Z');
    const lines = await linesOf(() => messagesSent.handler(event, lambdaContext()));
    expect(lines).toEqual([
      expect.objectContaining({ message: 'Messages-sent report', correlation_id: event.id }),
    ]);
  });
});

describe('count-messages', () => {
  it("writes a batch's first sequence number and its shard on its lines, and none of them on the next batch's", async () => {
    const records = ['c1', 'c2', 'c3'].map((_id) =>
      insertRecord({ _id, rid: 'r', roomType: 'c', ts: '2024-03-02T10:00:00.000Z' }),
    );
    const first = records[0]?.dynamodb?.SequenceNumber;
    const lines = await linesOf(() =>
      countMessages.handler(syntheticEvent(records), lambdaContext()),
    );
    expect(lines).toEqual([
      expect.objectContaining({
        message: 'Delivery applied',
        correlation_id: first,
        shardId: syntheticShard.shardId,
      }),
    ]);

    // An event that does not name its shard: its error line has its own first record, no shard.
    const stray = insertRecord({ _id: 'c4', rid: 'r', roomType: 'c', ts: '2024-03-02T10:00:00Z' });
    const { shardId: _dropped, ...withoutShard } = syntheticEvent([stray]);
    const strayLines = await linesOf(() =>
      countMessages.handler(withoutShard, lambdaContext()).catch(() => undefined),
    );
    expect(strayLines).toHaveLength(1);
    expect(strayLines[0]).toMatchObject({
      level: 'ERROR',
      correlation_id: stray.dynamodb?.SequenceNumber,
    });
    expect(strayLines[0]).not.toHaveProperty('shardId');
  });
});

describe('rocketchat-webhook', () => {
  it('writes the API Gateway request id on its lines', async () => {
    const event = {
      ...httpApiEvent({ method: 'POST', path: '/rocketchat/outgoing-webhook/c' }),
      body: JSON.stringify({ token: 'not-a-webhook-token', message_id: 'm1' }),
    };
    event.requestContext.requestId = 'webhook-request-Zx9';
    const lines = await linesOf(() => rocketchatWebhook.handler(event, lambdaContext()));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.correlation_id).toBe('webhook-request-Zx9');
    expect(lines.map((line) => line.message)).toContain('Answered a Rocket.Chat outgoing webhook');
  });
});
