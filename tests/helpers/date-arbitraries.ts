// Random `start`, `end` and `timezone` values over the whole range a Date can hold (years −271821
// to 275760), weighted towards where day arithmetic breaks: the ends of years 0000–9999 and of the
// range itself, windows short enough to be answered, and zones spelled every which way.
import fc from 'fast-check';

const dayMs = 86_400_000;
export const earliestMs = -8.64e15;
export const latestMs = 8.64e15;
const clamp = (ms: number) => Math.min(latestMs, Math.max(earliestMs, ms));
const edges = [
  earliestMs,
  Date.parse('0000-01-01T00:00:00.000Z'),
  Date.parse('+010000-01-01T00:00:00.000Z'),
  latestMs,
];

const nearEdge = (reachMs: number) =>
  fc
    .tuple(fc.constantFrom(...edges), fc.integer({ min: -reachMs, max: reachMs }))
    .map(([edge, offset]) => clamp(edge + offset));

/** Any instant, half of them within two years of an edge, a quarter within three days. */
export const instant = fc.oneof(
  fc.integer({ min: earliestMs, max: latestMs }),
  nearEdge(730 * dayMs),
  nearEdge(3 * dayMs),
  nearEdge(3 * dayMs),
);

/** Rocket.Chat's isDateISOString, the oracle the service is held to. */
export function rocketChatAcceptsDate(input: string): boolean {
  const timestamp = Date.parse(input);
  return !Number.isNaN(timestamp) && new Date(timestamp).toISOString() === input;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Strings Rocket.Chat's date rule refuses, most of them close to one it accepts. */
const notTimestamp = fc.oneof(
  fc
    .tuple(instant, fc.nat(), fc.constantFrom('', '0', '+', '-', 'Z', ' ', 'T'), fc.nat(2))
    .map(([ms, at, character, drop]) => {
      const text = iso(ms);
      const index = at % (text.length + 1);
      return text.slice(0, index) + character + text.slice(index + drop);
    }),
  fc.constantFrom(
    '10000-01-01T00:00:00.000Z',
    '+009999-12-31T00:00:00.000Z',
    '-000000-01-01T00:00:00.000Z',
    '+275760-09-13T00:00:00.001Z',
    '2023-02-29T00:00:00.000Z',
    '1e309',
    '',
  ),
  fc.string({ maxLength: 30 }),
);

/** A start and an end: mostly a window of up to 400 days either way, sometimes any two. */
export const startAndEnd = fc.oneof(
  {
    arbitrary: fc
      .tuple(instant, fc.integer({ min: -3 * dayMs, max: 400 * dayMs }))
      .map(([start, length]) => ({ start: iso(start), end: iso(clamp(start + length)) })),
    weight: 6,
  },
  { arbitrary: fc.record({ start: instant.map(iso), end: instant.map(iso) }), weight: 1 },
  {
    arbitrary: fc.record({
      start: fc.oneof(instant.map(iso), notTimestamp),
      end: fc.oneof(instant.map(iso), notTimestamp),
    }),
    weight: 1,
  },
);

const zones = [
  'UTC',
  'Etc/UTC',
  'Asia/Tokyo',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'America/Sao_Paulo',
  'America/St_Johns',
  'Australia/Lord_Howe',
  'Pacific/Kiritimati',
  'Pacific/Apia',
  'Etc/GMT+12',
  'Europe/London',
];

/** A zone name, in any letter case, or something that is not one. */
export const timezone = fc.oneof(
  fc.constantFrom(...zones),
  fc
    .tuple(fc.constantFrom(...zones), fc.array(fc.boolean(), { minLength: 24, maxLength: 24 }))
    .map(([zone, upper]) =>
      [...zone].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(''),
    ),
  fc.constantFrom('+05:30', 'Mars/Olympus_Mons', 'UTC,Asia/Tokyo', '', 'A/'.repeat(40)),
  fc.string({ maxLength: 20 }),
);

/** Query parameters of a messages-sent request, `timezone` given or not. */
export const messagesSentQuery = fc
  .tuple(startAndEnd, fc.option(timezone, { nil: undefined }))
  .map(([window, zone]) => (zone === undefined ? window : { ...window, timezone: zone }));
