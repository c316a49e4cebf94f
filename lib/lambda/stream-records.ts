// Turns a Lambda DynamoDB stream event into the shard it came from and its message changes.
import type { _Record as StreamApiRecord } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { MessageChange } from '../counting/changes.js';
import type { ShardRef } from '../counting/count-changes.js';
import {
  absentImage,
  type ParsedImage,
  parseMessageImage,
  ruleAttributes,
} from '../counting/message.js';

/**
 * What Lambda adds to a stream event when the mapping has a tumbling window
 * (TumblingWindowInSeconds): the shard the records come from, and a state handed from one
 * invocation of the window to the next, which the response must carry back.
 */
export interface TumblingWindowFields {
  shardId?: string;
  eventSourceARN?: string;
  window?: { start: string; end: string };
  state?: Record<string, unknown>;
  isFinalInvokeForWindow?: boolean;
  isWindowTerminatedEarly?: boolean;
}

export type CountingEvent = DynamoDBStreamEvent & TumblingWindowFields;

/** What the function keeps in the window's state: the shard's applied mark as last seen. */
export interface CountingState {
  appliedThrough?: string;
}

export class NotAStreamEventError extends Error {
  constructor() {
    super('the event is not a DynamoDB stream event: it has no Records list');
    this.name = 'NotAStreamEventError';
  }
}

/** A record without the eventID and SequenceNumber every stream record has. */
export interface UnidentifiableRecord {
  index: number;
  eventId?: string;
}

export class UnknownShardError extends Error {
  constructor() {
    super(
      'the event does not say which stream shard its records come from: the event source ' +
        'mapping needs a tumbling window (TumblingWindowInSeconds) for exactly-once counting',
    );
    this.name = 'UnknownShardError';
  }
}

export interface StreamBatch {
  /** Undefined only for an event without records, which needs none. */
  shard?: ShardRef;
  /** Whether the event came through a tumbling window, whose response must carry a state. */
  windowed: boolean;
  /** The applied mark this function put in the window's state, if it is a sequence number. */
  knownMark?: string;
  changes: MessageChange[];
  unidentifiable: UnidentifiableRecord[];
  /** ApproximateCreationDateTime of the newest record, in epoch milliseconds. */
  newestChangeAtMs?: number;
}

const sequenceNumberPattern = /^\d{1,40}$/;
const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

export function readStreamEvent(event: CountingEvent): StreamBatch {
  if (!event || !Array.isArray(event.Records)) throw new NotAStreamEventError();
  const batch: StreamBatch = {
    windowed: event.window !== undefined || event.state !== undefined,
    changes: [],
    unidentifiable: [],
  };
  const known = (event.state as CountingState | undefined)?.appliedThrough;
  if (typeof known === 'string' && sequenceNumberPattern.test(known)) batch.knownMark = known;
  event.Records.forEach((record, index) => {
    const change = toMessageChange(record);
    if (!change) {
      const eventId = typeof record?.eventID === 'string' ? record.eventID : undefined;
      batch.unidentifiable.push(eventId ? { index, eventId } : { index });
      return;
    }
    batch.changes.push(change);
    if (change.changedAtMs !== undefined) {
      batch.newestChangeAtMs = Math.max(batch.newestChangeAtMs ?? 0, change.changedAtMs);
    }
  });
  const shardId = text(event.shardId);
  const streamArn = text(event.eventSourceARN) ?? text(event.Records[0]?.eventSourceARN);
  if (shardId && streamArn) batch.shard = { streamArn, shardId };
  else if (event.Records.length > 0) throw new UnknownShardError();
  return batch;
}

export function toMessageChange(record: DynamoDBRecord): MessageChange | undefined {
  const stream = record?.dynamodb;
  const eventId = record?.eventID;
  const sequenceNumber = stream?.SequenceNumber;
  if (typeof eventId !== 'string' || !eventId || typeof sequenceNumber !== 'string') return;
  if (!sequenceNumberPattern.test(sequenceNumber)) return;

  const change: MessageChange = {
    eventId,
    sequenceNumber,
    oldImage: readImage(stream?.OldImage),
    newImage: readImage(stream?.NewImage),
  };
  const messageId = stream?.Keys?._id?.S;
  if (typeof messageId === 'string') change.messageId = messageId;
  const createdAt = stream?.ApproximateCreationDateTime;
  // Lambda gives epoch seconds; the DynamoDB Streams API gives a date.
  if (typeof createdAt === 'number' && Number.isFinite(createdAt))
    change.changedAtMs = createdAt * 1000;
  return change;
}

/**
 * Decodes only the attributes the counting rule reads, and reads them by the message schema. A
 * Rocket.Chat message carries much more (text, parsed markdown, attachments, mentions…) that would
 * cost time to decode and that no log line may show anyway.
 */
function readImage(image: unknown): ParsedImage {
  if (image === undefined) return absentImage;
  if (image === null || typeof image !== 'object' || Array.isArray(image)) {
    return { kind: 'malformed', problems: ['image: not an attribute map'] };
  }
  const attributes = image as Record<string, unknown>;
  const picked: Record<string, unknown> = {};
  for (const name of ruleAttributes) {
    if (attributes[name] !== undefined) picked[name] = nativeValue(attributes[name]);
  }
  return parseMessageImage(picked);
}

/**
 * A string, boolean or null attribute as its plain value, as `unmarshall` would give it; any
 * other attribute value stays as it came, for the image schema to reject by its type.
 */
function nativeValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const typed = value as { S?: unknown; BOOL?: unknown; NULL?: unknown };
  if (typeof typed.S === 'string') return typed.S;
  if (typeof typed.BOOL === 'boolean') return typed.BOOL;
  if (typed.NULL === true) return null;
  return value;
}

/**
 * A record as the DynamoDB Streams API returns it, in the JSON shape Lambda delivers: attribute
 * values as plain objects, the creation time in epoch seconds.
 */
export function toLambdaStreamRecord(
  record: StreamApiRecord,
  eventSourceARN: string,
  awsRegion = 'us-east-1',
): DynamoDBRecord {
  const { ApproximateCreationDateTime, ...stream } = record.dynamodb ?? {};
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
