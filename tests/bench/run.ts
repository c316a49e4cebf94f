// `npm run bench [-- <name>…]`: runs the benchmarks against a DynamoDB Local of their own, prints
// a table and writes tests/bench/results.json so runs can be compared.
import { writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import { createTables, tableEnvironment } from '../../infra/local/tables.js';
import { backfillBenchmark } from './backfill.bench.js';
import { bundlesBenchmark } from './bundles.bench.js';
import { countingBenchmark } from './counting.bench.js';
import type { BenchContext, Benchmark, BenchRow } from './harness.js';
import { localStackBenchmark } from './local-stack.bench.js';
import { messagesSentBenchmark } from './messages-sent.bench.js';
import { readPathBenchmark } from './read-path.bench.js';
import { rocketChatImportBenchmark } from './rocketchat-import.bench.js';
import { timezonesBenchmark } from './timezones.bench.js';

const benchmarks: Benchmark[] = [
  countingBenchmark,
  messagesSentBenchmark,
  bundlesBenchmark,
  backfillBenchmark,
  timezonesBenchmark,
  readPathBenchmark,
  localStackBenchmark,
  rocketChatImportBenchmark,
];

Object.assign(process.env, {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  POWERTOOLS_METRICS_DISABLED: 'true',
});

const wanted = process.argv.slice(2);
const selected = benchmarks.filter((b) => wanted.length === 0 || wanted.includes(b.name));
if (selected.length === 0) {
  console.error(
    `no benchmark named ${wanted.join(', ')}; known: ${benchmarks.map((b) => b.name).join(', ')}`,
  );
  process.exit(2);
}

const dynamoDbLocal = await startDynamoDbLocal();
const client = new DynamoDBClient({ endpoint: dynamoDbLocal.endpoint });
let imports = 0;
const rows: BenchRow[] = [];
try {
  const { names } = await createTables(client, 'engagement-dashboard-bench');
  Object.assign(process.env, tableEnvironment(names), {
    AWS_ENDPOINT_URL_DYNAMODB: dynamoDbLocal.endpoint,
  });
  const context: BenchContext = {
    endpoint: dynamoDbLocal.endpoint,
    client,
    tables: names,
    async importFunction<T>(name: string): Promise<T> {
      return (await import(`../../functions/${name}.ts?instance=${++imports}`)) as T;
    },
    async withEndpoint<T>(endpoint: string, work: () => Promise<T>): Promise<T> {
      process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
      try {
        return await work();
      } finally {
        process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamoDbLocal.endpoint;
      }
    },
  };
  for (const benchmark of selected) {
    process.stderr.write(`running ${benchmark.name}…\n`);
    rows.push(...(await benchmark.run(context)));
  }
} finally {
  client.destroy();
  await dynamoDbLocal.stop();
}

printTable(rows);
const results = {
  date: new Date().toISOString(),
  machine: {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
  },
  node: process.version,
  rows,
};
await writeFile(
  new URL('./results.json', import.meta.url),
  `${JSON.stringify(results, null, 2)}\n`,
);
console.log(
  `\n${results.machine.cpu}, ${results.machine.cores} cores, Node ${results.node}; written to tests/bench/results.json`,
);

function printTable(table: BenchRow[]): void {
  const format = (value: number) =>
    Number.isInteger(value)
      ? String(value)
      : value >= 100
        ? value.toFixed(0)
        : value.toPrecision(3);
  const lines = [
    ['benchmark', 'measure', 'value', 'unit', 'baseline (same run)', 'ratio', 'goal'],
    ...table.map((row) => [
      row.benchmark,
      row.measure,
      format(row.value),
      row.unit,
      row.baseline ? `${row.baseline.name}: ${format(row.baseline.value)}` : '',
      row.ratio === undefined ? '' : `${row.ratio.toFixed(3)}`,
      row.goal ?? '',
    ]),
  ];
  const widths =
    lines[0]?.map((_, column) => Math.max(...lines.map((line) => (line[column] ?? '').length))) ??
    [];
  for (const [index, line] of lines.entries()) {
    console.log(
      line
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    );
    if (index === 0) console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  }
}
