// Where the counters and the expected counts disagree.
import type { CounterUnit } from '../counting/changes.js';
import { counterId } from './expected-counts.js';

export interface CounterReading {
  unit: CounterUnit;
  period: string;
  messages: number;
  /** Writes the counter has had; absent when it was never written. */
  version?: number;
}

export interface Drift {
  unit: CounterUnit;
  period: string;
  counted: number;
  expected: number;
  /** What to add to the counter: expected − counted. */
  correction: number;
  version?: number;
}

/** Days `YYYY-MM-DD` from `from` to `to`, inclusive; a quarter-hour belongs to its day. */
export interface DayRange {
  from: string;
  to: string;
}

export const inRange = (range: DayRange, period: string) =>
  period.slice(0, 10) >= range.from && period.slice(0, 10) <= range.to;

export function drifts(
  expected: ReadonlyMap<string, number>,
  counters: readonly CounterReading[],
  range: DayRange,
): Drift[] {
  const found: Drift[] = [];
  const seen = new Set<string>();
  for (const counter of counters) {
    if (!inRange(range, counter.period)) continue;
    const id = counterId(counter.unit, counter.period);
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
    const [unit, period] = id.split(' ') as [CounterUnit, string];
    if (seen.has(id) || !inRange(range, period)) continue;
    found.push({ unit, period, counted: 0, expected: shouldBe, correction: shouldBe });
  }
  return found.sort((a, b) =>
    a.period === b.period ? a.unit.localeCompare(b.unit) : a.period < b.period ? -1 : 1,
  );
}
