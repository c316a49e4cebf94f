// What the counters should say, as of exactly the stream records the counting function has
// applied: each message's state is its scanned image, or — if the stream holds records of it —
// the image its last applied record left (or the one before its first record, if none is
// applied yet). Records not applied yet are left out: the counting function will add them.
import {
  type CounterId,
  comesAfter,
  countedDeltas,
  counterId,
  type MessageChange,
} from '../counting/changes.js';
import type { ParsedImage } from '../counting/message.js';

/** One shard's records in stream order; shards come parents first. */
export interface ShardHistory {
  shardId: string;
  records: MessageChange[];
}

/**
 * The records the counting function has applied: in a shard with an applied mark, every record at
 * or below it. A shard without one may have been counted by a version before applied marks, under
 * markers keyed by the eventID of a batch's first record (`runMarkers`: eventID → sequence number
 * applied through), each covering its record and those after it in the shard up to its number.
 */
export function appliedRecords(
  shards: readonly ShardHistory[],
  marks: ReadonlyMap<string, string>,
  runMarkers: ReadonlyMap<string, string> = new Map(),
): Set<string> {
  const applied = new Set<string>();
  for (const { shardId, records } of shards) {
    const mark = marks.get(shardId);
    let coveredThrough = mark;
    for (const record of records) {
      const through = mark === undefined ? runMarkers.get(record.eventId) : undefined;
      if (
        through !== undefined &&
        (coveredThrough === undefined || comesAfter(through, coveredThrough))
      ) {
        coveredThrough = through;
      }
      if (coveredThrough !== undefined && !comesAfter(record.sequenceNumber, coveredThrough)) {
        applied.add(record.eventId);
      }
    }
  }
  return applied;
}

export interface ExpectedCountsInput {
  /** Message images from a scan of the Messages table, by `_id`. */
  scanned: ReadonlyMap<string, ParsedImage>;
  shards: readonly ShardHistory[];
  /** Records the counting function has applied. */
  isApplied: (record: MessageChange) => boolean;
  countedRoomTypes: ReadonlySet<string>;
}

/** Expected messages per counter (`counterId`), zero counts left out. */
export function expectedCounts(input: ExpectedCountsInput): Map<CounterId, number> {
  const history = new Map<string, MessageChange[]>();
  for (const { records } of input.shards) {
    for (const record of records) {
      if (record.messageId === undefined) continue;
      const list = history.get(record.messageId) ?? [];
      list.push(record);
      history.set(record.messageId, list);
    }
  }

  const counts = new Map<CounterId, number>();
  const count = (image: ParsedImage | undefined) => {
    if (!image) return;
    for (const delta of countedDeltas(image, input.countedRoomTypes)) {
      const id = counterId(delta);
      counts.set(id, (counts.get(id) ?? 0) + delta.delta);
    }
  };

  for (const [id, image] of input.scanned) {
    if (!history.has(id)) count(image);
  }
  for (const records of history.values()) {
    const lastApplied = records.findLastIndex((record) => input.isApplied(record));
    count(lastApplied >= 0 ? records[lastApplied]?.newImage : records[0]?.oldImage);
  }
  for (const [id, value] of counts) if (value === 0) counts.delete(id);
  return counts;
}
