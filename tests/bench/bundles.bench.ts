// The function bundles: their size, and how long a cold process takes to import each, against a
// bundle holding only the DynamoDB clients the function uses, built and imported the same way:
// once as the SDK comes (its whole default credential chain), and once with the environment's
// credentials, as the function bundles take them (infra/lambda-credentials.ts), which shows what
// the function's own code costs.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, type Plugin } from 'esbuild';
import { buildFunctions, bundleOptions, lambdaCredentials } from '../../infra/build.js';
import { type Benchmark, type BenchRow, compared } from './harness.js';
import { median } from './stats.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

/** What each function imports from the SDK, and nothing else. */
const clientsOnly: Record<string, string> = {
  'count-messages': `
    import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
    import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
    import { NodeHttpHandler } from '@smithy/node-http-handler';
    export const client = DynamoDBDocumentClient.from(new DynamoDBClient({ requestHandler: new NodeHttpHandler({}) }));
    export const used = [GetCommand, TransactWriteCommand, TransactionCanceledException];`,
  'messages-sent': `
    import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
    import { DynamoDBDocumentClient, BatchGetCommand, PutCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
    import { NodeHttpHandler } from '@smithy/node-http-handler';
    export const client = DynamoDBDocumentClient.from(new DynamoDBClient({ requestHandler: new NodeHttpHandler({}) }));
    export const used = [BatchGetCommand, PutCommand, paginateQuery];`,
  'rocketchat-webhook': `
    import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
    import { DynamoDBDocumentClient, PutCommand, UpdateCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
    import { NodeHttpHandler } from '@smithy/node-http-handler';
    export const client = DynamoDBDocumentClient.from(new DynamoDBClient({ requestHandler: new NodeHttpHandler({}) }));
    export const used = [PutCommand, UpdateCommand, paginateQuery];`,
};

const importTimer = `
const started = performance.now();
await import(process.argv[2]);
process.stdout.write(String(performance.now() - started));
`;

export const bundlesBenchmark: Benchmark = {
  name: 'bundles',
  async run(): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    const dir = await mkdtemp(join(tmpdir(), 'bundle-bench-'));
    try {
      const timer = join(dir, 'time-import.mjs');
      await writeFile(timer, importTimer);
      const coldImportMs = async (bundle: string) => {
        const { stdout } = await run(process.execPath, [timer, pathToFileURL(bundle).href], {
          env: { ...process.env, COUNTERS_TABLE: 'bench-counters', AUTH_TABLE: 'bench-auth' },
        });
        return Number(stdout);
      };
      for (const { name, bytes } of await buildFunctions()) {
        const entry = join(dir, `${name}-clients.ts`);
        await writeFile(entry, clientsOnly[name] ?? '');
        const baseline = async (variant: string, plugins: Plugin[]) => {
          const outfile = join(dir, `${name}-clients-${variant}.mjs`);
          const result = await build({
            ...bundleOptions,
            entryPoints: [entry],
            outfile,
            nodePaths: [join(root, 'node_modules')],
            plugins,
          });
          return { outfile, bytes: Object.values(result.metafile.outputs)[0]?.bytes ?? 0 };
        };
        const sdk = await baseline('sdk', []);
        const environment = await baseline('environment', [lambdaCredentials]);
        rows.push(
          compared(
            {
              benchmark: 'bundles',
              measure: `${name} bundle size (minified)`,
              value: bytes / 1024,
              unit: 'KiB',
              goal: '≤ 400 KiB',
            },
            'DynamoDB clients alone, SDK defaults',
            sdk.bytes / 1024,
          ),
          compared(
            {
              benchmark: 'bundles',
              measure: `${name} bundle size (minified)`,
              value: bytes / 1024,
              unit: 'KiB',
            },
            'clients alone, environment credentials',
            environment.bytes / 1024,
          ),
        );
        const times = { own: [] as number[], sdk: [] as number[], environment: [] as number[] };
        for (let i = 0; i < 15; i++) {
          times.own.push(await coldImportMs(join(root, 'dist', name, 'index.mjs')));
          times.sdk.push(await coldImportMs(sdk.outfile));
          times.environment.push(await coldImportMs(environment.outfile));
        }
        const measure = `${name} cold import (median of 15 processes)`;
        rows.push(
          compared(
            {
              benchmark: 'bundles',
              measure,
              value: median(times.own),
              unit: 'ms',
              goal: 'ratio ≤ 1.2',
            },
            'DynamoDB clients alone, SDK defaults',
            median(times.sdk),
          ),
          compared(
            { benchmark: 'bundles', measure, value: median(times.own), unit: 'ms' },
            'clients alone, environment credentials',
            median(times.environment),
          ),
        );
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return rows;
  },
};
