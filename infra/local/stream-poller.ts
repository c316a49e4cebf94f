// A local stand-in for Lambda's event source mapping on a DynamoDB stream, configured as
// infra/functions.yml configures the deployed one: it reads every shard (DescribeStream,
// GetShardIterator, GetRecords), hands records to the real count-messages handler in batches of
// at most BatchSize records, one batch per shard at a time (ParallelizationFactor 1), within
// tumbling windows (TumblingWindowInSeconds: the event names its shard and carries the window's
// state, the response must carry a state back, and each window ends with a final invocation).
// It retries as Lambda does with ReportBatchItemFailures on and bisection off: from the reported
// record, or from the batch's first record when the handler throws, answers without a state, or
// names a record that is not in the batch; every retry is read afresh from the checkpoint at the
// batch size of the moment, so it may be shorter or longer than the delivery before. After
// MaximumRetryAttempts it gives the batch up and hands its on-failure record (the shape Lambda
// sends to the failure destination) to `onDiscarded`. A child shard is read only once its parent
// is finished, which keeps every item's records in order across shard splits.
import { randomUUID } from 'node:crypto';
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
import type { Context, DynamoDBBatchResponse } from 'aws-lambda';
import type { CountingEvent } from '../../lib/lambda/stream-records.js';
import { lambdaContext } from './lambda-context.js';
import { streamEvent, toLambdaStreamRecord } from './lambda-events.js';

export type StreamHandler = (
  event: CountingEvent,
  context: Context,
) => Promise<DynamoDBBatchResponse & { state?: unknown }>;

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
  /** BatchSize: the most records one invocation gets. */
  batchSize?: number;
  /** TumblingWindowInSeconds. */
  tumblingWindowSeconds?: number;
  /** How long a shard with nothing new waits before asking again. */
  idleDelayMs?: number;
  /** Retries of a failing batch before it is given up, as Lambda's MaximumRetryAttempts. */
  maximumRetryAttempts?: number;
  /** Lambda's on-failure destination: what a batch given up leaves there. */
  onDiscarded?: (failure: StreamFailureRecord) => void;
  onError?: (error: unknown) => void;
  context?: () => Context;
  /** The clock that closes windows. */
  now?: () => number;
}

/** What Lambda sends to the mapping's on-failure destination for a batch it gave up. */
export interface StreamFailureRecord {
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: 'RetryAttemptsExhausted';
    approximateInvokeCount: number;
  };
  responseContext: { statusCode: number; executedVersion: string; functionError: string };
  version: '1.0';
  timestamp: string;
  DDBStreamBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord: string;
    approximateArrivalOfLastRecord: string;
    batchSize: number;
    streamArn: string;
  };
}

export interface PollerStats {
  invocations: number;
  recordsDelivered: number;
  retries: number;
  discardedBatches: number;
  windowsClosed: number;
}

export interface StreamPoller {
  readonly stats: PollerStats;
  /**
   * Changes BatchSize as UpdateEventSourceMapping would: from the next delivery on, a batch that
   * is being retried included.
   */
  setBatchSize(size: number): void;
  /** Resolves once every record written before the call has been handed to the handler. */
  drained(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

interface Window {
  startMs: number;
  endMs: number;
  state: unknown;
}

interface ShardState {
  shard: Shard;
  /** Sequence number of the last record read from the stream; reading resumes after it. */
  lastRead?: string;
  /** Records read and not yet done (applied or given up), in stream order. */
  pending: StreamApiRecord[];
  window?: Window;
  finished: boolean;
  running: boolean;
  caughtUp: boolean;
}

type Outcome = { kind: 'done' } | { kind: 'partial'; done: number } | { kind: 'failed' };

const sequenceOf = (record: StreamApiRecord | undefined) =>
  record?.dynamodb?.SequenceNumber as string;

export function startStreamPoller(options: PollerOptions): StreamPoller {
  const api = options.api ?? dynamoDbStreamsApi();
  let batchSize = options.batchSize ?? 100;
  const windowMs = (options.tumblingWindowSeconds ?? 60) * 1000;
  const idleDelayMs = options.idleDelayMs ?? 200;
  const maxRetries = options.maximumRetryAttempts ?? 10;
  const now = options.now ?? Date.now;
  const report = options.onError ?? (() => {});
  const context = () =>
    options.context?.() ?? lambdaContext('engagement-dashboard-local-count-messages');
  const stats: PollerStats = {
    invocations: 0,
    recordsDelivered: 0,
    retries: 0,
    discardedBatches: 0,
    windowsClosed: 0,
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
        shards.set(shard.ShardId, {
          shard,
          pending: [],
          finished: false,
          running: false,
          caughtUp: false,
        });
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
    if (state.lastRead) {
      return api.shardIterator(options.streamArn, shardId, 'AFTER_SEQUENCE_NUMBER', state.lastRead);
    }
    // A shard that appeared while we ran is new: all of it is ours to read.
    const position = initialShards.has(shardId)
      ? (options.startingPosition ?? 'TRIM_HORIZON')
      : 'TRIM_HORIZON';
    return api.shardIterator(options.streamArn, shardId, position);
  }

  /** The tumbling window a record falls in, by when it was written to the stream. */
  function windowStartOf(record: StreamApiRecord | undefined): number {
    const written = record?.dynamodb?.ApproximateCreationDateTime?.getTime() ?? now();
    return Math.floor(written / windowMs) * windowMs;
  }

  async function readShard(state: ShardState): Promise<void> {
    const shardId = state.shard.ShardId as string;
    let iterator = await iteratorFor(state);
    let open = true;
    while (!stopping) {
      if (open && iterator && state.pending.length < batchSize) {
        let page: { records: StreamApiRecord[]; next?: string };
        try {
          page = await api.records(iterator, batchSize - state.pending.length);
        } catch (error) {
          if (error instanceof ExpiredIteratorException) {
            iterator = await iteratorFor(state);
            continue;
          }
          if (error instanceof TrimmedDataAccessException) {
            state.pending = [];
            state.lastRead = undefined;
            iterator = await api.shardIterator(options.streamArn, shardId, 'TRIM_HORIZON');
            continue;
          }
          throw error;
        }
        state.pending.push(...page.records);
        state.lastRead = sequenceOf(page.records.at(-1)) ?? state.lastRead;
        iterator = page.next;
        // No next iterator: the shard is closed, and everything in it has been read.
        if (!iterator) open = false;
        if (open && state.pending.length === 0) {
          state.caughtUp = true;
          await closeWindowIfOver(state);
          await sleep(idleDelayMs);
          continue;
        }
      }
      if (state.pending.length === 0) {
        await closeWindow(state);
        if (!stopping) {
          // The shard is closed and fully delivered: its children may start.
          state.finished = true;
          state.caughtUp = true;
        }
        return;
      }
      state.caughtUp = false;
      await deliverNext(state);
    }
  }

  /** One delivery from the checkpoint, retried until it is done or given up. */
  async function deliverNext(state: ShardState): Promise<void> {
    for (let attempt = 0; !stopping; attempt++) {
      // Every attempt is read again from the checkpoint, at the batch size of the moment.
      const batch = await batchFromCheckpoint(state);
      const outcome = await invoke(state, batch);
      if (outcome.kind === 'done') {
        state.pending.splice(0, batch.length);
        return;
      }
      if (outcome.kind === 'partial' && outcome.done > 0) {
        // Lambda checkpoints before the reported record and goes on from there.
        state.pending.splice(0, outcome.done);
        return;
      }
      if (attempt >= maxRetries) {
        discard(state, batch, attempt + 1);
        return;
      }
      stats.retries += 1;
      await sleep(Math.min(100 * 2 ** (attempt + 1), 2_000));
    }
  }

  /** At most BatchSize records from the checkpoint, all of one window, which is opened. */
  async function batchFromCheckpoint(state: ShardState): Promise<StreamApiRecord[]> {
    const startMs = windowStartOf(state.pending[0]);
    if (state.window && state.window.startMs !== startMs) await closeWindow(state);
    state.window ??= { startMs, endMs: startMs + windowMs, state: {} };
    const batch: StreamApiRecord[] = [];
    for (const record of state.pending) {
      if (batch.length >= batchSize || windowStartOf(record) !== startMs) break;
      batch.push(record);
    }
    return batch;
  }

  async function invoke(state: ShardState, records: StreamApiRecord[]): Promise<Outcome> {
    const window = state.window as Window;
    stats.invocations += 1;
    let response: Awaited<ReturnType<StreamHandler>>;
    try {
      response = await options.handler(eventFor(state, window, records, false), context());
    } catch (error) {
      report(error);
      return { kind: 'failed' };
    }
    // With a tumbling window, a response without a state is a failed invocation.
    if (typeof response?.state !== 'object' || response.state === null) return { kind: 'failed' };
    window.state = response.state;
    const failures = response.batchItemFailures ?? [];
    if (failures.length === 0) {
      stats.recordsDelivered += records.length;
      return { kind: 'done' };
    }
    // The lowest reported record; an empty or unknown identifier fails the whole batch.
    const indexes = failures.map(({ itemIdentifier }) =>
      records.findIndex((record) => sequenceOf(record) === itemIdentifier),
    );
    if (indexes.some((index) => index < 0)) return { kind: 'failed' };
    const done = Math.min(...indexes);
    stats.recordsDelivered += done;
    return { kind: 'partial', done };
  }

  function eventFor(
    state: ShardState,
    window: Window,
    records: StreamApiRecord[],
    isFinalInvokeForWindow: boolean,
  ): CountingEvent {
    return streamEvent(
      records.map((record) => toLambdaStreamRecord(record, options.streamArn)),
      {
        shardId: state.shard.ShardId as string,
        streamArn: options.streamArn,
        state: window.state as Record<string, unknown>,
        windowStartMs: window.startMs,
        windowSeconds: windowMs / 1000,
        isFinalInvokeForWindow,
      },
    );
  }

  async function closeWindowIfOver(state: ShardState): Promise<void> {
    if (state.window && now() >= state.window.endMs) await closeWindow(state);
  }

  /**
   * The window's final invocation. Lambda goes no further in the shard until one succeeds, so
   * neither does this.
   */
  async function closeWindow(state: ShardState): Promise<void> {
    const { window } = state;
    if (!window) return;
    for (let attempt = 0; !stopping; attempt++) {
      stats.invocations += 1;
      try {
        const response = await options.handler(eventFor(state, window, [], true), context());
        if (typeof response?.state === 'object' && response.state !== null) break;
      } catch (error) {
        report(error);
      }
      await sleep(Math.min(100 * 2 ** (attempt + 1), 2_000));
    }
    state.window = undefined;
    stats.windowsClosed += 1;
  }

  function discard(state: ShardState, records: StreamApiRecord[], invocations: number): void {
    state.pending.splice(0, records.length);
    stats.discardedBatches += 1;
    const arrival = (record: StreamApiRecord | undefined) =>
      (record?.dynamodb?.ApproximateCreationDateTime ?? new Date(now())).toISOString();
    const functionName = context().functionName;
    options.onDiscarded?.({
      requestContext: {
        requestId: randomUUID(),
        functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: invocations,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: new Date(now()).toISOString(),
      DDBStreamBatchInfo: {
        shardId: state.shard.ShardId as string,
        startSequenceNumber: sequenceOf(records[0]),
        endSequenceNumber: sequenceOf(records.at(-1)),
        approximateArrivalOfFirstRecord: arrival(records[0]),
        approximateArrivalOfLastRecord: arrival(records.at(-1)),
        batchSize: records.length,
        streamArn: options.streamArn,
      },
    });
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
    setBatchSize(size) {
      if (!Number.isInteger(size) || size < 1) throw new Error('BatchSize must be at least 1');
      batchSize = size;
    },
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
