// Groups a batch's changes into chunks, each written as one atomic DynamoDB transaction with the
// deltas summed per counter. A transaction holds at most 100 writes; one moves the shard's applied
// mark, so a chunk touches at most 99 counter groups (`counterGroupOf`: a day's total, or a day's
// quarter-hours). Chunks keep stream order: each covers a contiguous run of changes, which is what
// lets the mark say "applied through sequence number N".
import { type CounterDelta, type CounterId, counterGroupOf, counterId } from './changes.js';

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
  let sums = new Map<CounterId, CounterDelta>();
  let groups = new Set<string>();
  let included: C[] = [];

  const close = () => {
    const last = included.at(-1);
    if (!last) return;
    const counters = [...sums.values()].filter((counter) => counter.delta !== 0);
    chunks.push({ through: last.sequenceNumber, changes: included, counters });
    sums = new Map();
    groups = new Set();
    included = [];
  };

  for (const change of changes) {
    // A change touches at most four counters (two periods of two images), often the same ones.
    const touched = new Set(change.deltas.map(counterGroupOf));
    const added = [...touched].filter((group) => !groups.has(group)).length;
    if (groups.size + added > maxGroups) close();
    for (const group of touched) groups.add(group);
    for (const { unit, period, delta } of change.deltas) {
      const id = counterId({ unit, period });
      const sum = sums.get(id);
      if (sum) sum.delta += delta;
      else sums.set(id, { unit, period, delta });
    }
    included.push(change);
  }
  close();
  return chunks;
}
