// The exactly-once rule on its own, against an in-memory ledger that can lose responses: any
// delivery the event source mapping can make, in milliseconds and thousands of times.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareSequenceNumbers, type MessageChange } from '../../lib/counting/changes.js';
import {
  type ChunkOutcome,
  type CounterLedger,
  countChanges,
  type ShardRef,
} from '../../lib/counting/count-changes.js';
import { absentImage, parseMessageImage } from '../../lib/counting/message.js';
import type { Chunk } from '../../lib/counting/plan.js';

const counted = new Set(['c', 'p', 'd']);
const shard: ShardRef = { streamArn: 'arn:stream', shardId: 'shardId-1' };

/** Counters and marks in memory; `lose` makes a write apply but answer with an error. */
class MemoryLedger implements CounterLedger {
  readonly counters = new Map<string, number>();
  readonly marks = new Map<string, string>();
  lose = () => false;
  fail = () => false;

  async appliedThrough(of: ShardRef): Promise<string | undefined> {
    if (this.fail()) throw new Error('read failed');
    return this.marks.get(of.shardId);
  }

  async applyChunk(
    of: ShardRef,
    previous: string | undefined,
    chunk: Chunk,
  ): Promise<ChunkOutcome> {
    if (this.fail()) throw new Error('write failed before it was applied');
    if (this.marks.get(of.shardId) !== previous) return 'mark-moved';
    this.marks.set(of.shardId, chunk.through);
    for (const { unit, period, delta } of chunk.counters) {
      const key = `${unit} ${period}`;
      this.counters.set(key, (this.counters.get(key) ?? 0) + delta);
    }
    if (this.lose()) throw new Error('applied, but the response was lost');
    return 'applied';
  }

  /** Non-zero day counters. */
  days(): Record<string, number> {
    return Object.fromEntries(
      [...this.counters].filter(([key, value]) => key.startsWith('day') && value !== 0),
    );
  }
}

/** Message `m<index>` sent on day `day` of May 2023: an insert. */
function insert(index: number, day: number): MessageChange {
  return {
    eventId: `e${index}`,
    sequenceNumber: String(100 + index).padStart(21, '0'),
    messageId: `m${index}`,
    oldImage: absentImage,
    newImage: parseMessageImage({
      _id: `m${index}`,
      rid: 'GENERAL',
      roomType: 'c',
      ts: `2023-05-${String(day).padStart(2, '0')}T10:00:00.000Z`,
    }),
  };
}

const deliver = (ledger: CounterLedger, changes: MessageChange[], knownMark?: string) =>
  countChanges({ shard, changes, knownMark }, ledger, {
    countedRoomTypes: counted,
    sleep: async () => {},
  });

describe('sequence numbers', () => {
  it('are ordered as the numbers they are, padded or not, of any length (property)', () => {
    const sequenceNumber = fc
      .tuple(fc.bigInt({ min: 0n, max: 10n ** 40n - 1n }), fc.integer({ min: 0, max: 40 }))
      .map(([value, width]) => String(value).padStart(width, '0'));
    fc.assert(
      fc.property(sequenceNumber, sequenceNumber, (a, b) => {
        const difference = BigInt(a) - BigInt(b);
        expect(Math.sign(compareSequenceNumbers(a, b))).toBe(
          difference === 0n ? 0 : difference < 0n ? -1 : 1,
        );
      }),
      { numRuns: 5000 },
    );
    expect(compareSequenceNumbers('000000000000000000063', '63')).toBe(0);
    expect(compareSequenceNumbers('0', '000')).toBe(0);
    expect(compareSequenceNumbers('99', '100')).toBe(-1);
  });
});

describe('applying a delivery exactly once', () => {
  it('skips what the mark covers, whatever the length of the delivery', async () => {
    const ledger = new MemoryLedger();
    const changes = Array.from({ length: 10 }, (_, i) => insert(i, 20 + (i % 2)));
    await deliver(ledger, changes);
    const shorter = await deliver(ledger, changes.slice(0, 3));
    const longer = await deliver(ledger, [...changes, insert(10, 22)]);

    expect(shorter.stats).toMatchObject({
      alreadyApplied: 3,
      applied: 0,
      insideAppliedRange: true,
    });
    expect(longer.stats).toMatchObject({
      alreadyApplied: 10,
      applied: 1,
      insideAppliedRange: false,
    });
    expect(ledger.days()).toEqual({
      'day 2023-05-20': 5,
      'day 2023-05-21': 5,
      'day 2023-05-22': 1,
    });
  });

  it('reports the first record above the mark when a write fails, and the mark it reached', async () => {
    const ledger = new MemoryLedger();
    // 120 counters in one delivery: two transactions; the second fails.
    const changes = Array.from({ length: 120 }, (_, i) => ({
      ...insert(i, 1),
      newImage: parseMessageImage({
        _id: `m${i}`,
        rid: 'GENERAL',
        roomType: 'c',
        ts: new Date(Date.UTC(2023, 0, 1 + i)).toISOString(),
      }),
    }));
    let writes = 0;
    ledger.fail = () => ++writes === 3;
    const result = await deliver(ledger, changes);
    // Each change touches a day and a quarter-hour: the first chunk holds 49 changes (98 counters).
    expect(result.retryFrom).toBe(changes[49]?.sequenceNumber);
    expect(result.appliedThrough).toBe(changes[48]?.sequenceNumber);
  });

  it('trusts a mark from the window state only as far as the ledger agrees', async () => {
    const ledger = new MemoryLedger();
    const changes = Array.from({ length: 6 }, (_, i) => insert(i, 3));
    await deliver(ledger, changes.slice(0, 4));
    // A stale state (an older mark) costs a condition failure and a read, nothing more.
    const result = await deliver(ledger, changes, changes[1]?.sequenceNumber);
    expect(result.retryFrom).toBeUndefined();
    expect(result.appliedThrough).toBe(changes[5]?.sequenceNumber);
    expect(ledger.days()).toEqual({ 'day 2023-05-03': 6 });
  });

  it('equals a recount after any deliveries from the checkpoint with lost responses (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 28 }), { minLength: 1, maxLength: 150 }),
        fc.array(
          fc.record({
            size: fc.integer({ min: 1, max: 60 }),
            loseResult: fc.boolean(),
            shuffle: fc.boolean(),
            knowsMark: fc.boolean(),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        fc.array(fc.constantFrom('pass', 'pass', 'pass', 'lose', 'fail'), {
          minLength: 1,
          maxLength: 9,
        }),
        async (days, steps, faults) => {
          const ledger = new MemoryLedger();
          // Faults and lost results for a while, then a network and a Lambda that behave: every
          // history can end, and must end exact.
          let requests = 0;
          const next = () => (requests < 300 ? faults[requests++ % faults.length] : 'pass');
          let armed: string | undefined;
          // Each request draws its fault once: a failure before it is applied, or a lost answer.
          ledger.fail = () => {
            armed = next();
            return armed === 'fail';
          };
          ledger.lose = () => armed === 'lose';
          const changes = days.map((day, index) => insert(index, day));
          let checkpoint = 0;
          let state: string | undefined;
          for (let invocation = 0; checkpoint < changes.length; invocation++) {
            expect(invocation).toBeLessThan(500 + 2 * changes.length);
            const step = steps[invocation % steps.length] as (typeof steps)[number];
            const batch = changes.slice(checkpoint, checkpoint + step.size);
            const delivered = step.shuffle ? [...batch].reverse() : batch;
            const result = await deliver(ledger, delivered, step.knowsMark ? state : undefined);
            if (step.loseResult && invocation < 100) continue;
            state = result.appliedThrough;
            const at = result.retryFrom
              ? batch.findIndex((change) => change.sequenceNumber === result.retryFrom)
              : batch.length;
            expect(at).toBeGreaterThanOrEqual(0);
            checkpoint += at;
          }
          const expected: Record<string, number> = {};
          for (const day of days) {
            const key = `day 2023-05-${String(day).padStart(2, '0')}`;
            expected[key] = (expected[key] ?? 0) + 1;
          }
          expect(ledger.days()).toEqual(expected);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
