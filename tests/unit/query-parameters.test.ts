// `start` and `end` are accepted exactly when Rocket.Chat's isDateISOString accepts them: Date.parse
// gives an instant whose toISOString() is the string itself.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDateIsoString, parseMessagesSentParameters } from '../../lib/report/query-parameters.js';
import { rocketChatAcceptsDate } from '../helpers/date-arbitraries.js';

const anyInstant = fc
  .integer({ min: -8.64e15, max: 8.64e15 })
  .map((ms) => new Date(ms).toISOString());
/** Near-misses of the form: a character changed, dropped or added somewhere in a real timestamp. */
const nearMiss = fc
  .tuple(
    anyInstant,
    fc.nat(),
    fc.constantFrom('', '0', '9', '+', '-', 'Z', ' ', '.', 'T', ':'),
    fc.nat(2),
  )
  .map(([text, at, character, drop]) => {
    const index = at % (text.length + 1);
    return text.slice(0, index) + character + text.slice(index + drop);
  });

describe("Rocket.Chat's date rule", () => {
  it.each([
    '2023-05-20T00:00:00.000Z',
    '0000-01-01T00:00:00.000Z',
    '9999-12-31T23:59:59.999Z',
    '+010000-01-01T00:00:00.000Z',
    '-000001-06-01T00:00:00.000Z',
    '-271821-04-20T00:00:00.000Z',
    '+275760-09-13T00:00:00.000Z',
  ])('accepts %s', (timestamp) => {
    expect(isDateIsoString(timestamp)).toBe(true);
    const parsed = parseMessagesSentParameters({ start: [timestamp], end: [timestamp] });
    expect(parsed.ok).toBe(true);
  });

  it.each([
    '2023-05-20',
    '2023-05-20T00:00:00Z',
    '2023-02-30T00:00:00.000Z',
    '2023-05-30T00:00:00.000+05:30',
    '10000-01-01T00:00:00.000Z',
    '+009999-12-31T23:59:59.999Z',
    '-000000-01-01T00:00:00.000Z',
    '+275760-09-13T00:00:00.001Z',
    '-271821-04-19T23:59:59.999Z',
    ' 2023-05-20T00:00:00.000Z',
    '',
  ])('refuses %j with a Match error', (timestamp) => {
    expect(isDateIsoString(timestamp)).toBe(false);
    expect(parseMessagesSentParameters({ start: [timestamp], end: [timestamp] })).toMatchObject({
      ok: false,
      error: { message: 'Match error: Failed Match.Where validation in field start' },
    });
  });

  it('agrees with the rule on every instant, near-misses and random text (property)', () => {
    fc.assert(
      fc.property(fc.oneof(anyInstant, nearMiss, fc.string({ maxLength: 40 })), (input) => {
        expect(isDateIsoString(input)).toBe(rocketChatAcceptsDate(input));
      }),
      { numRuns: 20_000 },
    );
  });
});
