// Where the admin commands work: the tables named by the environment (MESSAGES_TABLE,
// COUNTERS_TABLE, AUTH_TABLE) on the DynamoDB the AWS SDK's settings point at — or, with --local,
// the tables `npm start` creates on its DynamoDB Local.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { roomTypes } from '../../lib/config.js';
import { adminEndpoints, type Endpoint, nameEndpointInErrors } from './endpoints.js';
import { CliError } from './errors.js';

export type TableRole = 'messages' | 'counters' | 'auth';

const variables: Record<TableRole, string> = {
  messages: 'MESSAGES_TABLE',
  counters: 'COUNTERS_TABLE',
  auth: 'AUTH_TABLE',
};

export interface AdminContext {
  client: DynamoDBClient;
  documentClient: DynamoDBDocumentClient;
  streams: DynamoDBStreamsClient;
  table(role: TableRole): string;
  /** Where DynamoDB requests go, for error messages (a failed request says where it went). */
  target: Endpoint;
  countedRoomTypes: ReadonlySet<string>;
  close(): void;
}

export function adminContext(local: boolean): AdminContext {
  if (local) {
    const endpoint =
      process.env.AWS_ENDPOINT_URL_DYNAMODB ??
      `http://127.0.0.1:${process.env.DYNAMODB_LOCAL_PORT ?? '8000'}`;
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      AWS_ENDPOINT_URL_DYNAMODB_STREAMS: endpoint,
      AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
    process.env.MESSAGES_TABLE ??= 'engagement-dashboard-local-messages';
    process.env.COUNTERS_TABLE ??= 'engagement-dashboard-local-counters';
    process.env.AUTH_TABLE ??= 'engagement-dashboard-local-auth';
  }
  if (!process.env.AWS_REGION && !process.env.AWS_DEFAULT_REGION && !process.env.AWS_PROFILE) {
    throw new CliError('no AWS region: set AWS_REGION (or use --local for the local stack)');
  }
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const endpoints = adminEndpoints();
  const client = new DynamoDBClient({ maxAttempts: 3 });
  const streams = new DynamoDBStreamsClient({
    maxAttempts: 3,
    ...(endpoints.streams.explicitUrl ? { endpoint: endpoints.streams.explicitUrl } : {}),
  });
  nameEndpointInErrors(client, endpoints.dynamoDb);
  nameEndpointInErrors(streams, endpoints.streams);
  // Parsed as the counting function parses it: a recount must count what the function counts.
  const roomTypeSetting = roomTypes.safeParse(process.env.COUNTED_ROOM_TYPES || undefined);
  if (!roomTypeSetting.success) {
    throw new CliError(
      `COUNTED_ROOM_TYPES ${roomTypeSetting.error.issues[0]?.message ?? 'is malformed'}`,
    );
  }
  const countedRoomTypes = roomTypeSetting.data;
  return {
    client,
    documentClient: DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    }),
    streams,
    table(role) {
      const name = process.env[variables[role]];
      if (!name) {
        throw new CliError(
          `${variables[role]} is not set; name the ${role} table (or use --local)`,
        );
      }
      return name;
    },
    target: endpoints.dynamoDb,
    countedRoomTypes,
    close() {
      client.destroy();
      streams.destroy();
    },
  };
}
