// Groups a batch's changes into chunks, each written as one atomic DynamoDB transaction with the
// deltas summed per counter. A transaction holds at most 100 actions; one is the run marker, so a
// chunk touches at most 99 counters. Chunks keep stream order: each covers a contiguous run of
// changes, which is what lets the run marker say "applied through sequence number N".
import type { CounterDelta, CounterUnit } from './changes.js';

export const maxCountersPerChunk = 99;

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

const counterId = (unit: CounterUnit, period: string) => `${unit} ${period}`;

export function planChunks(
  changes: readonly PlannedChange[],
  maxCounters = maxCountersPerChunk,
): Chunk[] {
  const chunks: Chunk[] = [];
  let sums = new Map<string, CounterDelta>();
  let count = 0;
  let through: string | undefined;

  const close = () => {
    if (through === undefined) return;
    const counters = [...sums.values()].filter((counter) => counter.delta !== 0);
    chunks.push({ through, changes: count, counters });
    sums = new Map();
    count = 0;
    through = undefined;
  };

  for (const change of changes) {
    const ids = change.deltas.map(({ unit, period }) => counterId(unit, period));
    // A change touches at most four counters (two periods of two images), often the same ones.
    const added = ids.filter((id, index) => !sums.has(id) && ids.indexOf(id) === index).length;
    if (sums.size + added > maxCounters) close();
    change.deltas.forEach(({ unit, period, delta }, index) => {
      const id = ids[index] as string;
      const sum = sums.get(id);
      if (sum) sum.delta += delta;
      else sums.set(id, { unit, period, delta });
    });
    count += 1;
    through = change.sequenceNumber;
  }
  close();
  return chunks;
}
