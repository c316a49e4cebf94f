// Starts DynamoDB Local, prints its port and waits to be killed: a stand-in for a test run or a
// local stack that dies without cleaning up.
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';

const dynamoDbLocal = await startDynamoDbLocal();
process.stdout.write(`listening on ${dynamoDbLocal.port}\n`);
setInterval(() => {}, 60_000);
