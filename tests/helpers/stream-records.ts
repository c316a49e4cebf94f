// Lambda stream records made up from message items, for batches larger or more numerous than it
// is worth writing through a real table (benchmarks, throughput runs), all of one made-up shard.
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { streamEvent } from '../../infra/local/lambda-events.js';
import type { ShardRef } from '../../lib/counting/count-changes.js';

let sequence = 1_000_000_000n;

export const syntheticShard: ShardRef = {
  streamArn:
    'arn:aws:dynamodb:us-east-1:000000000000:table/messages/stream/2026-01-01T00:00:00.000',
  shardId: 'shardId-00000001767225600000-5e1f0c2a',
};

export function insertRecord(item: Record<string, unknown>, eventID?: string): DynamoDBRecord {
  sequence += 1n;
  const image = marshall(item, { removeUndefinedValues: true });
  return {
    eventID: eventID ?? `synthetic-${sequence}`,
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    eventSourceARN: syntheticShard.streamArn,
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      Keys: { _id: { S: String(item._id) } },
      NewImage: image as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'],
      SequenceNumber: String(sequence).padStart(21, '0'),
      SizeBytes: 200,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

/** The event a tumbling-window mapping delivers for made-up records. */
export const syntheticEvent = (records: DynamoDBRecord[]) => streamEvent(records, syntheticShard);
