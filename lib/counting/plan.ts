// Groups a batch's changes into chunks, each written as one atomic DynamoDB transaction with the
// deltas summed per counter. A transaction holds at most 100 writes; one moves the shard's applied
// mark, so a chunk touches at most 99 counter groups (`counterGroupOf`: a day's total, or a day's
// quarter-hours). Chunks keep stream order: each covers a contiguous run of changes, which is what
// lets the mark say "applied through sequence number N".
import type { CounterDelta } from './changes.js';

export const maxGroupsPerChunk = 99;

export interface PlannedChange {
  sequenceNumber: string;
  deltas: CounterDelta[];
}

export interface Chunk<C extends PlannedChange = PlannedChange> {
  /** Sequence number of the chunk's last change. */
  through: string;
  /** The changes the chunk applies, in stream order. */
  changes: C[];
  /** Net deltas per counter; counters whose changes cancel out are left out. */
  counters: CounterDelta[];
}

export function planChunks<C extends PlannedChange>(
  changes: readonly C[],
  maxGroups = maxGroupsPerChunk,
): Chunk<C>[] {
  const chunks: Chunk<C>[] = [];
  // Net deltas by period, one map per unit; and the groups the chunk writes (`counterGroupOf`):
  // a day total per day, a quarter-hours item per day. Run for every record of every batch, so
  // kept to lookups by the period text the records carry, without building ids for them.
  let days = new Map<string, number>();
  let quarterHours = new Map<string, number>();
  let quarterHourDays = new Set<string>();
  let included: C[] = [];

  const close = () => {
    const last = included.at(-1);
    if (!last) return;
    const counters: CounterDelta[] = [];
    for (const [period, delta] of days)
      if (delta !== 0) counters.push({ unit: 'day', period, delta });
    for (const [period, delta] of quarterHours) {
      if (delta !== 0) counters.push({ unit: 'quarter-hour', period, delta });
    }
    chunks.push({ through: last.sequenceNumber, changes: included, counters });
    days = new Map();
    quarterHours = new Map();
    quarterHourDays = new Set();
    included = [];
  };

  for (const change of changes) {
    // A change touches at most four counters (two periods of two images), often the same ones.
    let added = 0;
    const newDays: string[] = [];
    for (const { unit, period } of change.deltas) {
      const day = unit === 'day' ? period : period.slice(0, 10);
      const known = unit === 'day' ? days.has(day) : quarterHourDays.has(day);
      const group = unit === 'day' ? day : `quarters ${day}`;
      if (known || newDays.includes(group)) continue;
      newDays.push(group);
      added++;
    }
    if (days.size + quarterHourDays.size + added > maxGroups) close();
    for (const { unit, period, delta } of change.deltas) {
      if (unit === 'day') {
        days.set(period, (days.get(period) ?? 0) + delta);
      } else {
        quarterHours.set(period, (quarterHours.get(period) ?? 0) + delta);
        quarterHourDays.add(period.slice(0, 10));
      }
    }
    included.push(change);
  }
  close();
  return chunks;
}
