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
    const newCounters = new Set(
      change.deltas.map((d) => counterId(d.unit, d.period)).filter((id) => !sums.has(id)),
    );
    if (sums.size + newCounters.size > maxCounters) close();
    for (const { unit, period, delta } of change.deltas) {
      const id = counterId(unit, period);
      const sum = sums.get(id) ?? { unit, period, delta: 0 };
      sum.delta += delta;
      sums.set(id, sum);
    }
    count += 1;
    through = change.sequenceNumber;
  }
  close();
  return chunks;
}
