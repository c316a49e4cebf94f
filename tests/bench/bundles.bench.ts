// The function bundles: their size, and how long a cold process takes to import each, against a
// bundle holding only the DynamoDB clients the function uses, built and imported the same way
// (with the same credentials from the environment that the function bundles use).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { buildFunctions, lambdaCredentials } from '../../infra/build.js';
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
        const baseline = join(dir, `${name}-clients.mjs`);
        await writeFile(entry, clientsOnly[name] ?? '');
        const result = await build({
          entryPoints: [entry],
          outfile: baseline,
          bundle: true,
          platform: 'node',
          target: 'node20',
          format: 'esm',
          minify: true,
          mainFields: ['module', 'main'],
          legalComments: 'none',
          nodePaths: [join(root, 'node_modules')],
          plugins: [lambdaCredentials],
          metafile: true,
          logLevel: 'warning',
        });
        const baselineBytes = Object.values(result.metafile.outputs)[0]?.bytes ?? 0;
        rows.push(
          compared(
            {
              benchmark: 'bundles',
              measure: `${name} bundle size (minified)`,
              value: bytes / 1024,
              unit: 'KiB',
              goal: '≤ 400 KB',
            },
            'DynamoDB clients alone',
            baselineBytes / 1024,
          ),
        );
        const own: number[] = [];
        const clients: number[] = [];
        for (let i = 0; i < 15; i++) {
          own.push(await coldImportMs(join(root, 'dist', name, 'index.mjs')));
          clients.push(await coldImportMs(baseline));
        }
        rows.push(
          compared(
            {
              benchmark: 'bundles',
              measure: `${name} cold import (median of 15 processes)`,
              value: median(own),
              unit: 'ms',
              goal: 'ratio ≤ 1.2',
            },
            'DynamoDB clients alone',
            median(clients),
          ),
        );
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return rows;
  },
};
