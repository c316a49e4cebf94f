// messages-sent when DynamoDB cannot be reached: 503 with a JSON body within seconds, never a hang.
import { createServer, type Socket } from 'node:net';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { freeLoopbackPort } from '../../infra/local/dynamodb-local.js';
import { httpApiEvent } from '../helpers/api-gateway.js';
import { lambdaContext } from '../helpers/lambda.js';
import { captureOutput } from '../helpers/output.js';
import { useTestTables } from '../helpers/tables.js';

await useTestTables();
const output = captureOutput();

// A listener that accepts connections and never answers: DynamoDB unreachable behind a black hole.
const sockets = new Set<Socket>();
const blackHole = createServer((socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
});
await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
afterAll(
  () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      blackHole.close(() => resolve());
    }),
);
const blackHolePort = (blackHole.address() as { port: number }).port;
const refusedPort = await freeLoopbackPort();

process.env.DYNAMODB_MAX_ATTEMPTS = '2';
process.env.DYNAMODB_CONNECT_TIMEOUT_MS = '300';
process.env.DYNAMODB_REQUEST_TIMEOUT_MS = '500';

const request = httpApiEvent({
  query: { start: '2023-05-20T00:00:00.000Z', end: '2023-05-30T00:00:00.000Z' },
  headers: { 'x-user-id': 'rbAXPnMktTFbNpwtJ', 'x-auth-token': 'some-token' },
});

async function handlerAgainst(port: number) {
  process.env.AWS_ENDPOINT_URL_DYNAMODB = `http://127.0.0.1:${port}`;
  vi.resetModules();
  const module = await import('../../functions/messages-sent.js');
  return module.handler as (event: unknown, context: unknown) => Promise<unknown>;
}

describe('DynamoDB unreachable', () => {
  it.each([
    ['refuses connections', refusedPort],
    ['accepts connections and never answers', blackHolePort],
  ])('when it %s, the query answers 503 with a JSON body within seconds', async (_case, port) => {
    const handler = await handlerAgainst(port);
    const started = Date.now();

    const response = (await handler(request, lambdaContext())) as APIGatewayProxyResult;

    expect(Date.now() - started).toBeLessThan(10_000);
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['content-type']).toBe('application/json');
    expect(JSON.parse(response.body)).toEqual({
      success: false,
      error:
        'The message counts cannot be read right now; try again shortly [error-service-unavailable]',
    });
    expect(response.body).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|at .*\.(ts|js)/);
    const logged = output.json().filter((line) => line.message === 'DynamoDB could not be read');
    expect(logged.length).toBeGreaterThan(0);
  });

  it('a direct invocation gets a function error without a stack trace', async () => {
    const handler = await handlerAgainst(refusedPort);
    const failure = handler(
      { start: '2023-05-20T00:00:00.000Z', end: '2023-05-30T00:00:00.000Z' },
      lambdaContext(),
    );
    await expect(failure).rejects.toThrow();
    const error = await failure.catch((thrown: Error) => thrown);
    expect(String((error as Error).stack)).not.toMatch(/\n\s+at /);
  });
});
