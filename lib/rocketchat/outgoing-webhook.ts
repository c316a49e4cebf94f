// What Rocket.Chat's outgoing webhook posts for the event "Message Sent" (its triggerHandler's
// sendMessage data): token, bot, channel_id, channel_name, message_id, timestamp (the message's
// `ts`, also on edits), user_id, user_name, text, siteUrl, and alias, isEdited (true once the
// message has an editedAt) and tmid when they apply. It carries no room type — each integration
// covers one (all_public_channels, all_private_groups, all_direct_messages) — and no deletions.
import * as z from 'zod/mini';
import { isoTimestamp, type MessageItem, maxIdLength, messageItem } from './message-item.js';

/** The room types an outgoing integration's channel selectors cover, one route each. */
export const webhookRoomTypes: readonly string[] = ['c', 'p', 'd'];

const id = z.string().check(z.minLength(1), z.maxLength(maxIdLength));

// Only what becomes the item is checked; the text and the rest may be anything.
const sentMessageSchema = z.looseObject({
  message_id: id,
  channel_id: id,
  user_id: id,
  user_name: z.optional(z.string()),
  timestamp: z.iso.datetime(),
  isEdited: z.optional(z.boolean()),
  tmid: z.optional(z.nullable(id)),
});

export type SentMessage =
  | { ok: true; item: MessageItem; edited: boolean }
  | { ok: false; problems: string[] };

/**
 * The Messages-table item for a posted message of `roomType`. An edit keeps the message's `ts`
 * (Rocket.Chat sends the original one) and gets `editedAt` = `receivedAt`, since the payload does
 * not say when the edit was made.
 */
export function messageFromWebhook(
  payload: Record<string, unknown>,
  roomType: string,
  receivedAt: number,
): SentMessage {
  const parsed = sentMessageSchema.safeParse(payload);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.code}`),
    };
  }
  const message = parsed.data;
  const ts = isoTimestamp(Date.parse(message.timestamp));
  if (ts === undefined) return { ok: false, problems: ['timestamp: out of range'] };
  const edited = message.isEdited === true;
  return {
    ok: true,
    edited,
    item: messageItem({
      _id: message.message_id,
      rid: message.channel_id,
      roomType,
      ts,
      ...(message.tmid ? { tmid: message.tmid } : {}),
      ...(edited ? { editedAt: new Date(receivedAt).toISOString() } : {}),
      u: {
        _id: message.user_id,
        ...(message.user_name === undefined ? {} : { username: message.user_name }),
      },
    }),
  };
}
