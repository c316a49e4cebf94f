// An in-memory Messages table, stream and Counters table for reconciling without DynamoDB: the
// counting function is played by `apply`, which does what it does (deltas and the shard's mark,
// every group written counted in its version).
import {
  type CounterId,
  counterGroupOf,
  counterId,
  effectOfChange,
  type MessageChange,
  parseCounterId,
} from '../../lib/counting/changes.js';
import { absentImage, type ParsedImage, parseMessageImage } from '../../lib/counting/message.js';
import type { CounterReading, DayRange, Drift } from '../../lib/reconcile/drift.js';
import type { ShardHistory } from '../../lib/reconcile/expected-counts.js';
import type { ReconcilePorts, StoredMark } from '../../lib/reconcile/reconcile.js';

const counted = new Set(['c', 'p', 'd']);

export class FakeReconcileWorld implements ReconcilePorts {
  readonly messages = new Map<string, ParsedImage>();
  readonly shards: ShardHistory[] = [{ shardId: 'shard-1', records: [] }];
  /** Marks by the shard id of Lambda's events, which need not be the stream's own. */
  readonly marks = new Map<string, StoredMark>();
  readonly runMarkers = new Map<string, string>();
  readonly counters = new Map<CounterId, number>();
  readonly versions = new Map<string, number>();
  private sequence = 100;
  /** Runs once, the next time the marks are read (to play a write that races the reconcile). */
  beforeMarksRead: (() => void) | undefined;

  /** Writes a message (or deletes it, with `undefined`), as the chat backend would. */
  write(id: string, item: Record<string, unknown> | undefined): MessageChange {
    const record: MessageChange = {
      eventId: `e${this.sequence}`,
      sequenceNumber: String(this.sequence++),
      messageId: id,
      oldImage: this.messages.get(id) ?? absentImage,
      newImage: item ? parseMessageImage(item) : absentImage,
    };
    if (item) this.messages.set(id, record.newImage);
    else this.messages.delete(id);
    this.shards[0]?.records.push(record);
    return record;
  }

  /** The counting function applying a record: its deltas and the shard's mark, at once. */
  apply(record: MessageChange): void {
    this.add(effectOfChange(record, counted).deltas.map((d) => ({ ...d, delta: d.delta })));
    const shardId = 'shard-1 as Lambda names it';
    this.marks.set(shardId, {
      shardId,
      through: record.sequenceNumber,
      throughEventId: record.eventId,
    });
  }

  /** Adds to counters the way any write does: each group written counts one more version. */
  add(changes: { unit: 'day' | 'quarter-hour'; period: string; delta: number }[]): void {
    const groups = new Set<string>();
    for (const change of changes) {
      const id = counterId(change);
      this.counters.set(id, (this.counters.get(id) ?? 0) + change.delta);
      groups.add(counterGroupOf(change));
    }
    for (const group of groups) this.versions.set(group, (this.versions.get(group) ?? 0) + 1);
  }

  /** Non-zero counters. */
  nonZero(): Record<string, number> {
    return Object.fromEntries([...this.counters].filter(([, value]) => value !== 0));
  }

  /** What the counters must be: a recount of the messages. */
  recount(): Record<string, number> {
    const expected = new FakeReconcileWorld();
    for (const image of this.messages.values()) {
      expected.add(effectOfChange({ oldImage: absentImage, newImage: image }, counted).deltas);
    }
    return expected.nonZero();
  }

  async scanMessages(): Promise<Map<string, ParsedImage>> {
    return new Map(this.messages);
  }

  async catchUpStream(): Promise<ShardHistory[]> {
    return this.shards.map(({ shardId, records }) => ({ shardId, records: [...records] }));
  }

  async readMarks(): Promise<StoredMark[]> {
    const race = this.beforeMarksRead;
    this.beforeMarksRead = undefined;
    race?.();
    return [...this.marks.values()];
  }

  async readRunMarkers(eventIds: string[]): Promise<Map<string, string>> {
    return new Map(
      eventIds.flatMap((id) =>
        this.runMarkers.has(id) ? [[id, this.runMarkers.get(id) as string]] : [],
      ),
    );
  }

  async readCounters(range: DayRange): Promise<CounterReading[]> {
    return [...this.counters]
      .map(([id, messages]) => ({ ...parseCounterId(id), messages }))
      .filter(({ period }) => period.slice(0, 10) >= range.from && period.slice(0, 10) <= range.to)
      .map((reading) => {
        const version = this.versions.get(counterGroupOf(reading));
        return version === undefined ? reading : { ...reading, version };
      });
  }

  async dayCounterSpan(): Promise<DayRange | undefined> {
    const days = [...this.counters.keys()]
      .map(parseCounterId)
      .filter(({ unit }) => unit === 'day')
      .map(({ period }) => period)
      .sort();
    return days.length > 0 ? { from: days[0] as string, to: days.at(-1) as string } : undefined;
  }

  async correct(drifts: readonly Drift[]): Promise<('corrected' | 'changed')[]> {
    const byGroup = new Map<string, Drift[]>();
    for (const drift of drifts) {
      byGroup.set(counterGroupOf(drift), [...(byGroup.get(counterGroupOf(drift)) ?? []), drift]);
    }
    const outcome = new Map<string, 'corrected' | 'changed'>();
    for (const [group, groupDrifts] of byGroup) {
      if (this.versions.get(group) !== groupDrifts[0]?.version) {
        outcome.set(group, 'changed');
        continue;
      }
      this.add(groupDrifts.map((drift) => ({ ...drift, delta: drift.correction })));
      outcome.set(group, 'corrected');
    }
    return drifts.map((drift) => outcome.get(counterGroupOf(drift)) ?? 'changed');
  }
}
