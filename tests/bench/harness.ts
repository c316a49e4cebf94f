// What every benchmark gets: a DynamoDB Local of its own run, the service's tables in it (the
// functions are pointed at them through the environment), and a way to import a function anew.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TableNames } from '../../infra/local/tables.js';

export interface BenchRow {
  benchmark: string;
  measure: string;
  value: number;
  unit: string;
  /** What the value is compared with, measured in the same run. */
  baseline?: { name: string; value: number };
  ratio?: number;
  goal?: string;
}

export interface BenchContext {
  endpoint: string;
  client: DynamoDBClient;
  tables: TableNames;
  /** Imports a module of functions/ as a fresh instance, with a DynamoDB client of its own. */
  importFunction<T>(name: string): Promise<T>;
  /**
   * Runs `work` with AWS_ENDPOINT_URL_DYNAMODB set to `endpoint`. The SDK reads that variable at a
   * client's first request, so a function instance first used inside `work` keeps the endpoint.
   */
  withEndpoint<T>(endpoint: string, work: () => Promise<T>): Promise<T>;
}

export interface Benchmark {
  name: string;
  run(context: BenchContext): Promise<BenchRow[]>;
}

export function compared(
  row: Omit<BenchRow, 'ratio' | 'baseline'>,
  baselineName: string,
  baselineValue: number,
): BenchRow {
  return {
    ...row,
    baseline: { name: baselineName, value: baselineValue },
    ratio: row.value / baselineValue,
  };
}
