import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CounterDelta, effectOfChange } from '../../lib/counting/changes.js';
import { messageImageSchema, parseMessageImage } from '../../lib/counting/message.js';
import { toMessageChange } from '../../lib/lambda/stream-records.js';

const counted = new Set(['c', 'p', 'd']);
const message = (fields: Record<string, unknown> = {}) => ({
  _id: 'm1',
  rid: 'GENERAL',
  roomType: 'c',
  ts: '2023-05-30T13:47:12.345Z',
  msg: 'hello',
  u: { _id: 'u1', username: 'alice' },
  ...fields,
});
const at = (ts: string, delta: number): CounterDelta[] => [
  { unit: 'day', period: ts.slice(0, 10), delta },
  { unit: 'quarter-hour', period: quarterHour(ts), delta },
];
function quarterHour(ts: string): string {
  const minutes = Math.floor(Number(ts.slice(14, 16)) / 15) * 15;
  return `${ts.slice(0, 14)}${String(minutes).padStart(2, '0')}`;
}
const change = (oldImage: unknown, newImage: unknown) => ({
  oldImage: parseMessageImage(oldImage),
  newImage: parseMessageImage(newImage),
});
const deltasOf = (oldImage: unknown, newImage: unknown) =>
  effectOfChange(change(oldImage, newImage), counted).deltas;

describe('the counting rule: counts(NewImage) − counts(OldImage)', () => {
  const ts = '2023-05-30T13:47:12.345Z';
  it.each([
    ['an insert counts once', undefined, message(), at(ts, 1)],
    ['an insert in a private room counts', undefined, message({ roomType: 'p' }), at(ts, 1)],
    ['an insert in a direct room counts', undefined, message({ roomType: 'd' }), at(ts, 1)],
    ['a thread reply counts', undefined, message({ tmid: 'parent' }), at(ts, 1)],
    ['a livechat message never counts', undefined, message({ roomType: 'l' }), []],
    ['a voip message never counts', undefined, message({ roomType: 'v' }), []],
    ['a system message never counts', undefined, message({ t: 'uj' }), []],
    ['a hidden copy kept as edit history never counts', undefined, message({ _hidden: true }), []],
    [
      'an edit changes nothing',
      message(),
      message({ msg: 'edited', editedAt: '2023-05-30T14:00:00.000Z' }),
      [...at(ts, -1), ...at(ts, 1)],
    ],
    ['a hard delete subtracts on the day it was sent', message(), undefined, at(ts, -1)],
    ['a soft delete (t: rm) subtracts', message(), message({ t: 'rm', msg: '' }), at(ts, -1)],
    ['hiding a message subtracts', message(), message({ _hidden: true }), at(ts, -1)],
    [
      'a changed ts moves the message between days',
      message(),
      message({ ts: '2023-06-01T00:00:00.000Z' }),
      [...at(ts, -1), ...at('2023-06-01T00:00:00.000Z', 1)],
    ],
    ['deleting a system message changes nothing', message({ t: 'uj' }), undefined, []],
    [
      'a malformed image counts as nothing, so fixing it counts the message',
      message({ ts: 'yesterday' }),
      message(),
      at(ts, 1),
    ],
  ])('%s', (_name, oldImage, newImage, expected) => {
    expect(deltasOf(oldImage, newImage)).toEqual(expected);
  });

  it.each([
    ['2023-05-30T23:59:59.999Z', '2023-05-30', '2023-05-30T23:45'],
    ['2023-05-31T00:00:00.000Z', '2023-05-31', '2023-05-31T00:00'],
    ['2023-05-31T00:14:59.999Z', '2023-05-31', '2023-05-31T00:00'],
    ['2023-05-31T00:15:00.000Z', '2023-05-31', '2023-05-31T00:15'],
    ['2024-02-29T12:00:00.000Z', '2024-02-29', '2024-02-29T12:00'],
    ['2024-12-31T23:59:59.999Z', '2024-12-31', '2024-12-31T23:45'],
  ])('a message sent at %s counts on day %s, quarter-hour %s', (sentAt, day, quarter) => {
    expect(deltasOf(undefined, message({ ts: sentAt }))).toEqual([
      { unit: 'day', period: day, delta: 1 },
      { unit: 'quarter-hour', period: quarter, delta: 1 },
    ]);
  });

  it.each([
    ['a missing ts', { ts: undefined }, ['ts: invalid_type']],
    ['an impossible date', { ts: '2023-02-29T00:00:00.000Z' }, ['ts: invalid_format']],
    ['a ts without milliseconds', { ts: '2023-05-30T13:47:12Z' }, ['ts: invalid_format']],
    ['a numeric ts', { ts: 1685454432345 }, ['ts: invalid_type']],
    ['a string _hidden', { _hidden: 'true' }, ['_hidden: invalid_type']],
    ['a numeric t', { t: 5 }, ['t: invalid_type']],
    ['a missing roomType', { roomType: undefined }, ['roomType: invalid_type']],
  ])('an image with %s is skipped and reported without its content', (_name, fields, problems) => {
    const effect = effectOfChange(change(undefined, message(fields)), counted);
    expect(effect).toEqual({ deltas: [], malformed: [{ image: 'new', problems }] });
  });

  it('reports stream images that are not attribute maps at all', () => {
    const record = toMessageChange({
      eventID: 'e',
      dynamodb: { SequenceNumber: '1', OldImage: 'not a map' as never },
    });
    expect(record && effectOfChange(record, counted).malformed).toEqual([
      { image: 'old', problems: ['image: not an attribute map'] },
    ]);
  });

  it('counts only the configured room types', () => {
    const onlyChannels = effectOfChange(
      change(undefined, message({ roomType: 'd' })),
      new Set(['c']),
    );
    expect(onlyChannels.deltas).toEqual([]);
  });
});

describe('reading images', () => {
  // The reader recognises well-formed images without zod; it must read every image as the schema
  // does, or the counters would drift from a recount by the schema.
  const digits = (length: number) =>
    fc
      .array(fc.constantFrom(...'0123456789'), { minLength: length, maxLength: length })
      .map((d) => d.join(''));
  const timestampShaped = fc
    .tuple(digits(4), digits(2), digits(2), digits(2), digits(2), digits(2), digits(3))
    .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);
  const realTimestamp = fc
    .date({
      min: new Date('0000-01-01T00:00:00.000Z'),
      max: new Date('9999-12-31T23:59:59.999Z'),
      noInvalidDate: true,
    })
    .map((date) => date.toISOString());
  const field = fc.oneof(
    fc.constant(undefined),
    fc.string(),
    fc.constant(''),
    fc.boolean(),
    fc.integer(),
    timestampShaped,
    realTimestamp,
  );

  it('reads every image exactly as the message schema does (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          _id: field,
          rid: field,
          roomType: field,
          ts: fc.oneof(timestampShaped, realTimestamp, field),
          t: field,
          tmid: field,
          _hidden: field,
        }),
        (fields) => {
          const image = Object.fromEntries(
            Object.entries(fields).filter(([, v]) => v !== undefined),
          );
          const byReader = parseMessageImage(image).kind;
          const bySchema = messageImageSchema.safeParse(image).success ? 'message' : 'malformed';
          expect(byReader).toBe(bySchema);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it.each([
    '2023-02-29T10:00:00.000Z',
    '2024-02-30T10:00:00.000Z',
    '2023-04-31T10:00:00.000Z',
    '2023-05-30T24:00:00.000Z',
    '2023-05-30T23:60:00.000Z',
    '2023-05-30T23:59:60.000Z',
    '2023-13-01T00:00:00.000Z',
    '2023-00-10T00:00:00.000Z',
  ])('refuses %s, which names no real instant', (ts) => {
    expect(parseMessageImage(message({ ts })).kind).toBe('malformed');
  });
});
