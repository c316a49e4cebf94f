// A message item as the counting rule reads it, and the rule itself (docs/architecture.md).
import * as z from 'zod/mini';

/**
 * Only the attributes the rule reads are checked; the rest of a Rocket.Chat message (msg, u,
 * mentions, …) may take any shape without making the image unreadable.
 */
const nonEmpty = () => z.string().check(z.minLength(1));

export const messageImageSchema = z.looseObject({
  _id: nonEmpty(),
  rid: nonEmpty(),
  roomType: nonEmpty(),
  ts: z.iso.datetime({ precision: 3 }),
  t: z.optional(z.string()),
  tmid: z.optional(z.string()),
  _hidden: z.optional(z.boolean()),
});

export type MessageImage = z.infer<typeof messageImageSchema>;

/** The attributes the rule reads: all a stream image needs to be decoded for. */
export const ruleAttributes: readonly string[] = Object.keys(messageImageSchema.shape);

export type ParsedImage =
  | { kind: 'absent' }
  | { kind: 'message'; message: MessageImage }
  | { kind: 'malformed'; problems: string[] };

/** The image of an item that is not there: before an insert, after a delete. */
export const absentImage: ParsedImage = { kind: 'absent' };

/**
 * Reads one stream image. Problems name the attribute and what is wrong with it, never its value,
 * so they can be logged without leaking message content.
 */
export function parseMessageImage(image: unknown): ParsedImage {
  if (image === undefined) return absentImage;
  if (isWellFormedMessage(image)) return { kind: 'message', message: image };
  const result = messageImageSchema.safeParse(image);
  if (!result.success) {
    return {
      kind: 'malformed',
      problems: result.error.issues.map(
        (issue) => `${issue.path.join('.') || 'image'}: ${issue.code}`,
      ),
    };
  }
  return { kind: 'message', message: result.data };
}

const isoTimestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const isText = (value: unknown) => typeof value === 'string' && value !== '';
const isOptional = (value: unknown, type: 'string' | 'boolean') =>
  value === undefined || typeof value === type;

/**
 * The images nearly every record has, recognised without zod, which costs a third of the counting
 * function's own time per batch: every image this accepts the schema accepts too (a unit test holds
 * it to that); for any other, the schema decides, and says what is wrong.
 */
function isWellFormedMessage(image: unknown): image is MessageImage {
  if (typeof image !== 'object' || image === null) return false;
  const { _id, rid, roomType, ts, t, tmid, _hidden } = image as Record<string, unknown>;
  if (!isText(_id) || !isText(rid) || !isText(roomType) || typeof ts !== 'string') return false;
  if (!isOptional(t, 'string') || !isOptional(tmid, 'string') || !isOptional(_hidden, 'boolean')) {
    return false;
  }
  return isoTimestamp.test(ts) && isRealInstant(ts);
}

/** Digits of `text` from `at`, `length` long, as a number (they are known to be digits). */
function digits(text: string, at: number, length: number): number {
  let value = 0;
  for (let index = at; index < at + length; index++)
    value = value * 10 + text.charCodeAt(index) - 48;
  return value;
}

/** A `YYYY-MM-DDTHH:mm:ss.sssZ` that names a real instant: no 30 February, no 24:00, no :60. */
function isRealInstant(ts: string): boolean {
  const year = digits(ts, 0, 4);
  const month = digits(ts, 5, 2);
  const day = digits(ts, 8, 2);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    digits(ts, 11, 2) <= 23 &&
    digits(ts, 14, 2) <= 59 &&
    digits(ts, 17, 2) <= 59
  );
}

/**
 * Whether an image is a message the dashboard counts: a user message (no system type `t`), not a
 * hidden copy kept as edit history or left by a soft delete, in a counted room type. Thread
 * replies are ordinary messages. An unreadable image never counts, so that the counters always
 * equal a recount of the table by this same rule.
 */
export function countsAsMessage(
  image: ParsedImage,
  countedRoomTypes: ReadonlySet<string>,
): image is Extract<ParsedImage, { kind: 'message' }> {
  if (image.kind !== 'message') return false;
  const { message } = image;
  return (
    message.t === undefined && message._hidden !== true && countedRoomTypes.has(message.roomType)
  );
}
