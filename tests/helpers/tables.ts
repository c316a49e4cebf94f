// Each test file gets its own tables, built from infra/tables.yml under a unique stack name, so
// that files can run in parallel against the one DynamoDB Local of the run.
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, inject } from 'vitest';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import {
  createTables,
  deleteTables,
  type TableNames,
  tableEnvironment,
} from '../../infra/local/tables.js';

let ownEndpoint: string | undefined;

/** The DynamoDB Local this file's helpers use: the run's one, unless the file started its own. */
export function localEndpoint(): string {
  return ownEndpoint ?? inject('dynamoDbEndpoint');
}

/**
 * Starts a DynamoDB Local for this file alone, for work heavy enough to slow every file after it
 * down if done in the shared one (or that stops it), and points the helpers and the functions at
 * it. With `dbPath` its data survives `stop()` and a `start()` again on the same port.
 */
export async function useOwnDynamoDbLocal(options: { dbPath?: string } = {}) {
  let dynamoDbLocal = await startDynamoDbLocal(options);
  const { port } = dynamoDbLocal;
  afterAll(() => dynamoDbLocal.stop());
  ownEndpoint = dynamoDbLocal.endpoint;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = ownEndpoint;
  process.env.AWS_ENDPOINT_URL_DYNAMODB_STREAMS = ownEndpoint;
  return {
    stop: () => dynamoDbLocal.stop(),
    async start() {
      dynamoDbLocal = await startDynamoDbLocal({ ...options, port });
    },
  };
}

/** A client of this file's DynamoDB Local itself, whatever AWS_ENDPOINT_URL_DYNAMODB says. */
export function localClient(): DynamoDBClient {
  return new DynamoDBClient({ endpoint: localEndpoint() });
}

/**
 * Creates this file's tables and exports their names as MESSAGES_TABLE, COUNTERS_TABLE and
 * AUTH_TABLE, so that handlers imported afterwards use them. Deleted when the file ends.
 */
export async function useTestTables(): Promise<TableNames> {
  const client = localClient();
  const stackName = `engagement-dashboard-test-${randomBytes(4).toString('hex')}`;
  const { names } = await createTables(client, stackName);
  Object.assign(process.env, tableEnvironment(names));
  afterAll(async () => {
    await deleteTables(client, names);
    client.destroy();
  });
  return names;
}
