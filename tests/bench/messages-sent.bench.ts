// messages-sent: warm latency of a 30-day query against the bare DynamoDB calls it needs, and the
// number of DynamoDB requests per answer.
import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult, Context, DynamoDBBatchResponse } from 'aws-lambda';
import { demoToken, demoUser } from '../../infra/local/demo-data.js';
import { hashLoginToken } from '../../lib/auth/login-token.js';
import { loadConfig, queryConfigSchema } from '../../lib/config.js';
import type { CountingEvent } from '../../lib/lambda/stream-records.js';
import { permissionKey, tokenKey, userKey } from '../../lib/store/auth-keys.js';
import { createDocumentClient } from '../../lib/store/client.js';
import { dayPartition } from '../../lib/store/counter-keys.js';
import { httpApiEvent } from '../helpers/api-gateway.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { lambdaContext } from '../helpers/lambda.js';
import { insertRecord, syntheticEvent } from '../helpers/stream-records.js';
import { userWithToken } from '../helpers/users.js';
import { type Benchmark, type BenchRow, compared } from './harness.js';
import { percentile, timed } from './stats.js';

interface Handler<E, R> {
  handler(event: E, context: Context): Promise<R>;
}

const query = { start: '2023-05-01T00:00:00.000Z', end: '2023-05-30T00:00:00.000Z' };
const headers = { 'x-user-id': demoUser.userId, 'x-auth-token': demoToken };

/** Counts messages for the 60 days the query reads (window and previous window), 20 a day. */
async function seedCounters(
  countMessages: Handler<CountingEvent, DynamoDBBatchResponse>,
): Promise<void> {
  const records = [];
  for (let day = 0; day < 60; day++) {
    for (let i = 0; i < 20; i++) {
      const ts = new Date(Date.UTC(2023, 3, 1 + day, 8, i * 3)).toISOString();
      records.push(insertRecord({ _id: `seed-${day}-${i}`, rid: 'GENERAL', roomType: 'c', ts }));
    }
  }
  for (let at = 0; at < records.length; at += 500) {
    await countMessages.handler(syntheticEvent(records.slice(at, at + 500)), lambdaContext());
  }
}

export const messagesSentBenchmark: Benchmark = {
  name: 'messages-sent',
  async run(context): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    const baseClient = createDocumentClient(loadConfig(queryConfigSchema).dynamoDb);
    await userWithToken(baseClient, context.tables.auth, {
      userId: demoUser.userId,
      token: demoToken,
      roles: ['admin'],
    });
    await seedCounters(await context.importFunction('count-messages'));

    // DynamoDB requests per answer, counted by a pass-through proxy.
    const proxy = await startFaultProxy(context.endpoint);
    try {
      const counted =
        await context.importFunction<Handler<unknown, APIGatewayProxyResult>>('messages-sent');
      const answers = 20;
      await context.withEndpoint(proxy.url, async () => {
        for (let i = 0; i < answers; i++) {
          const response = await counted.handler(httpApiEvent({ query, headers }), lambdaContext());
          if (response.statusCode !== 200) throw new Error(`unexpected ${response.statusCode}`);
        }
      });
      const requests = Object.values(proxy.injected).reduce((sum, faults) => sum + faults.pass, 0);
      rows.push({
        benchmark: 'messages-sent',
        measure: `DynamoDB requests per answer (${Object.keys(proxy.injected).sort().join(' + ')}, concurrent)`,
        value: requests / answers,
        unit: 'requests',
        goal: '2',
      });
    } finally {
      await proxy.close();
    }

    // Warm latency, alternating with the bare calls the answer needs, issued the same way:
    // BatchGetItem on the auth items and Query on the day counters, concurrently.
    const { handler } =
      await context.importFunction<Handler<unknown, APIGatewayProxyResult>>('messages-sent');
    const bare = createDocumentClient(loadConfig(queryConfigSchema).dynamoDb);
    const bareCalls = () =>
      Promise.all([
        bare.send(
          new BatchGetCommand({
            RequestItems: {
              [context.tables.auth]: {
                Keys: [
                  tokenKey(demoUser.userId, hashLoginToken(demoToken)),
                  userKey(demoUser.userId),
                  permissionKey('view-engagement-dashboard'),
                ],
                ConsistentRead: true,
              },
            },
          }),
        ),
        bare.send(
          new QueryCommand({
            TableName: context.tables.counters,
            KeyConditionExpression: 'pk = :day AND sk BETWEEN :first AND :last',
            ExpressionAttributeValues: {
              ':day': dayPartition,
              ':first': '2023-03-31',
              ':last': '2023-05-30',
            },
            ProjectionExpression: 'sk, messages',
          }),
        ),
      ]);
    const event = httpApiEvent({ query, headers });
    for (let i = 0; i < 50; i++) {
      await handler(event, lambdaContext());
      await bareCalls();
    }
    const handlerTimes: number[] = [];
    const bareTimes: number[] = [];
    for (let i = 0; i < 400; i++) {
      handlerTimes.push((await timed(() => handler(event, lambdaContext())))[1]);
      bareTimes.push((await timed(bareCalls))[1]);
    }
    for (const p of [50, 99]) {
      rows.push(
        compared(
          {
            benchmark: 'messages-sent',
            measure: `warm latency p${p}, 30-day window (400 answers)`,
            value: percentile(handlerTimes, p),
            unit: 'ms',
            goal: p === 50 ? 'ratio ≤ 1.15' : '',
          },
          'its DynamoDB calls alone',
          percentile(bareTimes, p),
        ),
      );
    }
    return rows;
  },
};
