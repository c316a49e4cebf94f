// `npm start`: runs the whole service locally and says how to try it. Ctrl-C stops everything.
import { demoToken, demoUser } from './demo-data.js';
import { LocalStackError, startLocalStack } from './stack.js';

const seedQuery = 'start=2023-05-20T00%3A00%3A00.000Z&end=2023-05-30T00%3A00%3A00.000Z';

function port(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535) {
    console.error(`${name}=${value} is not a port number`);
    process.exit(2);
  }
  return parsed;
}

const started = Date.now();
const log = (line: string) => console.log(line);
let stack: Awaited<ReturnType<typeof startLocalStack>>;
try {
  stack = await startLocalStack({
    httpPort: port('PORT', 3000),
    dynamoDbPort: port('DYNAMODB_LOCAL_PORT', 8000),
    dynamoDbEndpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB || undefined,
    log,
  });
} catch (error) {
  const known = error instanceof LocalStackError || (error as Error).name === 'JavaMissingError';
  console.error(`Cannot start: ${known ? (error as Error).message : String(error)}`);
  process.exit(1);
}

const url = stack.httpUrl.replace('127.0.0.1', 'localhost');
console.log(`
engagement-dashboard is running (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)

  DynamoDB Local   ${stack.dynamoDbEndpoint}${stack.startedDynamoDbLocal ? ' (in memory, started here)' : ' (already running)'}
  tables           ${Object.values(stack.tables).join(', ')}${stack.createdTables ? ' (new, with demo data)' : ' (existing, left as they were)'}
  stream poller    ${stack.tables.messages} stream -> count-messages
  HTTP API         ${stack.httpUrl} -> messages-sent
                   POST /rocketchat/outgoing-webhook/{c,p,d} -> rocketchat-webhook

Try it:

  curl --location '${url}/api/v1/engagement-dashboard/messages/messages-sent?${seedQuery}' \\
  --header 'x-auth-token: ${demoToken}' \\
  --header 'x-user-id: ${demoUser.userId}'

Write a message into ${stack.tables.messages} and the answer changes within a second or two.
Press Ctrl-C to stop.
`);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  await stack.stop();
  console.log('Stopped.');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
