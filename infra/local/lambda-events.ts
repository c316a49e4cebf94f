// Builds the events Lambda would deliver, from what the DynamoDB Streams API returns, so the local
// stack and the tests invoke the real handlers with real shapes.
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

export { toLambdaStreamRecord } from '../../lib/lambda/stream-records.js';

export function streamEvent(records: DynamoDBRecord[]): DynamoDBStreamEvent {
  return { Records: records };
}
