// Reconciling against an in-memory world: drift is repaired, work in flight is not, and a write
// that races the reconcile cannot make it repair the wrong way.
import { beforeEach, describe, expect, it } from 'vitest';
import { reconcile } from '../../lib/reconcile/reconcile.js';
import { FakeReconcileWorld } from '../fakes/reconcile-ports.js';

const counted = new Set(['c', 'p', 'd']);
const message = (id: string, ts: string, fields: Record<string, unknown> = {}) => ({
  _id: id,
  rid: 'GENERAL',
  roomType: 'c',
  ts,
  ...fields,
});
let world: FakeReconcileWorld;
const run = (dryRun = false) =>
  reconcile(world, { dryRun, countedRoomTypes: counted, settleMs: 0, sleep: async () => {} });

beforeEach(() => {
  world = new FakeReconcileWorld();
  for (let i = 0; i < 6; i++) {
    world.apply(world.write(`m${i}`, message(`m${i}`, `2024-03-0${1 + (i % 3)}T10:0${i}:00.000Z`)));
  }
});

describe('reconcile', () => {
  it('repairs drift, after reporting it without writing on a dry run', async () => {
    world.add([{ unit: 'day', period: '2024-03-02', delta: 5 }]);
    world.add([{ unit: 'quarter-hour', period: '2024-03-03T10:00', delta: -1 }]);
    const drifted = world.nonZero();

    const dryRun = await run(true);
    expect(world.nonZero()).toEqual(drifted);
    expect(dryRun.drifts.map((drift) => [drift.period, drift.correction])).toEqual([
      ['2024-03-02', -5],
      ['2024-03-03T10:00', 1],
    ]);

    const repaired = await run();
    expect(repaired.corrected).toHaveLength(2);
    expect(world.nonZero()).toEqual(world.recount());
  });

  it('leaves records the counting function has not applied yet to it', async () => {
    world.write('late', message('late', '2024-03-02T23:59:00.000Z'));
    world.write('m1', undefined);

    const report = await run();

    expect(report.drifts).toEqual([]);
    // Once the stream delivers them, the counters equal a recount.
    for (const record of world.shards[0]?.records.slice(6) ?? []) world.apply(record);
    expect(world.nonZero()).toEqual(world.recount());
  });

  it('adds what Lambda gave up: records below the mark that were never applied', async () => {
    world.write('lost', message('lost', '2024-03-01T08:00:00.000Z'));
    world.apply(world.write('after', message('after', '2024-03-01T09:00:00.000Z')));

    const report = await run();

    expect(report.corrected.map((drift) => [drift.period, drift.correction])).toEqual([
      ['2024-03-01', 1],
      ['2024-03-01T08:00', 1],
    ]);
    expect(world.nonZero()).toEqual(world.recount());
  });

  it('is not fooled by a record applied between reading the counters and the marks', async () => {
    world.add([{ unit: 'day', period: '2024-03-03', delta: 1 }]);
    const racing = world.write('racing', message('racing', '2024-03-03T12:00:00.000Z'));
    world.beforeMarksRead = () => world.apply(racing);

    const report = await run();

    expect(report.corrected.map((drift) => [drift.period, drift.correction])).toEqual([
      ['2024-03-03', -1],
    ]);
    expect(world.nonZero()).toEqual(world.recount());
  });

  it('places a mark by the record it names, whatever shard id Lambda used, and rounds again when the record was not read yet', async () => {
    // Lambda's shard id is not the stream's (FakeReconcileWorld.apply); written and applied after
    // the stream was read, the record is found by reading it again.
    world.beforeMarksRead = () => {
      world.apply(world.write('racing', message('racing', '2024-03-03T12:00:00.000Z')));
    };

    const report = await run();

    expect(report.drifts).toEqual([]);
    expect(report.rounds).toBe(2);
    expect(world.nonZero()).toEqual(world.recount());
  });

  it('takes a mark whose record the stream no longer holds as covering nothing it holds', async () => {
    // The stream trimmed the records the mark covers, and holds one written since, not applied.
    const stream = world.shards[0]?.records ?? [];
    stream.splice(0, stream.length);
    world.write('pending', message('pending', '2024-03-02T11:00:00.000Z'));

    const report = await run();

    expect(report.drifts).toEqual([]);
    expect(report.rounds).toBe(1);
  });

  it('places a mark taken over from a run marker, which names no record, by its shard id', async () => {
    const last = world.shards[0]?.records.at(-1)?.sequenceNumber as string;
    world.marks.clear();
    world.marks.set('shard-1', { shardId: 'shard-1', through: last });

    expect((await run(true)).drifts).toEqual([]);
    world.marks.clear();
    world.marks.set('another-shard', { shardId: 'another-shard', through: last });
    // Placed nowhere, it covers nothing read: the counters then hold work in flight.
    expect((await run(true)).drifts.length).toBeGreaterThan(0);
  });

  it('takes the run markers of the version before applied marks for a shard without a mark', async () => {
    world.marks.clear();
    const [first] = world.shards[0]?.records ?? [];
    world.runMarkers.set(
      first?.eventId as string,
      world.shards[0]?.records.at(-1)?.sequenceNumber as string,
    );

    expect((await run(true)).drifts).toEqual([]);
    world.runMarkers.clear();
    // Without them, nothing in the stream is applied, and the counters hold work in flight.
    expect((await run(true)).drifts.length).toBeGreaterThan(0);
  });
});
