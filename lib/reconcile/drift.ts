// Where the counters and the expected counts disagree.
import {
  type Counter,
  type CounterId,
  type CounterUnit,
  counterGroupOf,
  counterId,
  dayOfPeriod,
  parseCounterId,
} from '../counting/changes.js';

export interface CounterReading extends Counter {
  messages: number;
  /**
   * Writes the counter's group (`counterGroupOf`: the item it is stored in) has had; absent when
   * it was never written. Counters of one group are written together, so they share it.
   */
  version?: number;
}

export interface Drift {
  unit: CounterUnit;
  period: string;
  counted: number;
  expected: number;
  /** What to add to the counter: expected − counted. */
  correction: number;
  /** The version of the counter's group when it was read; absent when the group has no item. */
  version?: number;
}

/** The version of every group the readings saw. */
export function groupVersions(
  readings: readonly CounterReading[],
): Map<string, number | undefined> {
  return new Map(readings.map((reading) => [counterGroupOf(reading), reading.version]));
}

/** Days `YYYY-MM-DD` from `from` to `to`, inclusive; a quarter-hour belongs to its day. */
export interface DayRange {
  from: string;
  to: string;
}

export const inRange = (range: DayRange, period: string) =>
  dayOfPeriod(period) >= range.from && dayOfPeriod(period) <= range.to;

export function drifts(
  expected: ReadonlyMap<CounterId, number>,
  counters: readonly CounterReading[],
  range: DayRange,
): Drift[] {
  const found: Drift[] = [];
  const seen = new Set<CounterId>();
  const versions = groupVersions(counters);
  for (const counter of counters) {
    if (!inRange(range, counter.period)) continue;
    const id = counterId(counter);
    seen.add(id);
    const shouldBe = expected.get(id) ?? 0;
    if (shouldBe !== counter.messages) {
      found.push({
        unit: counter.unit,
        period: counter.period,
        counted: counter.messages,
        expected: shouldBe,
        correction: shouldBe - counter.messages,
        ...(counter.version === undefined ? {} : { version: counter.version }),
      });
    }
  }
  for (const [id, shouldBe] of expected) {
    const counter = parseCounterId(id);
    if (seen.has(id) || !inRange(range, counter.period)) continue;
    // Not written yet, but its group may hold other counters: a repair must know that version.
    const version = versions.get(counterGroupOf(counter));
    found.push({
      ...counter,
      counted: 0,
      expected: shouldBe,
      correction: shouldBe,
      ...(version === undefined ? {} : { version }),
    });
  }
  return found.sort((a, b) =>
    a.period === b.period ? a.unit.localeCompare(b.unit) : a.period < b.period ? -1 : 1,
  );
}
