// Applies one delivery of a stream shard's records to the counters exactly once, however Lambda
// delivers them.
//
// Every shard has an *applied mark*: the sequence number through which its records are counted.
// It moves only forward, and only in the same transaction as the counter deltas of the records it
// passes, on the condition that it still says what it said when read. That keeps one invariant:
// the records of the shard at or below the mark have been applied once, none above it ever has.
//
// Why any delivery the event source mapping can make is then counted exactly once:
// - Lambda starts every delivery at its checkpoint for the shard and hands over consecutive
//   records from there, any number of them. It checkpoints only past records this function
//   reported done, and those are at or below the mark; so a delivery is some records at or below
//   the mark (skipped, whatever their number: shorter, equal or longer than any earlier delivery),
//   then records above it (applied in sequence order, moving the mark).
// - Redelivered records may come out of order: the delivery is sorted (and de-duplicated) first.
// - A request applied whose response is lost is repeated by the SDK with the same
//   ClientRequestToken, a no-op; any later repeat fails the mark's condition, and the mark is read
//   again. The same condition serialises two invocations of one shard (a timed-out one finishing).
// - On failure the first record above the mark is reported, so Lambda's next checkpoint is at or
//   below the mark again.
// - Records Lambda gives up (retries exhausted, too old) are never applied: the mark passes them
//   with the next delivery. They are missing, never counted twice; `counters reconcile` adds them.
//
// It needs the shard's identity, which Lambda puts in the event only with a tumbling window
// (TumblingWindowInSeconds on the mapping), and one batch per shard at a time
// (ParallelizationFactor 1): with several, records of one shard interleave across batches.
import {
  compareSequenceNumbers,
  effectOfChange,
  type MalformedImage,
  type MessageChange,
} from './changes.js';
import { type Chunk, type PlannedChange, planChunks } from './plan.js';

/** A shard of one stream: shard ids are unique within a stream, the stream ARN names the stream. */
export interface ShardRef {
  streamArn: string;
  shardId: string;
}

export type ChunkOutcome = 'applied' | 'mark-moved' | 'conflict';

/** Where counters and applied marks live (implemented over DynamoDB in lib/store). */
export interface CounterLedger {
  /**
   * The shard's applied mark. `firstEventId`, the delivery's first record, lets a ledger that
   * once kept marks per delivery (before marks per shard) answer for a delivery it applied then.
   */
  appliedThrough(shard: ShardRef, firstEventId: string): Promise<string | undefined>;
  /**
   * Adds the chunk's deltas and moves the mark from `previous` to `chunk.through`, all or nothing.
   * 'mark-moved': the mark no longer says `previous`. 'conflict': another transaction held one of
   * the items; nothing was written.
   */
  applyChunk(shard: ShardRef, previous: string | undefined, chunk: Chunk): Promise<ChunkOutcome>;
}

export interface MalformedRecord {
  eventId: string;
  sequenceNumber: string;
  messageId?: string;
  image: 'old' | 'new';
  problems: string[];
}

export interface CountingStats {
  records: number;
  /** Records at or below the mark when the delivery came: an earlier delivery applied them. */
  alreadyApplied: number;
  applied: number;
  messagesAdded: number;
  messagesRemoved: number;
  transactions: number;
  conflictsRetried: number;
  /** Every record of the delivery had been applied before (it ended at or below the mark). */
  insideAppliedRange: boolean;
  /** The records did not come in ascending sequence-number order (or one came twice). */
  outOfOrder: boolean;
}

export interface CountingResult {
  /** Sequence number Lambda must retry from; absent when the whole delivery is applied. */
  retryFrom?: string;
  /** What made the delivery fail, for the log. */
  failure?: unknown;
  /** The shard's applied mark as this invocation last knew it. */
  appliedThrough?: string;
  stats: CountingStats;
  malformed: MalformedRecord[];
}

export interface ShardDelivery {
  shard: ShardRef;
  changes: readonly MessageChange[];
  /**
   * A mark this function reported earlier (handed back by Lambda in the tumbling window's state).
   * The mark only moves forward, so it is a safe lower bound: it saves reading the mark, and a
   * stale one only costs a condition failure and a read.
   */
  knownMark?: string | undefined;
}

export interface CountingOptions {
  countedRoomTypes: ReadonlySet<string>;
  maxConflictRetries?: number;
  /** How often to read the mark again after finding it moved, before giving up the delivery. */
  maxMarkRereads?: number;
  sleep?: (ms: number) => Promise<void>;
}

interface Planned extends PlannedChange {
  change: MessageChange;
  malformed: MalformedImage[];
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function countChanges(
  delivery: ShardDelivery,
  ledger: CounterLedger,
  options: CountingOptions,
): Promise<CountingResult> {
  const { shard } = delivery;
  const ascending = isAscending(delivery.changes);
  // Deliveries usually come in order; those that do not are sorted, not trusted.
  const ordered = ascending ? delivery.changes : inSequenceOrder(delivery.changes);
  const stats: CountingStats = {
    records: delivery.changes.length,
    alreadyApplied: 0,
    applied: 0,
    messagesAdded: 0,
    messagesRemoved: 0,
    transactions: 0,
    conflictsRetried: 0,
    insideAppliedRange: false,
    outOfOrder: !ascending,
  };
  const [first] = ordered;
  if (!first) {
    return { stats, malformed: [], ...markField(delivery.knownMark) };
  }
  const planned: Planned[] = ordered.map((change) => {
    const { deltas, malformed } = effectOfChange(change, options.countedRoomTypes);
    const { sequenceNumber, eventId } = change;
    return { sequenceNumber, eventId, deltas, change, malformed };
  });

  let mark = delivery.knownMark;
  // In sequence order, the records at or below the mark come first: the rest are pending.
  const pendingFrom = () => {
    const at = planned.findIndex(({ sequenceNumber }) => isAbove(sequenceNumber, mark));
    return at < 0 ? planned.length : at;
  };
  const fail = (failure: unknown, malformed: MalformedRecord[] = []): CountingResult => {
    const next = planned[pendingFrom()] ?? first;
    return { retryFrom: next.sequenceNumber, failure, stats, malformed, ...markField(mark) };
  };
  const readMark = async () => {
    mark = await ledger.appliedThrough(shard, first.eventId);
  };

  if (mark === undefined) {
    try {
      await readMark();
    } catch (error) {
      return fail(error);
    }
  }
  stats.alreadyApplied = pendingFrom();
  stats.insideAppliedRange = stats.alreadyApplied === planned.length;
  const malformed = planned.slice(stats.alreadyApplied).flatMap(({ change, malformed }) =>
    malformed.map(({ image, problems }) => ({
      eventId: change.eventId,
      sequenceNumber: change.sequenceNumber,
      ...(change.messageId === undefined ? {} : { messageId: change.messageId }),
      image,
      problems,
    })),
  );

  const maxRereads = options.maxMarkRereads ?? 3;
  for (let reread = 0; ; reread++) {
    const outcome = await applyPending(planned.slice(pendingFrom()));
    if (outcome.kind === 'done') return { stats, malformed, ...markField(mark) };
    if (outcome.kind === 'failed') return fail(outcome.error, malformed);
    // Another invocation (or a repeat of our own request) moved the mark: read how far, go on.
    if (reread >= maxRereads) {
      return fail(new Error('the applied mark kept moving under this delivery'), malformed);
    }
    try {
      await readMark();
    } catch (error) {
      return fail(error, malformed);
    }
  }

  async function applyPending(
    pending: Planned[],
  ): Promise<{ kind: 'done' } | { kind: 'mark-moved' } | { kind: 'failed'; error: unknown }> {
    for (const chunk of planChunks(pending)) {
      // A chunk whose changes cancel out (edits, system messages…) needs no write: the mark moves
      // past it with the next chunk, and a delivery that applies it again changes nothing.
      if (chunk.counters.length > 0) {
        let outcome: ChunkOutcome;
        try {
          outcome = await applyWithConflictRetries(chunk, mark);
        } catch (error) {
          return { kind: 'failed', error };
        }
        if (outcome === 'mark-moved') return { kind: 'mark-moved' };
        if (outcome === 'conflict') {
          return { kind: 'failed', error: new Error('transaction conflicts persisted') };
        }
        mark = chunk.through;
        stats.transactions += 1;
      }
      stats.applied += chunk.changes.length;
      for (const { deltas } of chunk.changes) {
        for (const { unit, delta } of deltas) {
          if (unit !== 'day') continue;
          if (delta > 0) stats.messagesAdded += delta;
          else stats.messagesRemoved -= delta;
        }
      }
    }
    return { kind: 'done' };
  }

  async function applyWithConflictRetries(
    chunk: Chunk,
    previous: string | undefined,
  ): Promise<ChunkOutcome> {
    const maxRetries = options.maxConflictRetries ?? 5;
    const sleep = options.sleep ?? defaultSleep;
    for (let attempt = 0; ; attempt++) {
      const outcome = await ledger.applyChunk(shard, previous, chunk);
      if (outcome !== 'conflict' || attempt >= maxRetries) return outcome;
      stats.conflictsRetried += 1;
      // Full jitter: concurrent shards that collided on a counter should not collide again.
      await sleep(Math.random() * 25 * 2 ** attempt);
    }
  }
}

const markField = (mark: string | undefined) =>
  mark === undefined ? {} : { appliedThrough: mark };

const isAbove = (sequenceNumber: string, mark: string | undefined) =>
  mark === undefined || compareSequenceNumbers(sequenceNumber, mark) > 0;

/** The records in ascending sequence-number order, each once. */
function inSequenceOrder(changes: readonly MessageChange[]): MessageChange[] {
  const sorted = [...changes].sort((a, b) =>
    compareSequenceNumbers(a.sequenceNumber, b.sequenceNumber),
  );
  return sorted.filter(
    (change, index) => index === 0 || sorted[index - 1]?.sequenceNumber !== change.sequenceNumber,
  );
}

function isAscending(changes: readonly MessageChange[]): boolean {
  return changes.every((change, index) => {
    const previous = changes[index - 1];
    return !previous || compareSequenceNumbers(previous.sequenceNumber, change.sequenceNumber) < 0;
  });
}
