// rocketchat_room documents → each room's type, which messages take as their roomType.
import { idOf } from './extended-json.js';
import { accepted, type Mapped, rejected } from './mapped.js';
import { maxIdLength } from './message-item.js';

export interface ExportedRoom {
  rid: string;
  /** `c` public, `p` private, `d` direct, `l` livechat, `v` voip, … */
  type: string;
}

export function roomFromExport(document: Record<string, unknown>): Mapped<ExportedRoom> {
  const rid = idOf(document._id);
  if (!rid || rid.length > maxIdLength) return rejected('_id is missing or not an id');
  const { t } = document;
  if (typeof t !== 'string' || !/^[a-z]{1,16}$/.test(t)) {
    return rejected('t is not a room type like c, p, d or l');
  }
  return accepted({ rid, type: t });
}
