// Values in MongoDB Extended JSON v2 as mongoexport writes them, relaxed (its default) or canonical
// (--jsonFormat=canonical). Only what is read from Rocket.Chat's documents is decoded; everything
// else (message text, counters like {"$numberInt":"3"}, …) is never looked at.

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The only key of a wrapper like {"$date": …}, or undefined. */
function wrapped(value: unknown, key: string): unknown {
  if (!isRecord(value)) return undefined;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === key ? value[key] : undefined;
}

// What the Go driver writes for relaxed dates: RFC 3339 in UTC, milliseconds only when not zero.
const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * A BSON date as epoch milliseconds: {"$date":"2024-05-01T12:34:56.789Z"} (relaxed, years
 * 1970–9999) or {"$date":{"$numberLong":"1714566896789"}} (canonical, and relaxed outside those
 * years). Undefined for anything else.
 */
export function dateOf(value: unknown): number | undefined {
  const date = wrapped(value, '$date');
  if (typeof date === 'string') {
    const ms = isoInstant.test(date) ? Date.parse(date) : Number.NaN;
    return Number.isNaN(ms) ? undefined : ms;
  }
  const long = wrapped(date, '$numberLong');
  if (typeof long === 'string' && /^-?\d{1,16}$/.test(long)) {
    const ms = Number(long);
    return Number.isSafeInteger(ms) && !Number.isNaN(new Date(ms).getTime()) ? ms : undefined;
  }
  return undefined;
}

/**
 * A document id: Rocket.Chat's ids are strings; documents some migrations left behind have an
 * ObjectId ({"$oid":"…"}), which becomes its hex text.
 */
export function idOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const oid = wrapped(value, '$oid');
  return typeof oid === 'string' && /^[0-9a-f]{24}$/i.test(oid) ? oid.toLowerCase() : undefined;
}
