// Builds the events Lambda would deliver, from what the DynamoDB Streams API returns, so the local
// stack and the tests invoke the real handlers with real shapes.
import type { _Record as StreamApiRecord } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

export function toLambdaStreamRecord(
  record: StreamApiRecord,
  eventSourceARN: string,
  awsRegion = 'us-east-1',
): DynamoDBRecord {
  const { ApproximateCreationDateTime, ...stream } = record.dynamodb ?? {};
  // The JSON Lambda sends: attribute values as plain objects, the creation time in epoch seconds.
  const dynamodb = JSON.parse(JSON.stringify(stream)) as NonNullable<DynamoDBRecord['dynamodb']>;
  if (ApproximateCreationDateTime) {
    dynamodb.ApproximateCreationDateTime = Math.floor(ApproximateCreationDateTime.getTime() / 1000);
  }
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion,
    dynamodb,
    eventSourceARN,
  } as DynamoDBRecord;
}

export function streamEvent(records: DynamoDBRecord[]): DynamoDBStreamEvent {
  return { Records: records };
}
