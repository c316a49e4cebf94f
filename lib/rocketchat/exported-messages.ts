// rocketchat_message documents → Messages-table items (lib/rocketchat/message-item.ts): the room's
// type from rocketchat_room, the dates as ISO text, and nothing of the text or attachments.
import { dateOf, idOf, isRecord } from './extended-json.js';
import { accepted, type Mapped, quoted, rejected } from './mapped.js';
import { isoTimestamp, type MessageItem, maxIdLength, messageItem } from './message-item.js';

/** A room's type (`c`, `p`, `d`, `l`, `v`, …) by its id; undefined for a room not exported. */
export type RoomTypes = (rid: string) => string | undefined;

// Absent and null are the same to Rocket.Chat's code, which tests these fields for truthiness.
const given = (value: unknown) => value !== undefined && value !== null;

export function messageFromExport(
  document: Record<string, unknown>,
  roomTypeOf: RoomTypes,
): Mapped<MessageItem> {
  const id = idOf(document._id);
  if (!id || id.length > maxIdLength) return rejected('_id is missing or not an id');
  const rid = idOf(document.rid);
  if (!rid || rid.length > maxIdLength) return rejected('rid is missing or not an id');
  const roomType = roomTypeOf(rid);
  if (roomType === undefined) return rejected(`its room ${quoted(rid)} is not in the rooms file`);

  const sent = dateOf(document.ts);
  if (sent === undefined) return rejected('ts is missing or not a date');
  const ts = isoTimestamp(sent);
  if (ts === undefined) return rejected('ts is outside the years 0000-9999');

  const { t, tmid, _hidden: hidden } = document;
  if (given(t) && typeof t !== 'string') return rejected('t is not a string');
  if (given(tmid) && typeof tmid !== 'string') return rejected('tmid is not a string');
  if (given(hidden) && typeof hidden !== 'boolean') return rejected('_hidden is not true or false');
  let editedAt: string | undefined;
  if (given(document.editedAt)) {
    const edited = dateOf(document.editedAt);
    editedAt = edited === undefined ? undefined : isoTimestamp(edited);
    if (editedAt === undefined) return rejected('editedAt is not a date');
  }

  const sender = isRecord(document.u) ? document.u : {};
  return accepted(
    messageItem({
      _id: id,
      rid,
      roomType,
      ts,
      ...(typeof t === 'string' ? { t } : {}),
      ...(typeof tmid === 'string' ? { tmid } : {}),
      ...(typeof hidden === 'boolean' ? { _hidden: hidden } : {}),
      ...(editedAt === undefined ? {} : { editedAt }),
      ...(typeof sender._id === 'string'
        ? {
            u: {
              _id: sender._id,
              ...(typeof sender.username === 'string' ? { username: sender.username } : {}),
            },
          }
        : {}),
    }),
  );
}
