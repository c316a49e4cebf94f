// Builds the events Lambda would deliver, from what the DynamoDB Streams API returns, so the local
// stack and the tests invoke the real handlers with real shapes.
import type { DynamoDBRecord } from 'aws-lambda';
import type { CountingEvent } from '../../lib/lambda/stream-records.js';

export { toLambdaStreamRecord } from '../../lib/lambda/stream-records.js';

export interface WindowFields {
  shardId: string;
  streamArn: string;
  /** The window's state as the previous invocation of the window returned it. */
  state?: Record<string, unknown>;
  /** Start of the tumbling window, epoch milliseconds (default: the current minute). */
  windowStartMs?: number;
  windowSeconds?: number;
  isFinalInvokeForWindow?: boolean;
}

/** A stream event as a mapping with a tumbling window delivers it: records of one shard. */
export function streamEvent(records: DynamoDBRecord[], fields: WindowFields): CountingEvent {
  const windowMs = (fields.windowSeconds ?? 60) * 1000;
  const start = fields.windowStartMs ?? Math.floor(Date.now() / windowMs) * windowMs;
  return {
    Records: records,
    window: { start: new Date(start).toISOString(), end: new Date(start + windowMs).toISOString() },
    state: structuredClone(fields.state ?? {}),
    shardId: fields.shardId,
    eventSourceARN: fields.streamArn,
    isFinalInvokeForWindow: fields.isFinalInvokeForWindow ?? false,
    isWindowTerminatedEarly: false,
  };
}
