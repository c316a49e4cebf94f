// Reads a table's stream from its start, the way a Lambda event source mapping sees it, so tests
// can feed the real stream records to the counting handler.
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { inject } from 'vitest';
import { localClient } from './tables.js';

export async function streamArnOf(tableName: string): Promise<string> {
  const client = localClient();
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (!Table?.LatestStreamArn) throw new Error(`${tableName} has no stream`);
    return Table.LatestStreamArn;
  } finally {
    client.destroy();
  }
}

async function shardsOf(client: DynamoDBStreamsClient, StreamArn: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let ExclusiveStartShardId: string | undefined;
  do {
    const { StreamDescription } = await client.send(
      new DescribeStreamCommand({ StreamArn, ExclusiveStartShardId }),
    );
    shards.push(...(StreamDescription?.Shards ?? []));
    ExclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
  } while (ExclusiveStartShardId);
  return shards;
}

/** Every record currently in the stream, parents' shards before their children's. */
export async function readWholeStream(StreamArn: string): Promise<StreamRecord[]> {
  const client = new DynamoDBStreamsClient({ endpoint: inject('dynamoDbEndpoint') });
  try {
    const shards = await shardsOf(client, StreamArn);
    const ordered = [...shards].sort(
      (a, b) => (a.ParentShardId === b.ShardId ? 1 : 0) - (b.ParentShardId === a.ShardId ? 1 : 0),
    );
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
