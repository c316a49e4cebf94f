// What every log line of one invocation carries besides the Lambda context: a `correlation_id`
// that ties it to its cause. For an API Gateway request that is its request id, the one the HTTP
// API's access log shows; for a scheduled event, the event's id; for a stream batch, its first
// sequence number, with `shardId` (the pair a failure-queue message names).
//
// Read here with plain property access rather than Powertools' JMESPath search, which would add
// a JMESPath interpreter to every bundle for three fixed paths.
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
// An id is a short token; anything longer is not one and is not worth a log line's bytes.
const id = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' && value.length <= 128 ? value : undefined;
const sequenceNumber = /^\d{1,40}$/;

/** Starts the log context of an invocation: its Lambda context and what it correlates with. */
export function beginInvocation(
  logger: Logger,
  context: Context,
  keys: { correlationId?: string; [key: string]: string | undefined },
): void {
  // A warm instance keeps its logger: nothing appended for the previous event may stay.
  logger.resetKeys();
  logger.addContext(context);
  const { correlationId, ...others } = keys;
  if (correlationId !== undefined) logger.setCorrelationId(correlationId);
  const defined = Object.entries(others).filter((entry): entry is [string, string] => !!entry[1]);
  if (defined.length > 0) logger.appendKeys(Object.fromEntries(defined));
}

/** API Gateway's request id (payload 2.0 and 1.0), or an EventBridge event's id. */
export function requestKeys(event: unknown): { correlationId?: string } {
  if (!isObject(event)) return {};
  const fromApi = isObject(event.requestContext) ? id(event.requestContext.requestId) : undefined;
  const fromEventBridge = typeof event['detail-type'] === 'string' ? id(event.id) : undefined;
  const correlationId = fromApi ?? fromEventBridge;
  return correlationId ? { correlationId } : {};
}

/**
 * A stream batch's first record's sequence number (what a failure-queue message calls
 * startSequenceNumber), and the shard it comes from.
 */
export function streamBatchKeys(event: unknown): { correlationId?: string; shardId?: string } {
  if (!isObject(event)) return {};
  const first = Array.isArray(event.Records) ? event.Records[0] : undefined;
  const number = isObject(first) && isObject(first.dynamodb) ? first.dynamodb.SequenceNumber : '';
  const keys: { correlationId?: string; shardId?: string } = {};
  if (typeof number === 'string' && sequenceNumber.test(number)) keys.correlationId = number;
  const shardId = id(event.shardId);
  if (shardId) keys.shardId = shardId;
  return keys;
}
