// A local stand-in for Lambda's event source mapping on a DynamoDB stream: it reads every shard
// (DescribeStream, GetShardIterator, GetRecords), hands records to the real count-messages handler
// in Lambda-shaped batches, and retries the way Lambda does with ReportBatchItemFailures on and
// bisection off: from the reported record, or from the batch's first record when the handler
// throws or names a record that is not in the batch. A child shard is read only once its parent
// is finished, which keeps every item's records in order across shard splits.
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
  type ShardIteratorType,
  type _Record as StreamApiRecord,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { lambdaContext } from './lambda-context.js';
import { streamEvent, toLambdaStreamRecord } from './lambda-events.js';

export type StreamHandler = (
  event: DynamoDBStreamEvent,
  context: Context,
) => Promise<DynamoDBBatchResponse>;

/** The three DynamoDB Streams calls the poller makes. */
export interface StreamsApi {
  describeStream(
    streamArn: string,
    exclusiveStartShardId?: string,
  ): Promise<{
    shards: Shard[];
    lastEvaluatedShardId?: string;
  }>;
  shardIterator(
    streamArn: string,
    shardId: string,
    type: ShardIteratorType,
    sequenceNumber?: string,
  ): Promise<string | undefined>;
  records(iterator: string, limit: number): Promise<{ records: StreamApiRecord[]; next?: string }>;
}

export function dynamoDbStreamsApi(client = new DynamoDBStreamsClient({})): StreamsApi {
  return {
    async describeStream(StreamArn, ExclusiveStartShardId) {
      const { StreamDescription } = await client.send(
        new DescribeStreamCommand({ StreamArn, ExclusiveStartShardId }),
      );
      const result: { shards: Shard[]; lastEvaluatedShardId?: string } = {
        shards: StreamDescription?.Shards ?? [],
      };
      if (StreamDescription?.LastEvaluatedShardId) {
        result.lastEvaluatedShardId = StreamDescription.LastEvaluatedShardId;
      }
      return result;
    },
    async shardIterator(StreamArn, ShardId, ShardIteratorType, SequenceNumber) {
      const { ShardIterator } = await client.send(
        new GetShardIteratorCommand({ StreamArn, ShardId, ShardIteratorType, SequenceNumber }),
      );
      return ShardIterator;
    },
    async records(ShardIterator, Limit) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator, Limit }));
      const result: { records: StreamApiRecord[]; next?: string } = { records: page.Records ?? [] };
      if (page.NextShardIterator) result.next = page.NextShardIterator;
      return result;
    },
  };
}

export interface PollerOptions {
  streamArn: string;
  handler: StreamHandler;
  api?: StreamsApi;
  /** Where to start in shards that were open when the poller started. */
  startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  batchSize?: number;
  /** How long a shard with nothing new waits before asking again. */
  idleDelayMs?: number;
  /** Retries of a failing batch before it is given up, as Lambda's MaximumRetryAttempts. */
  maximumRetryAttempts?: number;
  /** Where a batch given up goes (Lambda's on-failure destination). */
  onDiscarded?: (discarded: DiscardedBatch) => void;
  onError?: (error: unknown) => void;
  context?: () => Context;
}

export interface DiscardedBatch {
  shardId: string;
  firstSequenceNumber: string;
  lastSequenceNumber: string;
  size: number;
}

export interface PollerStats {
  invocations: number;
  recordsDelivered: number;
  retries: number;
  discardedBatches: number;
}

export interface StreamPoller {
  readonly stats: PollerStats;
  /** Resolves once every record written before the call has been handed to the handler. */
  drained(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

interface ShardState {
  shard: Shard;
  /** Sequence number of the last record the handler applied; reading resumes after it. */
  checkpoint?: string;
  finished: boolean;
  running: boolean;
  caughtUp: boolean;
}

export function startStreamPoller(options: PollerOptions): StreamPoller {
  const api = options.api ?? dynamoDbStreamsApi();
  const batchSize = options.batchSize ?? 100;
  const idleDelayMs = options.idleDelayMs ?? 200;
  const maxRetries = options.maximumRetryAttempts ?? 10;
  const report = options.onError ?? (() => {});
  const stats: PollerStats = {
    invocations: 0,
    recordsDelivered: 0,
    retries: 0,
    discardedBatches: 0,
  };
  const shards = new Map<string, ShardState>();
  const initialShards = new Set<string>();
  let stopping = false;
  let discovered = false;
  const wakeups = new Set<() => void>();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeups.delete(done);
        resolve();
      }
      wakeups.add(done);
    });

  async function discoverShards(): Promise<void> {
    let exclusiveStart: string | undefined;
    const first = !discovered;
    do {
      const page = await api.describeStream(options.streamArn, exclusiveStart);
      for (const shard of page.shards) {
        if (!shard.ShardId || shards.has(shard.ShardId)) continue;
        shards.set(shard.ShardId, { shard, finished: false, running: false, caughtUp: false });
        if (first) initialShards.add(shard.ShardId);
      }
      exclusiveStart = page.lastEvaluatedShardId;
    } while (exclusiveStart);
    discovered = true;
  }

  /** A shard may be read once its parent is finished or no longer in the stream. */
  function readable(state: ShardState): boolean {
    const parent = state.shard.ParentShardId ? shards.get(state.shard.ParentShardId) : undefined;
    return !state.finished && !state.running && (!parent || parent.finished);
  }

  async function iteratorFor(state: ShardState): Promise<string | undefined> {
    const shardId = state.shard.ShardId as string;
    if (state.checkpoint) {
      return api.shardIterator(
        options.streamArn,
        shardId,
        'AFTER_SEQUENCE_NUMBER',
        state.checkpoint,
      );
    }
    // A shard that appeared while we ran is new: all of it is ours to read.
    const position = initialShards.has(shardId)
      ? (options.startingPosition ?? 'TRIM_HORIZON')
      : 'TRIM_HORIZON';
    return api.shardIterator(options.streamArn, shardId, position);
  }

  async function readShard(state: ShardState): Promise<void> {
    const shardId = state.shard.ShardId as string;
    let iterator = await iteratorFor(state);
    while (!stopping && iterator) {
      let page: { records: StreamApiRecord[]; next?: string };
      try {
        page = await api.records(iterator, batchSize);
      } catch (error) {
        if (error instanceof ExpiredIteratorException) {
          iterator = await iteratorFor(state);
          continue;
        }
        if (error instanceof TrimmedDataAccessException) {
          state.checkpoint = undefined;
          iterator = await api.shardIterator(options.streamArn, shardId, 'TRIM_HORIZON');
          continue;
        }
        throw error;
      }
      if (page.records.length === 0) {
        state.caughtUp = true;
        if (!page.next) break;
        iterator = page.next;
        await sleep(idleDelayMs);
        continue;
      }
      state.caughtUp = false;
      state.checkpoint = (await deliver(shardId, page.records)) ?? state.checkpoint;
      iterator = page.next;
    }
    if (!stopping) {
      // No next iterator: the shard is closed and fully read; its children may start.
      state.finished = true;
      state.caughtUp = true;
    }
  }

  /**
   * Hands the records to the handler until they are applied, retrying as Lambda does, and returns
   * the sequence number of the last record applied (or given up) to resume after.
   */
  async function deliver(shardId: string, records: StreamApiRecord[]): Promise<string | undefined> {
    const sequenceOf = (record: StreamApiRecord | undefined) =>
      record?.dynamodb?.SequenceNumber as string;
    let pending = records;
    let checkpoint: string | undefined;
    let attempt = 0;
    while (pending.length > 0 && !stopping) {
      const retryFrom = await invoke(pending);
      if (retryFrom === undefined) return sequenceOf(pending.at(-1));
      if (retryFrom > 0) {
        // Lambda checkpoints before the reported record and retries the rest as a new batch.
        checkpoint = sequenceOf(pending[retryFrom - 1]);
        pending = pending.slice(retryFrom);
        attempt = 0;
        continue;
      }
      if (attempt >= maxRetries) {
        stats.discardedBatches += 1;
        options.onDiscarded?.({
          shardId,
          firstSequenceNumber: sequenceOf(pending[0]),
          lastSequenceNumber: sequenceOf(pending.at(-1)),
          size: pending.length,
        });
        return sequenceOf(pending.at(-1));
      }
      attempt += 1;
      stats.retries += 1;
      await sleep(Math.min(100 * 2 ** attempt, 2_000));
    }
    return checkpoint;
  }

  /** Index of the record to retry from, or undefined when the whole batch was applied. */
  async function invoke(records: StreamApiRecord[]): Promise<number | undefined> {
    const event = streamEvent(
      records.map((record) => toLambdaStreamRecord(record, options.streamArn)),
    );
    stats.invocations += 1;
    let response: DynamoDBBatchResponse;
    try {
      response = await options.handler(
        event,
        options.context?.() ?? lambdaContext('engagement-dashboard-local-count-messages'),
      );
    } catch (error) {
      report(error);
      return 0;
    }
    const failures = response?.batchItemFailures ?? [];
    if (failures.length === 0) {
      stats.recordsDelivered += records.length;
      return undefined;
    }
    // The lowest reported record; an empty or unknown identifier fails the whole batch.
    const indexes = failures.map(({ itemIdentifier }) =>
      records.findIndex((record) => record.dynamodb?.SequenceNumber === itemIdentifier),
    );
    if (indexes.some((index) => index < 0)) return 0;
    const first = Math.min(...indexes);
    stats.recordsDelivered += first;
    return first;
  }

  async function run(): Promise<void> {
    while (!stopping) {
      try {
        await discoverShards();
        for (const state of shards.values()) {
          if (!readable(state)) continue;
          state.running = true;
          void readShard(state)
            .catch(report)
            .finally(() => {
              state.running = false;
            });
        }
      } catch (error) {
        report(error);
      }
      // Shards change rarely; a closed shard's children show up at the next look.
      await sleep(1_000);
    }
  }

  const running = run();

  return {
    stats,
    async drained(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      // Every open shard, and any child of a shard, must be caught up at a moment after the call.
      for (const state of shards.values()) if (!state.finished) state.caughtUp = false;
      while (Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        if (!discovered) continue;
        const states = [...shards.values()];
        if (states.length > 0 && states.every((state) => state.finished || state.caughtUp)) return;
      }
      throw new Error(`the stream poller did not catch up within ${timeoutMs} ms`);
    },
    async stop() {
      stopping = true;
      for (const wake of [...wakeups]) wake();
      await running;
      while ([...shards.values()].some((state) => state.running)) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
}
