// Turns the records of a Lambda DynamoDB stream event into message changes.
import type { _Record as StreamApiRecord } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { MessageChange } from '../counting/changes.js';
import { ruleAttributes, UnreadableImage } from '../counting/message.js';

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

export interface StreamBatch {
  changes: MessageChange[];
  unidentifiable: UnidentifiableRecord[];
  /** ApproximateCreationDateTime of the newest record, in epoch milliseconds. */
  newestChangeAtMs?: number;
}

export function readStreamEvent(event: DynamoDBStreamEvent): StreamBatch {
  if (!event || !Array.isArray(event.Records)) throw new NotAStreamEventError();
  const batch: StreamBatch = { changes: [], unidentifiable: [] };
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
  return batch;
}

export function toMessageChange(record: DynamoDBRecord): MessageChange | undefined {
  const stream = record?.dynamodb;
  const eventId = record?.eventID;
  const sequenceNumber = stream?.SequenceNumber;
  if (typeof eventId !== 'string' || !eventId || typeof sequenceNumber !== 'string') return;
  if (!/^\d{1,40}$/.test(sequenceNumber)) return;

  const change: MessageChange = { eventId, sequenceNumber };
  const messageId = stream?.Keys?._id?.S;
  if (typeof messageId === 'string') change.messageId = messageId;
  if (stream?.OldImage !== undefined) change.oldImage = readImage(stream.OldImage);
  if (stream?.NewImage !== undefined) change.newImage = readImage(stream.NewImage);
  const createdAt = stream?.ApproximateCreationDateTime;
  // Lambda gives epoch seconds; the DynamoDB Streams API gives a date.
  if (typeof createdAt === 'number' && Number.isFinite(createdAt))
    change.changedAtMs = createdAt * 1000;
  return change;
}

/**
 * Decodes only the attributes the counting rule reads. A Rocket.Chat message carries much more
 * (text, parsed markdown, attachments, mentions…) that would cost time to decode and that no log
 * line may show anyway.
 */
function readImage(image: unknown): unknown {
  if (image === null || typeof image !== 'object' || Array.isArray(image)) {
    return new UnreadableImage('image: not an attribute map');
  }
  const attributes = image as Record<string, unknown>;
  const picked: Record<string, unknown> = {};
  for (const name of ruleAttributes) {
    if (attributes[name] !== undefined) picked[name] = nativeValue(attributes[name]);
  }
  return picked;
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
