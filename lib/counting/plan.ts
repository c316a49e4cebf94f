// Groups a batch's changes into chunks, each written as one atomic DynamoDB transaction with the
// deltas summed per counter. A transaction holds at most 100 writes; one moves the shard's applied
// mark, so a chunk touches at most 99 counter groups (`counterGroupOf`: a day's total, or a day's
// quarter-hours). Chunks keep stream order: each covers a contiguous run of changes, which is what
// lets the mark say "applied through sequence number N".
import { type CounterDelta, type CounterUnit, counterGroupOf, dayOfPeriod } from './changes.js';

export const maxGroupsPerChunk = 99;

export interface PlannedChange {
  sequenceNumber: string;
  eventId: string;
  deltas: CounterDelta[];
}

export interface Chunk<C extends PlannedChange = PlannedChange> {
  /** Sequence number of the chunk's last change. */
  through: string;
  /** The eventID of the chunk's last change: unique in the stream, as the Streams API shows it. */
  throughEventId: string;
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
  // Net deltas per period, and the groups written (`counterGroupOf`: one per unit and UTC day)
  // as the days seen per unit. This runs for every record of every batch: it looks up the period
  // text the records carry rather than build an id for each.
  let sums = perUnit(() => new Map<string, number>());
  let groupDays = perUnit(() => new Set<string>());
  let included: C[] = [];

  const close = () => {
    const last = included.at(-1);
    if (!last) return;
    const counters: CounterDelta[] = [];
    for (const unit of units) {
      for (const [period, delta] of sums[unit]) {
        if (delta !== 0) counters.push({ unit, period, delta });
      }
    }
    chunks.push({
      through: last.sequenceNumber,
      throughEventId: last.eventId,
      changes: included,
      counters,
    });
    sums = perUnit(() => new Map());
    groupDays = perUnit(() => new Set());
    included = [];
  };

  const groupCount = () => groupDays.day.size + groupDays['quarter-hour'].size;
  // The groups a change would add to the chunk: as many as its deltas at most (two periods of two
  // images), often fewer, since a change's counters share days.
  const newGroups = (deltas: readonly CounterDelta[]) => {
    const added = new Set<string>();
    for (const counter of deltas) {
      if (!groupDays[counter.unit].has(dayOfPeriod(counter.period))) {
        added.add(counterGroupOf(counter));
      }
    }
    return added.size;
  };

  for (const change of changes) {
    const { deltas } = change;
    // Counted exactly only near the limit, where it decides.
    if (groupCount() + deltas.length > maxGroups && groupCount() + newGroups(deltas) > maxGroups) {
      close();
    }
    for (const { unit, period, delta } of deltas) {
      sums[unit].set(period, (sums[unit].get(period) ?? 0) + delta);
      groupDays[unit].add(dayOfPeriod(period));
    }
    included.push(change);
  }
  close();
  return chunks;
}

const units: readonly CounterUnit[] = ['day', 'quarter-hour'];

const perUnit = <T>(make: () => T): Record<CounterUnit, T> => ({
  day: make(),
  'quarter-hour': make(),
});
