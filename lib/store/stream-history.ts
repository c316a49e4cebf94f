// Reads everything a table's stream still holds (up to 24 hours of changes), shard by shard,
// parents before children, as message changes.
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import type { MessageChange } from '../counting/changes.js';
import { toLambdaStreamRecord, toMessageChange } from '../lambda/stream-records.js';
import type { ShardHistory } from '../reconcile/expected-counts.js';

/** The table's current stream, or undefined when its stream is off. */
export async function streamArnOf(
  client: DynamoDBClient,
  tableName: string,
): Promise<string | undefined> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  return Table?.StreamSpecification?.StreamEnabled ? Table.LatestStreamArn : undefined;
}

export async function shardsOf(
  streams: DynamoDBStreamsClient,
  StreamArn: string,
): Promise<Shard[]> {
  const shards: Shard[] = [];
  let ExclusiveStartShardId: string | undefined;
  do {
    const { StreamDescription } = await streams.send(
      new DescribeStreamCommand({ StreamArn, ExclusiveStartShardId }),
    );
    shards.push(...(StreamDescription?.Shards ?? []));
    ExclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
  } while (ExclusiveStartShardId);
  return shards;
}

/** Shards ordered so that every parent comes before its children. */
export function lineageOrder(shards: readonly Shard[]): Shard[] {
  const byId = new Map(shards.map((shard) => [shard.ShardId, shard]));
  const ordered: Shard[] = [];
  const placed = new Set<string>();
  const place = (shard: Shard) => {
    if (!shard.ShardId || placed.has(shard.ShardId)) return;
    const parent = shard.ParentShardId ? byId.get(shard.ParentShardId) : undefined;
    if (parent) place(parent);
    placed.add(shard.ShardId);
    ordered.push(shard);
  };
  for (const shard of shards) place(shard);
  return ordered;
}

/**
 * A table's stream as read so far: everything it held at the first read, and on every further
 * `catchUp()` whatever was added since (new records, new shards), without reading it all again.
 */
export class StreamView {
  private readonly shards = new Map<
    string,
    { shard: Shard; iterator?: string; records: MessageChange[]; finished: boolean }
  >();

  constructor(
    private readonly streams: DynamoDBStreamsClient,
    readonly streamArn: string,
    private readonly onRecords?: (count: number) => void,
  ) {}

  async catchUp(): Promise<ShardHistory[]> {
    for (const shard of await shardsOf(this.streams, this.streamArn)) {
      if (shard.ShardId && !this.shards.has(shard.ShardId)) {
        this.shards.set(shard.ShardId, { shard, records: [], finished: false });
      }
    }
    const ordered = lineageOrder([...this.shards.values()].map((state) => state.shard));
    for (const { ShardId } of ordered) {
      const state = this.shards.get(ShardId as string);
      if (state && !state.finished) await this.readShard(state);
    }
    return ordered.map(({ ShardId }) => ({
      shardId: ShardId as string,
      records: this.shards.get(ShardId as string)?.records ?? [],
    }));
  }

  private async readShard(state: {
    shard: Shard;
    iterator?: string;
    records: MessageChange[];
    finished: boolean;
  }) {
    const ShardId = state.shard.ShardId as string;
    const freshIterator = async () => {
      const last = state.records.at(-1)?.sequenceNumber;
      const { ShardIterator } = await this.streams.send(
        new GetShardIteratorCommand({
          StreamArn: this.streamArn,
          ShardId,
          ...(last
            ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: last }
            : { ShardIteratorType: 'TRIM_HORIZON' }),
        }),
      );
      return ShardIterator;
    };
    let iterator = state.iterator ?? (await freshIterator());
    while (iterator) {
      let page: Awaited<ReturnType<typeof readPage>>;
      try {
        page = await readPage(this.streams, iterator);
      } catch (error) {
        const name = (error as Error).name;
        if (name === 'ExpiredIteratorException') {
          iterator = await freshIterator();
          continue;
        }
        // Records aged out while we read: start the shard again from what it still holds.
        if (!(error instanceof TrimmedDataAccessException)) throw error;
        state.records = [];
        iterator = await freshIterator();
        continue;
      }
      for (const record of page.Records ?? []) {
        const change = toMessageChange(toLambdaStreamRecord(record, this.streamArn));
        if (change) state.records.push(change);
      }
      this.onRecords?.(page.Records?.length ?? 0);
      if (!page.NextShardIterator) {
        state.finished = true;
        state.iterator = undefined;
        return;
      }
      state.iterator = page.NextShardIterator;
      // An open shard always hands out a next iterator; an empty page means we are at its end.
      if (!page.Records?.length) return;
      iterator = page.NextShardIterator;
    }
  }
}

function readPage(streams: DynamoDBStreamsClient, ShardIterator: string) {
  return streams.send(new GetRecordsCommand({ ShardIterator, Limit: 1000 }));
}
