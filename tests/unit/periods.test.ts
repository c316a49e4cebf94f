import { describe, expect, it } from 'vitest';
import { instantOf, monthsBetween, periodsOfTimestamp, quarterHourOf } from '../../lib/periods.js';

describe('UTC periods', () => {
  it('lists the months a range touches, across a year end', () => {
    expect(monthsBetween('2023-11-30', '2024-02-01T00:00')).toEqual([
      '2023-11',
      '2023-12',
      '2024-01',
      '2024-02',
    ]);
    expect(monthsBetween('2024-05-01', '2024-05-31')).toEqual(['2024-05']);
    expect(monthsBetween('2024-06-01', '2024-05-31')).toEqual([]);
  });

  it('lists the months of the first and last years a message can be sent in', () => {
    expect(monthsBetween('0000-01-01T00:00', '0000-02-29')).toEqual(['0000-01', '0000-02']);
    // The month after 9999-12 would be named 10000-01, which sorts before it as text.
    expect(monthsBetween('9999-12-30T15:00', '9999-12-31T23:45')).toEqual(['9999-12']);
  });

  it('names quarter-hours the same from an instant and from a timestamp text', () => {
    for (const ts of [
      '2024-02-29T23:59:59.999Z',
      '2024-03-01T00:00:00.000Z',
      '2024-03-01T00:44:59.999Z',
    ]) {
      expect(periodsOfTimestamp(ts).quarterHour).toBe(quarterHourOf(Date.parse(ts)));
      expect(instantOf(periodsOfTimestamp(ts).quarterHour)).toBeLessThanOrEqual(Date.parse(ts));
    }
  });
});
