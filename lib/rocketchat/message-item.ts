// A Rocket.Chat message as the Messages table keeps it: the attributes the counting rule reads and
// who sent it, nothing else — never its text. Imports and webhooks both build it here, so the same
// message written by either is the same item, and writing it again changes nothing.

export type MessageItem = {
  _id: string;
  rid: string;
  roomType: string;
  /** ISO text `YYYY-MM-DDTHH:mm:ss.sssZ`. */
  ts: string;
  t?: string;
  tmid?: string;
  _hidden?: boolean;
  editedAt?: string;
  u?: { _id: string; username?: string };
};

/** The item with its attributes in one order, and none that is undefined. */
export function messageItem(fields: MessageItem): MessageItem {
  const item: MessageItem = {
    _id: fields._id,
    rid: fields.rid,
    roomType: fields.roomType,
    ts: fields.ts,
  };
  if (fields.t !== undefined) item.t = fields.t;
  if (fields.tmid !== undefined) item.tmid = fields.tmid;
  if (fields._hidden !== undefined) item._hidden = fields._hidden;
  if (fields.editedAt !== undefined) item.editedAt = fields.editedAt;
  if (fields.u !== undefined) {
    item.u =
      fields.u.username === undefined
        ? { _id: fields.u._id }
        : { _id: fields.u._id, username: fields.u.username };
  }
  return item;
}

/**
 * Epoch milliseconds as the item's ISO text; undefined outside the years 0000–9999, which the
 * text form (and the counting rule) cannot hold.
 */
export function isoTimestamp(ms: number): string | undefined {
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return undefined;
  const text = date.toISOString();
  return text.length === 24 ? text : undefined;
}

/** DynamoDB keys are at most 2,048 bytes; no Rocket.Chat id comes close to this. */
export const maxIdLength = 512;
