import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CounterDelta, counterGroupOf } from '../../lib/counting/changes.js';
import { planChunks } from '../../lib/counting/plan.js';

const day = (period: string, delta: number): CounterDelta => ({ unit: 'day', period, delta });

describe('planning a batch into transactions', () => {
  it('sums deltas per counter and drops counters that cancel out', () => {
    const chunks = planChunks([
      { sequenceNumber: '10', eventId: 'e10', deltas: [day('2023-05-30', 1)] },
      {
        sequenceNumber: '11',
        eventId: 'e11',
        deltas: [day('2023-05-30', 1), day('2023-05-29', 1)],
      },
      { sequenceNumber: '12', eventId: 'e12', deltas: [day('2023-05-29', -1)] },
    ]);
    expect(
      chunks.map(({ through, changes, counters }) => [through, changes.length, counters]),
    ).toEqual([['12', 3, [day('2023-05-30', 2)]]]);
  });

  it('keeps a day and its 96 quarter-hours to two of the 99 writes of a transaction', () => {
    const changes = Array.from({ length: 96 * 3 }, (_, index) => ({
      sequenceNumber: String(index + 1),
      eventId: `e${index + 1}`,
      deltas: [
        day('2023-05-30', 1),
        {
          unit: 'quarter-hour' as const,
          period: new Date(Date.UTC(2023, 4, 30) + (index % 96) * 900_000)
            .toISOString()
            .slice(0, 16),
          delta: 1,
        },
      ],
    }));
    const [chunk, ...more] = planChunks(changes);
    expect(more).toEqual([]);
    expect(chunk?.counters).toHaveLength(97);
    expect(new Set(chunk?.counters.map(counterGroupOf))).toEqual(
      new Set(['day 2023-05-30', 'quarter-hours 2023-05-30']),
    );
  });

  it('starts a new chunk before a change that would take it past 99 counters', () => {
    const changes = Array.from({ length: 120 }, (_, index) => ({
      sequenceNumber: String(index + 1),
      eventId: `e${index + 1}`,
      deltas: [day(`d${String(index).padStart(3, '0')}`, 1)],
    }));
    const chunks = planChunks(changes);
    expect(
      chunks.map((chunk) => [chunk.through, chunk.changes.length, chunk.counters.length]),
    ).toEqual([
      ['99', 99, 99],
      ['120', 21, 21],
    ]);
  });

  it('writes a batch of 1,000 messages of one day as one transaction', () => {
    const changes = Array.from({ length: 1000 }, (_, index) => ({
      sequenceNumber: String(index + 1),
      eventId: `e${index + 1}`,
      deltas: [
        day('2023-05-30', 1),
        {
          unit: 'quarter-hour' as const,
          period: `2023-05-30T${String(index % 24).padStart(2, '0')}:00`,
          delta: 1,
        },
      ],
    }));
    expect(planChunks(changes)).toHaveLength(1);
  });

  it('keeps stream order, loses no delta and makes no more chunks than needed (property)', () => {
    const change = fc.array(
      fc.record({
        unit: fc.constantFrom('day' as const, 'quarter-hour' as const),
        period: fc.integer({ min: 0, max: 150 }).map(String),
        delta: fc.constantFrom(1, -1),
      }),
      { maxLength: 4 },
    );
    fc.assert(
      fc.property(
        fc.array(change, { maxLength: 300 }),
        fc.integer({ min: 4, max: 99 }),
        (deltaLists, max) => {
          const changes = deltaLists.map((deltas, index) => ({
            sequenceNumber: String(index),
            eventId: `e${index}`,
            deltas,
          }));
          const chunks = planChunks(changes, max);
          const net = (list: CounterDelta[]) => {
            const sums = new Map<string, number>();
            for (const { unit, period, delta } of list) {
              const id = `${unit} ${period}`;
              sums.set(id, (sums.get(id) ?? 0) + delta);
            }
            return [...sums].filter(([, sum]) => sum !== 0).sort();
          };
          // Every change once, in stream order, each chunk a run of consecutive changes.
          expect(chunks.flatMap((chunk) => chunk.changes)).toEqual(changes);
          for (const chunk of chunks) {
            expect(new Set(chunk.counters.map(counterGroupOf)).size).toBeLessThanOrEqual(max);
            const included = chunk.changes;
            expect(chunk.through).toBe(included.at(-1)?.sequenceNumber);
            expect(chunk.throughEventId).toBe(included.at(-1)?.eventId);
            expect(net(chunk.counters)).toEqual(net(included.flatMap((c) => c.deltas)));
          }
          // And no more chunks than needed: one ends only where its next change would take it
          // past the limit.
          for (const [index, chunk] of chunks.entries()) {
            const next = chunks[index + 1]?.changes[0];
            if (!next) continue;
            const touched = [...chunk.changes, next].flatMap((c) => c.deltas).map(counterGroupOf);
            expect(new Set(touched).size).toBeGreaterThan(max);
          }
        },
      ),
    );
  });
});
