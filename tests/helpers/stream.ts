// Reads a table's stream from its start, the way a Lambda event source mapping sees it, so tests
// can feed the real stream records to the counting handler.
import {
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { streamEvent, toLambdaStreamRecord } from '../../infra/local/lambda-events.js';
import type { ShardRef } from '../../lib/counting/count-changes.js';
import type { CountingEvent } from '../../lib/lambda/stream-records.js';
import {
  streamArnOf as currentStreamArn,
  lineageOrder,
  shardsOf,
} from '../../lib/store/stream-history.js';
import { lambdaContext } from './lambda.js';
import { localClient, localEndpoint } from './tables.js';

export async function streamArnOf(tableName: string): Promise<string> {
  const client = localClient();
  try {
    const streamArn = await currentStreamArn(client, tableName);
    if (!streamArn) throw new Error(`${tableName} has no stream`);
    return streamArn;
  } finally {
    client.destroy();
  }
}

/** Every record currently in the stream, parents' shards before their children's. */
export async function readWholeStream(StreamArn: string): Promise<StreamRecord[]> {
  const client = new DynamoDBStreamsClient({ endpoint: localEndpoint() });
  try {
    const ordered = lineageOrder(await shardsOf(client, StreamArn));
    const records: StreamRecord[] = [];
    for (const { ShardId } of ordered) {
      let { ShardIterator } = await client.send(
        new GetShardIteratorCommand({ StreamArn, ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      while (ShardIterator) {
        const page = await client.send(new GetRecordsCommand({ ShardIterator, Limit: 1000 }));
        records.push(...(page.Records ?? []));
        // An open shard hands out an iterator forever; an empty page means we are at its end.
        ShardIterator = page.Records?.length ? page.NextShardIterator : undefined;
      }
    }
    return records;
  } finally {
    client.destroy();
  }
}

/** The shard of a table's stream: DynamoDB Local gives each table's stream exactly one. */
export async function shardOf(tableName: string): Promise<ShardRef> {
  const streamArn = await streamArnOf(tableName);
  const client = new DynamoDBStreamsClient({ endpoint: localEndpoint() });
  try {
    const shards = await shardsOf(client, streamArn);
    const [shard, ...more] = shards;
    if (!shard?.ShardId || more.length > 0) {
      throw new Error(`${tableName}'s stream has ${shards.length} shards, not one`);
    }
    return { streamArn, shardId: shard.ShardId };
  } finally {
    client.destroy();
  }
}

type StreamHandler = (
  event: CountingEvent,
  context: Context,
) => Promise<DynamoDBBatchResponse & { state?: unknown }>;

/**
 * Delivers a table's stream to a handler in Lambda-shaped batches, remembering what it delivered,
 * so that each call hands over only the records written since the last one.
 */
export class StreamFeeder {
  private delivered = 0;

  private constructor(readonly shard: ShardRef) {}

  static async of(tableName: string): Promise<StreamFeeder> {
    return new StreamFeeder(await shardOf(tableName));
  }

  async newRecords(): Promise<DynamoDBRecord[]> {
    const records = (await readWholeStream(this.shard.streamArn)).slice(this.delivered);
    this.delivered += records.length;
    return records.map((record) => toLambdaStreamRecord(record, this.shard.streamArn));
  }

  /** The event Lambda delivers these records of the table's shard in. */
  event(records: DynamoDBRecord[], state?: Record<string, unknown>): CountingEvent {
    return streamEvent(records, { ...this.shard, ...(state ? { state } : {}) });
  }

  /** Feeds every new record to the handler; fails if any batch is not fully applied. */
  async deliverNew(handler: StreamHandler, batchSize = 100): Promise<number> {
    const records = await this.newRecords();
    for (let at = 0; at < records.length; at += batchSize) {
      const response = await handler(
        this.event(records.slice(at, at + batchSize)),
        lambdaContext(),
      );
      if (response.batchItemFailures.length > 0) {
        throw new Error(`batch at ${at} not applied: ${JSON.stringify(response)}`);
      }
    }
    return records.length;
  }
}
