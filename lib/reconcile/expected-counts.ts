// What the counters should say, as of exactly the stream records the counting function has
// applied: each message's state is its scanned image, or — if the stream holds records of it —
// the image its last applied record left (or the one before its first record, if none is
// applied yet). Records not applied yet are left out: the counting function will add them.
import {
  type CounterUnit,
  comesAfter,
  effectOfChange,
  type MessageChange,
} from '../counting/changes.js';

/** One shard's records in stream order; shards come parents first. */
export interface ShardHistory {
  shardId: string;
  records: MessageChange[];
}

export const counterId = (unit: CounterUnit, period: string) => `${unit} ${period}`;

/**
 * The records the counting function has applied, found from its run markers (eventID of a batch's
 * first record → sequence number it is applied through). A marker covers its record and those
 * after it in the same shard up to its sequence number.
 */
export function appliedRecords(
  shards: readonly ShardHistory[],
  markers: ReadonlyMap<string, string>,
): Set<string> {
  const applied = new Set<string>();
  for (const { records } of shards) {
    let coveredThrough: string | undefined;
    for (const record of records) {
      const through = markers.get(record.eventId);
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
  scanned: ReadonlyMap<string, unknown>;
  shards: readonly ShardHistory[];
  /** Records to take as applied: applied by the counting function, or too old to ever be. */
  isApplied: (record: MessageChange) => boolean;
  countedRoomTypes: ReadonlySet<string>;
}

/** Expected messages per counter (`counterId`), zero counts left out. */
export function expectedCounts(input: ExpectedCountsInput): Map<string, number> {
  const history = new Map<string, MessageChange[]>();
  for (const { records } of input.shards) {
    for (const record of records) {
      if (record.messageId === undefined) continue;
      const list = history.get(record.messageId) ?? [];
      list.push(record);
      history.set(record.messageId, list);
    }
  }

  const counts = new Map<string, number>();
  const count = (image: unknown) => {
    const { deltas } = effectOfChange(
      { eventId: 'expected', sequenceNumber: '0', newImage: image },
      input.countedRoomTypes,
    );
    for (const { unit, period, delta } of deltas) {
      const id = counterId(unit, period);
      counts.set(id, (counts.get(id) ?? 0) + delta);
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
