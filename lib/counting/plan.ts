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

export interface Chunk {
  /** Sequence number of the chunk's last change. */
  through: string;
  changes: number;
  /** Net deltas per counter; counters whose changes cancel out are left out. */
  counters: CounterDelta[];
}

export function planChunks(
  changes: readonly PlannedChange[],
  maxGroups = maxGroupsPerChunk,
): Chunk[] {
  const chunks: Chunk[] = [];
  let sums = new Map<CounterId, CounterDelta>();
  let groups = new Set<string>();
  let count = 0;
  let through: string | undefined;

  const close = () => {
    if (through === undefined) return;
    const counters = [...sums.values()].filter((counter) => counter.delta !== 0);
    chunks.push({ through, changes: count, counters });
    sums = new Map();
    groups = new Set();
    count = 0;
    through = undefined;
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
    count += 1;
    through = change.sequenceNumber;
  }
  close();
  return chunks;
}
