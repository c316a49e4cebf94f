// Vitest global setup: one DynamoDB Local for the whole run, stopped at the end whatever happened,
// and the admin tool built once, for the tests that run it as an operator does.
import type { TestProject } from 'vitest/node';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import { buildAdminCli } from './admin-cli-bundle.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
    adminCli: string;
  }
}

// Lambda runs these functions on Node.js 22; the SDK's notice about Node.js 20 is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

let dynamoDbLocal: DynamoDbLocal | undefined;

export async function setup(project: TestProject): Promise<void> {
  const [started, adminCli] = await Promise.all([startDynamoDbLocal(), buildAdminCli()]);
  dynamoDbLocal = started;
  project.provide('dynamoDbEndpoint', dynamoDbLocal.endpoint);
  project.provide('adminCli', adminCli);
}

export async function teardown(): Promise<void> {
  await dynamoDbLocal?.stop();
}
