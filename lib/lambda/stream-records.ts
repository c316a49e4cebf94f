// Turns the records of a Lambda DynamoDB stream event into message changes.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { MessageChange } from '../counting/changes.js';
import { UnreadableImage } from '../counting/message.js';

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

function toMessageChange(record: DynamoDBRecord): MessageChange | undefined {
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

function readImage(image: unknown): unknown {
  if (image === null || typeof image !== 'object' || Array.isArray(image)) {
    return new UnreadableImage('image: not an attribute map');
  }
  try {
    // Numbers stay wrapped: an attribute the rule never reads must not make the image unreadable
    // for being too large for a JavaScript number.
    return unmarshall(image as Record<string, AttributeValue>, { wrapNumbers: true });
  } catch {
    return new UnreadableImage('image: not in DynamoDB attribute-value format');
  }
}
