// The whole service on one machine: DynamoDB Local, the tables of infra/tables.yml,
// a stream poller feeding the real count-messages handler, and an HTTP server in front of the
// real messages-sent and rocketchat-webhook handlers, routed by path as API Gateway routes them.
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isWebhookPath } from '../../lib/lambda/rocketchat-webhook-http.js';
import { streamArnOf } from '../../lib/store/stream-history.js';
import { writeDemoData } from './demo-data.js';
import {
  type DynamoDbLocal,
  PortInUseError,
  portIsFree,
  startDynamoDbLocal,
} from './dynamodb-local.js';
import { type LocalHttpServer, startHttpServer } from './http-server.js';
import { lambdaContext } from './lambda-context.js';
import { streamMappingSettings } from './stream-mapping.js';
import { type StreamPoller, startStreamPoller } from './stream-poller.js';
import { createTables, type TableNames, tableEnvironment } from './tables.js';

export interface LocalStackOptions {
  /** HTTP port; 0 picks a free one. */
  httpPort: number;
  /** Port for the DynamoDB Local this stack starts, when no endpoint is given. */
  dynamoDbPort: number;
  /** An already running DynamoDB Local to use instead of starting one. */
  dynamoDbEndpoint?: string | undefined;
  stackName?: string;
  /** How long an idle shard waits before polling again. */
  pollIntervalMs?: number;
  log?: (line: string) => void;
}

export interface LocalStack {
  httpUrl: string;
  dynamoDbEndpoint: string;
  /** Whether this stack started DynamoDB Local itself (else it uses one that was running). */
  startedDynamoDbLocal: boolean;
  tables: TableNames;
  /** Whether the tables were created, and the demo data written, by this start. */
  createdTables: boolean;
  poller: StreamPoller;
  stop(): Promise<void>;
}

export class LocalStackError extends Error {
  override name = 'LocalStackError';
}

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.log ?? (() => {});
  prepareEnvironment();
  if (options.httpPort !== 0 && !(await portIsFree(options.httpPort))) {
    throw new LocalStackError(
      `port ${options.httpPort} is already in use, so the HTTP server cannot listen on it; stop ` +
        'what is using it or choose another port (PORT)',
    );
  }

  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    let dynamoDbLocal: DynamoDbLocal | undefined;
    let endpoint = options.dynamoDbEndpoint;
    if (endpoint) {
      await checkEndpoint(endpoint);
    } else {
      log(`Starting DynamoDB Local on 127.0.0.1:${options.dynamoDbPort}…`);
      dynamoDbLocal = await startDynamoDbLocal({ port: options.dynamoDbPort, log });
      cleanups.push(() => (dynamoDbLocal as DynamoDbLocal).stop());
      endpoint = dynamoDbLocal.endpoint;
    }
    process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
    process.env.AWS_ENDPOINT_URL_DYNAMODB_STREAMS = endpoint;

    const client = new DynamoDBClient({});
    cleanups.push(async () => client.destroy());
    const { names, created } = await createTables(
      client,
      options.stackName ?? 'engagement-dashboard-local',
    );
    Object.assign(process.env, tableEnvironment(names));
    const streamArn = await streamArnOf(client, names.messages);
    if (!streamArn) throw new LocalStackError(`${names.messages} has no stream`);

    // The handlers read their configuration when first imported: after the tables are known.
    const countMessages = await import('../../functions/count-messages.js');
    const messagesSent = await import('../../functions/messages-sent.js');
    const rocketChatWebhook = await import('../../functions/rocketchat-webhook.js');

    const poller = startStreamPoller({
      ...(await streamMappingSettings()),
      streamArn,
      handler: countMessages.handler,
      // Records written before a restart against existing tables were counted by the run that saw
      // them; starting at the oldest record again would count them twice.
      startingPosition: created ? 'TRIM_HORIZON' : 'LATEST',
      ...(options.pollIntervalMs === undefined ? {} : { idleDelayMs: options.pollIntervalMs }),
      onError: (error) =>
        log(`stream poller: ${error instanceof Error ? error.message : String(error)}`),
      // Lambda's on-failure destination receives this record; here it is the log.
      onDiscarded: ({ DDBStreamBatchInfo: batch }) =>
        log(
          `stream poller: gave up ${batch.batchSize} records after retries; they are not counted ` +
            `until \`counters reconcile\`: ${JSON.stringify(batch)}`,
        ),
    });
    cleanups.push(() => poller.stop());

    if (created) {
      log('Writing the demo data (user, token and messages)…');
      await writeDemoData(DynamoDBDocumentClient.from(client), names);
      await poller.drained(60_000);
    }

    const http: LocalHttpServer = await startHttpServer({
      port: options.httpPort,
      handler: (event, context) =>
        isWebhookPath(event.rawPath)
          ? rocketChatWebhook.handler(
              event,
              lambdaContext('engagement-dashboard-local-rocketchat-webhook', 10_000),
            )
          : messagesSent.handler(event, context),
      context: () => lambdaContext('engagement-dashboard-local-messages-sent', 29_000),
      onError: (error) => log(`http: ${error instanceof Error ? error.message : String(error)}`),
    });
    cleanups.push(() => http.close());

    return {
      httpUrl: http.url,
      dynamoDbEndpoint: endpoint,
      startedDynamoDbLocal: dynamoDbLocal !== undefined,
      tables: names,
      createdTables: created,
      poller,
      stop,
    };
  } catch (error) {
    await stop();
    if (error instanceof PortInUseError) throw new LocalStackError(error.message);
    throw error;
  }
}

function prepareEnvironment(): void {
  const env = process.env;
  env.AWS_REGION ??= 'us-east-1';
  // DynamoDB Local takes any credentials of letters and digits. Real ones are never needed, and
  // are not handed to a local process.
  env.AWS_ACCESS_KEY_ID = 'local';
  env.AWS_SECRET_ACCESS_KEY = 'local';
  delete env.AWS_SESSION_TOKEN;
  delete env.AWS_PROFILE;
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  env.POWERTOOLS_SERVICE_NAME ??= 'engagement-dashboard';
  env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  env.POWERTOOLS_METRICS_DISABLED ??= 'true';
}

async function checkEndpoint(endpoint: string): Promise<void> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new LocalStackError(`AWS_ENDPOINT_URL_DYNAMODB=${endpoint} is not a URL`);
  }
  if (!loopbackHosts.has(url.hostname)) {
    throw new LocalStackError(
      `AWS_ENDPOINT_URL_DYNAMODB=${endpoint} is not on this machine; the local stack only uses a ` +
        'DynamoDB Local on a loopback address',
    );
  }
  const client = new DynamoDBClient({ endpoint, maxAttempts: 1 });
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }));
  } catch (error) {
    throw new LocalStackError(
      `no DynamoDB answers at AWS_ENDPOINT_URL_DYNAMODB=${endpoint} (${(error as Error).message}); ` +
        'unset it to let the local stack start DynamoDB Local itself',
    );
  } finally {
    client.destroy();
  }
}
