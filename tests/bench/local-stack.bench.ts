// The local HTTP stack under load (autocannon at 50 and 200 connections) against a static JSON
// server, and freshness: how soon a message written to the Messages table shows over HTTP.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import autocannon from 'autocannon';
import { demoToken, demoUser } from '../../infra/local/demo-data.js';
import { freeLoopbackPort } from '../../infra/local/dynamodb-local.js';
import { permissionKey, tokenKey, userKey } from '../../lib/store/auth-keys.js';
import { type Benchmark, type BenchRow, compared } from './harness.js';
import { percentile, timed } from './stats.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const route = '/api/v1/engagement-dashboard/messages/messages-sent';
const seedQuery = '?start=2023-05-20T00%3A00%3A00.000Z&end=2023-05-30T00%3A00%3A00.000Z';
const headers = { 'x-auth-token': demoToken, 'x-user-id': demoUser.userId };

async function started(child: ChildProcess, text: string): Promise<void> {
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not started:\n${output}`)), 120_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', () => reject(new Error(`exited before starting:\n${output}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await exited;
}

/** How many answers' worth of DynamoDB calls DynamoDB Local serves, with nothing else around. */
async function dynamoDbCeiling(endpoint: string): Promise<number> {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint }));
  const one = () =>
    Promise.all([
      client.send(
        new BatchGetCommand({
          RequestItems: {
            'engagement-dashboard-local-auth': {
              Keys: [
                userKey(demoUser.userId),
                permissionKey('view-engagement-dashboard'),
                tokenKey(demoUser.userId, 'x'),
              ],
              ConsistentRead: true,
            },
          },
        }),
      ),
      client.send(
        new QueryCommand({
          TableName: 'engagement-dashboard-local-counters',
          KeyConditionExpression: 'pk = :day AND sk BETWEEN :first AND :last',
          ExpressionAttributeValues: {
            ':day': 'day',
            ':first': '2023-05-09',
            ':last': '2023-05-30',
          },
        }),
      ),
    ]);
  let done = 0;
  const end = Date.now() + 10_000;
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (Date.now() < end) {
        await one();
        done += 1;
      }
    }),
  );
  client.destroy();
  return done / 10;
}

async function load(url: string, connections: number) {
  return autocannon({ url, connections, duration: 10, headers, pipelining: 1 });
}

export const localStackBenchmark: Benchmark = {
  name: 'local-stack',
  async run(context): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    const dir = await mkdtemp(join(tmpdir(), 'stack-bench-'));
    const stackPort = await freeLoopbackPort();
    const staticPort = await freeLoopbackPort();
    const seed = await readFile(join(root, 'tests/fixtures/messages-sent-seed.json'), 'utf8');
    const staticServer = join(dir, 'static.mjs');
    await writeFile(
      staticServer,
      `import { createServer } from 'node:http';
const body = ${JSON.stringify(JSON.stringify(JSON.parse(seed)))};
createServer((req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(body); })
  .listen(${staticPort}, '127.0.0.1', () => console.log('listening'));`,
    );
    const environment = {
      ...process.env,
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      AWS_ENDPOINT_URL_DYNAMODB: context.endpoint,
      PORT: String(stackPort),
    };
    const stack = spawn(process.execPath, ['--import', 'tsx', 'infra/local/start.ts'], {
      cwd: root,
      env: environment,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const baseline = spawn(process.execPath, [staticServer], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await Promise.all([started(stack, 'Press Ctrl-C'), started(baseline, 'listening')]);
      const ceiling = await dynamoDbCeiling(context.endpoint);
      rows.push({
        benchmark: 'local-stack',
        measure: 'DynamoDB Local alone: BatchGetItem + Query pairs/s, 50 at a time, 10 s',
        value: ceiling,
        unit: 'pairs/s',
      });
      const url = `http://127.0.0.1:${stackPort}${route}${seedQuery}`;
      const staticUrl = `http://127.0.0.1:${staticPort}${route}${seedQuery}`;
      for (const connections of [50, 200]) {
        const result = await load(url, connections);
        const reference = await load(staticUrl, connections);
        const failures = result.errors + result.timeouts + result.non2xx;
        rows.push(
          compared(
            {
              benchmark: 'local-stack',
              measure: `load, ${connections} connections, 10 s: requests/s of DynamoDB Local's pairs/s`,
              value: result.requests.average,
              unit: 'req/s',
            },
            'its DynamoDB calls alone',
            ceiling,
          ),
        );
        rows.push(
          compared(
            {
              benchmark: 'local-stack',
              measure: `load, ${connections} connections, 10 s: requests/s`,
              value: result.requests.average,
              unit: 'req/s',
            },
            'static JSON server',
            reference.requests.average,
          ),
          compared(
            {
              benchmark: 'local-stack',
              measure: `load, ${connections} connections: latency p50`,
              value: result.latency.p50,
              unit: 'ms',
            },
            'static JSON server',
            reference.latency.p50,
          ),
          compared(
            {
              benchmark: 'local-stack',
              measure: `load, ${connections} connections: latency p99`,
              value: result.latency.p99,
              unit: 'ms',
            },
            'static JSON server',
            reference.latency.p99,
          ),
          compared(
            {
              benchmark: 'local-stack',
              measure: `load, ${connections} connections: latency max`,
              value: result.latency.max,
              unit: 'ms',
            },
            'static JSON server',
            reference.latency.max,
          ),
          {
            benchmark: 'local-stack',
            measure: `load, ${connections} connections: errors, timeouts, non-2xx (of ${result.requests.total})`,
            value: failures,
            unit: 'responses',
            goal: '0',
          },
        );
      }

      // Freshness: write a message on a day of its own, then ask until that day shows it.
      const client = DynamoDBDocumentClient.from(context.client);
      const delays: number[] = [];
      const floors: number[] = [];
      for (let i = 0; i < 30; i++) {
        const day = new Date(Date.UTC(2030, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
        const ask = `http://127.0.0.1:${stackPort}${route}?start=${day}T00%3A00%3A00.000Z&end=${day}T00%3A00%3A00.000Z`;
        const written = performance.now();
        const [, floor] = await timed(async () => {
          await client.send(
            new PutCommand({
              TableName: 'engagement-dashboard-local-messages',
              Item: {
                _id: `fresh-${i}`,
                rid: 'GENERAL',
                roomType: 'c',
                ts: `${day}T12:00:00.000Z`,
                msg: 'fresh',
              },
            }),
          );
          await fetch(ask, { headers });
        });
        floors.push(floor);
        for (;;) {
          const body = (await (await fetch(ask, { headers })).json()) as {
            period: { count: number };
          };
          if (body.period.count === 1) break;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        delays.push(performance.now() - written);
      }
      for (const p of [50, 99]) {
        rows.push(
          compared(
            {
              benchmark: 'local-stack',
              measure: `freshness: write to visible over HTTP, p${p} (30 messages)`,
              value: percentile(delays, p),
              unit: 'ms',
            },
            'one write plus one request',
            percentile(floors, p),
          ),
        );
      }
    } finally {
      await Promise.all([stop(stack), stop(baseline)]);
      await rm(dir, { recursive: true, force: true });
    }
    return rows;
  },
};
