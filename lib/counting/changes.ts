// What one stream record does to the counters: counts(NewImage) − counts(OldImage), each at the
// day and quarter-hour the image's message was sent.
import { periodsOfTimestamp } from '../utc-calendar.js';
import { countsAsMessage, type ParsedImage } from './message.js';

/** One record of the Messages table's stream, free of any AWS event shape. */
export interface MessageChange {
  eventId: string;
  /**
   * The record's SequenceNumber exactly as the stream gave it (Lambda matches a reported
   * itemIdentifier character for character). Numerically, it grows within a stream shard, which
   * is all a batch ever holds; compare with `compareSequenceNumbers`.
   */
  sequenceNumber: string;
  /** The message's `_id` from the record's keys, for logs. */
  messageId?: string;
  /** The item before and after the change, read by the message schema (lib/counting/message.ts). */
  oldImage: ParsedImage;
  newImage: ParsedImage;
  /** When the change was made, in epoch milliseconds, if the stream said. */
  changedAtMs?: number;
}

/**
 * Orders two sequence numbers of one shard: negative, zero or positive as `a` is before `b`. They
 * are decimal numbers of any length, possibly zero-padded (DynamoDB Local pads them to 21 digits):
 * compared as numbers, by their significant digits, without BigInt (a batch sorts thousands).
 */
export function compareSequenceNumbers(a: string, b: string): number {
  const x = significantDigits(a);
  const y = significantDigits(b);
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x === y ? 0 : x < y ? -1 : 1;
}

function significantDigits(sequenceNumber: string): string {
  let start = 0;
  while (start < sequenceNumber.length - 1 && sequenceNumber.charCodeAt(start) === 48) start++;
  return start === 0 ? sequenceNumber : sequenceNumber.slice(start);
}

/** Whether sequence number `a` comes after `b` in their shard. */
export function comesAfter(a: string, b: string): boolean {
  return compareSequenceNumbers(a, b) > 0;
}

export type CounterUnit = 'day' | 'quarter-hour';

/** One counter: messages sent in one UTC day, or in one UTC quarter-hour. */
export interface Counter {
  unit: CounterUnit;
  /** `YYYY-MM-DD` for a day, `YYYY-MM-DDTHH:mm` for a quarter-hour. */
  period: string;
}

export interface CounterDelta extends Counter {
  delta: number;
}

/** A counter as one string (`day 2023-05-30`, `quarter-hour 2023-05-30T13:45`), for maps. */
export type CounterId = `${CounterUnit} ${string}`;

export const counterId = ({ unit, period }: Counter): CounterId => `${unit} ${period}`;

export function parseCounterId(id: CounterId): Counter {
  const at = id.indexOf(' ');
  return { unit: id.slice(0, at) as CounterUnit, period: id.slice(at + 1) };
}

/**
 * The counters stored and written together: a day's total is one item, and the 96 quarter-hours
 * of a UTC day are another, so that a day's local-time answer reads one item and not 96. Counters
 * of one group change in one write; a transaction holds at most 100 writes.
 */
export const counterGroupOf = ({ unit, period }: Counter): string =>
  `${unit === 'day' ? 'day' : 'quarter-hours'} ${dayOfPeriod(period)}`;

/** The UTC day (`YYYY-MM-DD`) a counter's period is in. */
export const dayOfPeriod = (period: string): string => period.slice(0, 10);

export interface MalformedImage {
  image: 'old' | 'new';
  problems: string[];
}

export interface ChangeEffect {
  deltas: CounterDelta[];
  malformed: MalformedImage[];
}

/** The counters a stored message counts in, each changed by `sign`: none unless it counts. */
export function countedDeltas(
  image: ParsedImage,
  countedRoomTypes: ReadonlySet<string>,
  sign: 1 | -1 = 1,
): CounterDelta[] {
  if (!countsAsMessage(image, countedRoomTypes)) return [];
  const { day, quarterHour } = periodsOfTimestamp(image.message.ts);
  return [
    { unit: 'day', period: day, delta: sign },
    { unit: 'quarter-hour', period: quarterHour, delta: sign },
  ];
}

export function effectOfChange(
  { oldImage, newImage }: Pick<MessageChange, 'oldImage' | 'newImage'>,
  countedRoomTypes: ReadonlySet<string>,
): ChangeEffect {
  const malformed: MalformedImage[] = [];
  if (oldImage.kind === 'malformed') malformed.push({ image: 'old', problems: oldImage.problems });
  if (newImage.kind === 'malformed') malformed.push({ image: 'new', problems: newImage.problems });
  return {
    deltas: [
      ...countedDeltas(oldImage, countedRoomTypes, -1),
      ...countedDeltas(newImage, countedRoomTypes, 1),
    ],
    malformed,
  };
}
