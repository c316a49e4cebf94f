// Recounts the Messages table and repairs the counters where they drifted, while the stream keeps
// counting new messages.
//
// Why a repair cannot race the stream into a wrong number:
// - A counter is compared with the count *as of exactly the stream records the counting function
//   has applied* (expected-counts.ts). Records it has not applied yet are left out, because it
//   will still add them; so the difference is drift alone, never work in flight. Which records
//   are applied comes from the shards' applied marks, written in the same transaction as the
//   counters (lib/counting/count-changes.ts): a record is applied exactly when it is at or below
//   its shard's mark, however old it is. Records Lambda gave up lie below the mark too: taking
//   them as applied is what adds them to the counters, which is the repair they need. A mark is
//   keyed by the shard id in Lambda's events, which AWS does not promise to be the Streams API's
//   ShardId: it is placed by the record it names (`throughEventId`), whose eventID is the same
//   in both and unique in the stream.
// - Each round reads the stream up to now, then the counters, then the marks. Every record
//   applied before the counters were read is covered by a mark read after them; a mark that
//   reaches past the stream as read means records arrived in between, and the round starts again.
// - A record applied between reading the counters and reading the marks would be expected but
//   not counted. It changed the counter, though, and every counter write increments `version`:
//   the counters are read once more after the markers, and a counter whose version moved is left
//   for the next round. A repair is also written on the condition that `version` is still the one
//   read, so a write of the stream just before it makes it refused and recomputed, not wrong.
// - The work ends only with a round in which no counter moved and none drifted: the check that the
//   repairs took, on a reading nothing raced.
// - Once written, a repair is an ADD, and so is everything the stream adds after it: they commute.
// - The scan is not a snapshot and need not be: a message changed during the scan has stream
//   records (read after the scan and a pause for the stream to show every change), and its state
//   is taken from them; a message without records in the stream did not change meanwhile.
import {
  type CounterId,
  comesAfter,
  counterGroupOf,
  counterId,
  dayOfPeriod,
  parseCounterId,
} from '../counting/changes.js';
import type { ParsedImage } from '../counting/message.js';
import { type CounterReading, type DayRange, type Drift, drifts, groupVersions } from './drift.js';
import { appliedRecords, expectedCounts, type ShardHistory } from './expected-counts.js';

/** A shard's applied mark as stored (lib/counting/count-changes.ts). */
export interface StoredMark {
  /** The shard's id as Lambda's events named it. */
  shardId: string;
  /** The sequence number applied through. */
  through: string;
  /** The eventID of the record applied through; absent on a mark taken over from a run marker. */
  throughEventId?: string;
}

/** Groups (stored items) repaired in one request: a transaction writes at most 100 items. */
const groupsPerBatch = 100;
const batchesAtOnce = 4;

export interface ReconcilePorts {
  /** Every message sent in the range (or all), by `_id`, read by the message schema. */
  scanMessages(range: DayRange | undefined): Promise<Map<string, ParsedImage>>;
  /** Every record the stream holds, shards in lineage order; reads only what is new each time. */
  catchUpStream(): Promise<ShardHistory[]>;
  /** Every applied mark of the stream `catchUpStream` reads. */
  readMarks(): Promise<StoredMark[]>;
  /**
   * Markers a version before applied marks wrote, by the eventID of a batch's first record:
   * eventID → sequence number applied through.
   */
  readRunMarkers(eventIds: string[]): Promise<Map<string, string>>;
  readCounters(range: DayRange): Promise<CounterReading[]>;
  /** First and last day with a day counter, if any. */
  dayCounterSpan(): Promise<DayRange | undefined>;
  /**
   * Adds each correction if its group's version is still `drift.version`, all corrections of a
   * group in one write; one outcome per drift, in order.
   */
  correct(drifts: readonly Drift[]): Promise<('corrected' | 'changed')[]>;
}

export interface ReconcileOptions {
  range?: DayRange;
  dryRun: boolean;
  countedRoomTypes: ReadonlySet<string>;
  /** Pause after the scan, and between rounds, so the stream shows every change made meanwhile. */
  settleMs?: number;
  sleep?: (ms: number) => Promise<void>;
  maxRounds?: number;
  onRound?: (round: RoundSummary) => void;
}

export interface RoundSummary {
  round: number;
  streamRecords: number;
  drifts: number;
  changedMeanwhile: number;
  corrected: number;
}

export interface ReconcileReport {
  range: DayRange;
  scannedMessages: number;
  streamRecords: number;
  /** Every drift found, as first found. */
  drifts: Drift[];
  corrected: Drift[];
  /** Drifts still there when the rounds ran out (counters kept changing under them). */
  unresolved: Drift[];
  rounds: number;
}

export async function reconcile(
  ports: ReconcilePorts,
  options: ReconcileOptions,
): Promise<ReconcileReport> {
  const maxRounds = options.maxRounds ?? 20;
  const settleMs = options.settleMs ?? 2_000;
  const scanned = await ports.scanMessages(options.range);
  const sleep = options.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  await sleep(settleMs);

  const found = new Map<CounterId, Drift>();
  const corrected: Drift[] = [];

  let range = options.range;
  let streamRecords = 0;
  let remaining: Drift[] = [];

  for (let round = 1; round <= maxRounds; round++) {
    const shards = await ports.catchUpStream();
    streamRecords = shards.reduce((sum, shard) => sum + shard.records.length, 0);
    range ??= await spanOf(scanned, shards, ports, options.countedRoomTypes);
    if (!range) return report({ from: '', to: '' }, round);

    const counters = await ports.readCounters(range);
    const applied = await appliedAsMarked(ports, shards);
    if (applied === 'stream-behind') continue; // records arrived after the stream was read
    const expected = expectedCounts({
      scanned,
      shards,
      isApplied: (record) => applied.has(record.eventId),
      countedRoomTypes: options.countedRoomTypes,
    });

    // Read the counters again: a group (an item of counters written together) that changed since
    // the first reading may hold a record that the marks count as applied but the first reading
    // did not include. Its counters are neither repaired nor taken as settled in this round.
    const before = groupVersions(counters);
    const after = groupVersions(await ports.readCounters(range));
    const changed = new Set<string>();
    for (const [group, version] of before) if (after.get(group) !== version) changed.add(group);
    for (const group of after.keys()) if (!before.has(group)) changed.add(group);
    const roundDrifts = drifts(expected, counters, range);
    const stable = roundDrifts.filter((drift) => !changed.has(counterGroupOf(drift)));
    for (const drift of stable) {
      const id = counterId(drift);
      if (!found.has(id)) found.set(id, drift);
    }
    remaining = roundDrifts;
    let correctedNow = 0;
    if (!options.dryRun) {
      // Each group's repair stands alone (one item, its own condition): they can go out together.
      const batches = batchesOfGroups(stable, groupsPerBatch);
      for (let at = 0; at < batches.length; at += batchesAtOnce) {
        const group = batches.slice(at, at + batchesAtOnce);
        const outcomes = (await Promise.all(group.map((batch) => ports.correct(batch)))).flat();
        const drifted = group.flat();
        outcomes.forEach((outcome, index) => {
          const drift = drifted[index] as Drift;
          if (outcome === 'corrected') {
            corrected.push(drift);
            correctedNow += 1;
          } else {
            changed.add(counterGroupOf(drift));
          }
        });
      }
    }
    options.onRound?.({
      round,
      streamRecords,
      drifts: roundDrifts.length,
      changedMeanwhile: changed.size,
      corrected: correctedNow,
    });
    // Done when a round saw every counter hold still and, when repairing, found nothing left to
    // repair (which is also the check that the repairs took). A round with no drift but a counter
    // that moved proves nothing: the drift may have been hidden by the record that moved it.
    if (changed.size === 0 && (options.dryRun || roundDrifts.length === 0))
      return report(range, round);
    if (changed.size > 0) await sleep(Math.min(settleMs, 200 * round));
  }
  return report(range ?? { from: '', to: '' }, maxRounds, remaining);

  function report(
    reportRange: DayRange,
    rounds: number,
    unresolved: Drift[] = [],
  ): ReconcileReport {
    return {
      range: reportRange,
      scannedMessages: scanned.size,
      streamRecords,
      drifts: [...found.values()],
      corrected,
      unresolved: options.dryRun ? [] : unresolved,
      rounds,
    };
  }
}

/**
 * The records applied as of now, from the shards' applied marks (and, for a shard without one,
 * the markers of a version before them), or 'stream-behind' when the counters may include records
 * this round has not read: a mark names a record this round did not read, or reaches past the last
 * record read of its shard, and reading the stream again finds it, or more. (If it finds nothing,
 * the mark covers only records the stream no longer holds, whose effect the scan already shows.)
 */
async function appliedAsMarked(
  ports: Pick<ReconcilePorts, 'readMarks' | 'readRunMarkers' | 'catchUpStream'>,
  shards: readonly ShardHistory[],
): Promise<Set<string> | 'stream-behind'> {
  const { placed, unplaced } = placeMarks(shards, await ports.readMarks());
  const unmarked = shards.filter(({ shardId }) => !placed.has(shardId));
  const runMarkers = await ports.readRunMarkers(
    unmarked.flatMap(({ records }) => records.map(({ eventId }) => eventId)),
  );
  const beyond = shards.filter(({ shardId, records }) => {
    const last = records.at(-1)?.sequenceNumber;
    const reach = [placed.get(shardId), ...records.map(({ eventId }) => runMarkers.get(eventId))];
    return reach.some((through) => through !== undefined && (!last || comesAfter(through, last)));
  });
  if (unplaced.length > 0 || beyond.length > 0) {
    const readBefore = new Map(beyond.map(({ shardId, records }) => [shardId, records.length]));
    const now = await ports.catchUpStream();
    if (placeMarks(now, unplaced).unplaced.length < unplaced.length) return 'stream-behind';
    const grown = now.some(
      ({ shardId, records }) => records.length > (readBefore.get(shardId) ?? records.length),
    );
    if (grown) return 'stream-behind';
  }
  return appliedRecords(shards, placed, runMarkers);
}

/**
 * The shard each mark is for: the one holding the record it was applied through, or for a mark
 * that names none, the one of its id. A mark not placed was applied through a record these
 * histories do not hold.
 */
export function placeMarks(
  shards: readonly ShardHistory[],
  marks: readonly StoredMark[],
): { placed: Map<string, string>; unplaced: StoredMark[] } {
  const shardOfEvent = new Map<string, string>();
  for (const { shardId, records } of shards) {
    for (const { eventId } of records) shardOfEvent.set(eventId, shardId);
  }
  const shardIds = new Set(shards.map(({ shardId }) => shardId));
  const placed = new Map<string, string>();
  const unplaced: StoredMark[] = [];
  for (const mark of marks) {
    const shardId =
      mark.throughEventId === undefined
        ? shardIds.has(mark.shardId)
          ? mark.shardId
          : undefined
        : shardOfEvent.get(mark.throughEventId);
    if (shardId === undefined) unplaced.push(mark);
    else placed.set(shardId, mark.through);
  }
  return { placed, unplaced };
}

/** The days the messages and the day counters cover, when no range was asked for. */
async function spanOf(
  scanned: ReadonlyMap<string, ParsedImage>,
  shards: readonly ShardHistory[],
  ports: ReconcilePorts,
  countedRoomTypes: ReadonlySet<string>,
): Promise<DayRange | undefined> {
  const everything = expectedCounts({ scanned, shards, isApplied: () => true, countedRoomTypes });
  const days = [...everything.keys()].map((id) => dayOfPeriod(parseCounterId(id).period));
  const counted = await ports.dayCounterSpan();
  if (counted) days.push(counted.from, counted.to);
  const sorted = days.filter(Boolean).sort();
  const [from, to] = [sorted[0], sorted.at(-1)];
  return from && to ? { from, to } : undefined;
}

/** The drifts in batches of at most `size` groups, each group's drifts together. */
function batchesOfGroups(found: readonly Drift[], size: number): Drift[][] {
  const byGroup = new Map<string, Drift[]>();
  for (const drift of found) {
    const group = counterGroupOf(drift);
    byGroup.set(group, [...(byGroup.get(group) ?? []), drift]);
  }
  const groups = [...byGroup.values()];
  const batches: Drift[][] = [];
  for (let at = 0; at < groups.length; at += size) batches.push(groups.slice(at, at + size).flat());
  return batches;
}
