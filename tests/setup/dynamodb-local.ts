// Vitest global setup: one DynamoDB Local for the whole run, stopped at the end whatever happened.
import type { TestProject } from 'vitest/node';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
  }
}

// Lambda runs these functions on Node.js 22; the SDK's notice about Node.js 20 is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

let dynamoDbLocal: DynamoDbLocal | undefined;

export async function setup(project: TestProject): Promise<void> {
  dynamoDbLocal = await startDynamoDbLocal();
  project.provide('dynamoDbEndpoint', dynamoDbLocal.endpoint);
}

export async function teardown(): Promise<void> {
  await dynamoDbLocal?.stop();
}
