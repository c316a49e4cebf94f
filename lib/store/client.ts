// The one way this service builds its DynamoDB client. Functions create it once, at module scope,
// so that warm invocations reuse its connections. The endpoint comes from the SDK's own settings
// (AWS_ENDPOINT_URL_DYNAMODB for DynamoDB Local), never from a switch of ours.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { DynamoDbSettings } from '../config.js';

export function createDocumentClient(settings: DynamoDbSettings): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    maxAttempts: settings.maxAttempts,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: settings.connectTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      // Without this the handler only logs a warning when requestTimeout passes, and a DynamoDB
      // that accepts connections but never answers holds the request until Lambda's own timeout.
      throwOnRequestTimeout: true,
    }),
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}
