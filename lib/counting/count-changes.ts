// Applies a stream batch to the counters exactly once, however often Lambda delivers it.
//
// Lambda hands over a shard's records in order and, with bisection off (see serverless.yml),
// every delivery starts either where the previous one ended or at the same first record as a
// delivery that failed, possibly with more records after it. So a batch is identified by its
// first record: a *run marker* keyed by that record's eventID says through which sequence number
// the batch has been applied. Every chunk of the batch is written in one transaction that adds
// its counter deltas *and* moves the marker, on the condition that the marker still says what it
// said when we read it. A redelivered batch reads the marker and skips what it covers; a request
// the SDK repeats after a lost response is a no-op thanks to the transaction's ClientRequestToken,
// and the marker condition catches any repeat that token does not.
//
// On any failure we report the batch's *first* record as the one to retry from: Lambda then
// redelivers from there, and the marker tells the retry where to resume. Reporting a later record
// would start a new run whose marker knows nothing of a transaction still in flight for the old
// one, so that is never safe.
import { type ChangeEffect, comesAfter, effectOfChange, type MessageChange } from './changes.js';
import { type Chunk, planChunks } from './plan.js';

export type ChunkOutcome = 'applied' | 'run-moved' | 'conflict';

/** Where counters and run markers live (implemented over DynamoDB in lib/store). */
export interface CounterLedger {
  /** Sequence number through which the run starting at `runId` is applied, if it ever was. */
  appliedThrough(runId: string): Promise<string | undefined>;
  /**
   * Adds the chunk's deltas and moves the run marker from `previous` to `chunk.through`, all or
   * nothing. 'run-moved': the marker no longer says `previous`. 'conflict': another transaction
   * held one of the items; nothing was written.
   */
  applyChunk(runId: string, previous: string | undefined, chunk: Chunk): Promise<ChunkOutcome>;
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
  alreadyApplied: number;
  applied: number;
  messagesAdded: number;
  messagesRemoved: number;
  transactions: number;
  conflictsRetried: number;
  /** Every record of the batch had been applied by an earlier delivery. */
  redelivered: boolean;
  /**
   * The batch ended before the sequence number its run marker reached: a delivery shorter than
   * an earlier one from the same record, which Lambda is not expected to make.
   */
  endedInsideAppliedRun: boolean;
}

export interface CountingResult {
  /** Sequence number Lambda must retry from; absent when the whole batch is applied. */
  retryFrom?: string;
  /** What made the batch fail, for the log. */
  failure?: unknown;
  stats: CountingStats;
  malformed: MalformedRecord[];
}

export interface CountingOptions {
  countedRoomTypes: ReadonlySet<string>;
  maxConflictRetries?: number;
  /** How often to re-read the marker after finding it moved before giving up on the batch. */
  maxRunRestarts?: number;
  sleep?: (ms: number) => Promise<void>;
}

export class OutOfOrderBatchError extends Error {
  constructor(at: number) {
    super(`stream records must come in ascending sequence-number order; record ${at} does not`);
    this.name = 'OutOfOrderBatchError';
  }
}

interface Planned {
  change: MessageChange;
  effect: ChangeEffect;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function countChanges(
  changes: readonly MessageChange[],
  ledger: CounterLedger,
  options: CountingOptions,
): Promise<CountingResult> {
  const stats: CountingStats = {
    records: changes.length,
    alreadyApplied: 0,
    applied: 0,
    messagesAdded: 0,
    messagesRemoved: 0,
    transactions: 0,
    conflictsRetried: 0,
    redelivered: false,
    endedInsideAppliedRun: false,
  };
  const [first] = changes;
  const last = changes.at(-1);
  if (!first || !last) return { stats, malformed: [] };
  changes.forEach((change, index) => {
    const previous = changes[index - 1];
    if (previous && !comesAfter(change.sequenceNumber, previous.sequenceNumber)) {
      throw new OutOfOrderBatchError(index);
    }
  });

  const runId = first.eventId;
  const fail = (failure: unknown, malformed: MalformedRecord[] = []): CountingResult => ({
    retryFrom: first.sequenceNumber,
    failure,
    stats,
    malformed,
  });

  let marker: string | undefined;
  try {
    marker = await ledger.appliedThrough(runId);
  } catch (error) {
    return fail(error);
  }
  const planned: Planned[] = changes.map((change) => ({
    change,
    effect: effectOfChange(change, options.countedRoomTypes),
  }));
  const initiallyPending = pendingAfter(planned, marker);
  stats.alreadyApplied = planned.length - initiallyPending.length;
  stats.redelivered = initiallyPending.length === 0;
  stats.endedInsideAppliedRun = marker !== undefined && comesAfter(marker, last.sequenceNumber);
  const malformed = initiallyPending.flatMap(({ change, effect }) =>
    effect.malformed.map(({ image, problems }) => ({
      eventId: change.eventId,
      sequenceNumber: change.sequenceNumber,
      ...(change.messageId === undefined ? {} : { messageId: change.messageId }),
      image,
      problems,
    })),
  );

  const maxRestarts = options.maxRunRestarts ?? 3;
  for (let restart = 0; ; restart++) {
    const outcome = await applyPending(pendingAfter(planned, marker), marker);
    if (outcome.kind === 'done') return { stats, malformed };
    if (outcome.kind === 'failed') return fail(outcome.error, malformed);
    // Another delivery of this batch moved the marker; find out how far, then go on from there.
    if (restart >= maxRestarts) {
      return fail(new Error('the run marker kept moving under this batch'), malformed);
    }
    try {
      marker = await ledger.appliedThrough(runId);
    } catch (error) {
      return fail(error, malformed);
    }
  }

  async function applyPending(
    pending: Planned[],
    previousMarker: string | undefined,
  ): Promise<{ kind: 'done' } | { kind: 'run-moved' } | { kind: 'failed'; error: unknown }> {
    let current = previousMarker;
    let offset = 0;
    const chunks = planChunks(
      pending.map(({ change, effect }) => ({
        sequenceNumber: change.sequenceNumber,
        deltas: effect.deltas,
      })),
    );
    for (const chunk of chunks) {
      const included = pending.slice(offset, offset + chunk.changes);
      offset += chunk.changes;
      // A chunk whose changes cancel out (edits, system messages…) needs no write: the marker
      // written with the next chunk covers it, and a retry that redoes it changes nothing.
      if (chunk.counters.length > 0) {
        let outcome: ChunkOutcome;
        try {
          outcome = await applyWithConflictRetries(chunk, current);
        } catch (error) {
          return { kind: 'failed', error };
        }
        if (outcome === 'run-moved') return { kind: 'run-moved' };
        if (outcome === 'conflict') {
          return { kind: 'failed', error: new Error('transaction conflicts persisted') };
        }
        current = chunk.through;
        stats.transactions += 1;
      }
      stats.applied += included.length;
      for (const { effect } of included) {
        for (const { unit, delta } of effect.deltas) {
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
      const outcome = await ledger.applyChunk(runId, previous, chunk);
      if (outcome !== 'conflict' || attempt >= maxRetries) return outcome;
      stats.conflictsRetried += 1;
      // Full jitter: concurrent shards that collided on a counter should not collide again.
      await sleep(Math.random() * 25 * 2 ** attempt);
    }
  }
}

function pendingAfter(planned: Planned[], marker: string | undefined): Planned[] {
  return marker === undefined
    ? planned
    : planned.filter(({ change }) => comesAfter(change.sequenceNumber, marker));
}
