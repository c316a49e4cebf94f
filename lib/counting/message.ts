// A message item as the counting rule reads it , and the rule itself (docs/architecture.md).
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
