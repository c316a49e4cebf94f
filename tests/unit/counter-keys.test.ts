// The quarter-hours item's text, both ways, and what happens to one that cannot be read.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quarterHoursItem, quarterHoursOf } from '../../lib/store/counter-keys.js';

describe("a day's quarter-hours item", () => {
  it('reads back the counts it was written with (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -5, max: 1_000_000 }), { minLength: 96, maxLength: 96 }),
        fc.option(fc.nat(), { nil: undefined }),
        (counts, version) => {
          const item = quarterHoursItem(
            '2023-05-30',
            version === undefined ? { counts } : { counts, version },
          );
          expect(quarterHoursOf(item)).toEqual({ counts, version: (version ?? 0) + 1 });
          expect(Buffer.byteLength(String(item.quarters))).toBeLessThan(1024);
        },
      ),
    );
  });

  it('keeps a quiet day short: zeros left empty, trailing ones out', () => {
    const counts = new Array<number>(96).fill(0);
    counts[1] = 3;
    counts[3] = 1;
    expect(quarterHoursItem('2023-05-30', { counts }).quarters).toBe(',3,,1');
  });

  it.each([
    ['a number', 5],
    ['a word among the counts', '1,two,3'],
    ['a fraction', '1,2.5'],
    ['more than 96 counts', new Array(97).fill('1').join(',')],
  ])('refuses, naming the item, quarters that are %s', (_name, quarters) => {
    expect(() => quarterHoursOf({ pk: 'quarter-hours', sk: '2023-05-30', quarters })).toThrow(
      'the quarter-hours item of 2023-05-30 cannot be read',
    );
  });
});
