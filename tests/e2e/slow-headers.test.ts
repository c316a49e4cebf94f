// Clients that send their headers one line at a time and never finish: the local HTTP server's
// headers timeout closes every such connection, and the server keeps answering everyone else.
import { connect, type Socket } from 'node:net';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { startHttpServer } from '../../infra/local/http-server.js';
import { lambdaContext } from '../helpers/lambda.js';
import { captureOutput } from '../helpers/output.js';
import { localClient, useTestTables } from '../helpers/tables.js';
import { userWithToken } from '../helpers/users.js';

const tables = await useTestTables();
captureOutput();
const { handler } = await import('../../functions/messages-sent.js');
await userWithToken(DynamoDBDocumentClient.from(localClient()), tables.auth, {
  userId: 'patient-user',
  token: 'patient-token',
  roles: ['admin'],
});
const headersTimeoutMs = 1_000;
const server = await startHttpServer({
  port: 0,
  handler: handler as Parameters<typeof startHttpServer>[0]['handler'],
  context: () => lambdaContext(),
  headersTimeoutMs,
});
afterAll(() => server.close());

const route = '/api/v1/engagement-dashboard/messages/messages-sent';

interface SlowClient {
  /** Resolves when the server has closed the connection, with what it answered. */
  closed: Promise<string>;
  stop(): void;
}

/**
 * A client that keeps its side open (it never sends FIN) and sends one more header line every
 * 200 ms, for as long as the connection lets it.
 */
function slowClient(port: number, index: number): SlowClient {
  const socket: Socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  const received: Buffer[] = [];
  let line = 0;
  socket.on('data', (chunk) => received.push(chunk));
  socket.on('error', () => {}); // a reset is one way of being closed
  socket.write(`GET ${route} HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
  const drip = setInterval(() => {
    if (socket.writable) socket.write(`x-slow-${index}-${line++}: y\r\n`);
  }, 200);
  const closed = new Promise<string>((resolve) =>
    socket.on('close', () => {
      clearInterval(drip);
      resolve(Buffer.concat(received).toString('latin1'));
    }),
  );
  return {
    closed,
    stop: () => {
      clearInterval(drip);
      socket.destroy();
    },
  };
}

describe('slow headers', () => {
  it('closes every connection whose headers take longer than the headers timeout', async () => {
    const clients = Array.from({ length: 100 }, (_, index) => slowClient(server.port, index));
    try {
      // Generous: the timeout, plus the server's check interval, plus a noisy machine.
      const deadline = new Promise<'still open'>((resolve) =>
        setTimeout(() => resolve('still open'), headersTimeoutMs + 14_000),
      );
      const outcomes = await Promise.all(
        clients.map((client) => Promise.race([client.closed, deadline])),
      );

      expect(outcomes.filter((outcome) => outcome === 'still open')).toHaveLength(0);
      // Those that got an answer before the close were told why, in JSON.
      for (const answer of outcomes.filter((outcome) => outcome !== '')) {
        expect(answer).toMatch(/^HTTP\/1\.1 408 /);
        expect(answer).toContain('content-type: application/json');
      }
    } finally {
      for (const client of clients) client.stop();
    }
  }, 30_000);

  it('keeps answering other clients meanwhile', async () => {
    const clients = Array.from({ length: 20 }, (_, index) => slowClient(server.port, index));
    try {
      const response = await fetch(
        `${server.url}${route}?start=2023-05-20T00%3A00%3A00.000Z&end=2023-05-30T00%3A00%3A00.000Z`,
        { headers: { 'x-user-id': 'patient-user', 'x-auth-token': 'patient-token' } },
      );
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ success: true });
    } finally {
      for (const client of clients) client.stop();
    }
  });
});
