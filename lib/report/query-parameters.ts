// Validation of `start` and `end`, with Rocket.Chat's rule and error texts.
// zod/mini, imported whole as a namespace: esbuild keeps only what is used (the classic API,
// imported as `{ z }`, would add 450 KB to each function bundle).
import * as z from 'zod/mini';
import { failedValidation, invalidParams, missingKey, type RequestError } from './errors.js';

// The longest string toISOString() writes: a signed six-digit year, `+275760-09-13T00:00:00.000Z`.
const longestIsoString = 27;

/**
 * Rocket.Chat's `isDateISOString`: exactly what `Date.prototype.toISOString()` writes for some
 * instant, on a date that exists — six-digit signed years included, across the whole range a Date
 * can hold (years −271821 to 275760).
 */
export function isDateIsoString(value: string): boolean {
  if (value.length > longestIsoString) return false;
  const instant = Date.parse(value);
  return !Number.isNaN(instant) && new Date(instant).toISOString() === value;
}

const isoTimestamp = z.string().check(z.refine(isDateIsoString));

// `timezone` is checked against the platform's zones when the window is built (day-window.ts).
const parametersSchema = z.object({
  start: isoTimestamp,
  end: isoTimestamp,
  timezone: z.optional(z.string()),
});

export type MessagesSentParameters = z.infer<typeof parametersSchema>;

/**
 * Each parameter as every value the request gave for it: API Gateway's REST payload keeps repeated
 * keys apart; its HTTP payload joins them with commas (which no valid timestamp contains).
 */
export type RawParameters = Record<string, readonly string[] | undefined>;

export function parseMessagesSentParameters(
  raw: RawParameters,
): { ok: true; value: MessagesSentParameters } | { ok: false; error: RequestError } {
  const single = (key: string): unknown => {
    const values = raw[key];
    if (values === undefined) return undefined;
    return values.length === 1 ? values[0] : values;
  };
  const result = parametersSchema.safeParse({
    start: single('start'),
    end: single('end'),
    timezone: single('timezone'),
  });
  if (result.success) return { ok: true, value: result.data };
  // Rocket.Chat reports the first failing key, start before end.
  const [issue] = result.error.issues;
  const key = String(issue?.path[0] ?? 'start');
  if (key === 'timezone') {
    return {
      ok: false,
      error: invalidParams('The timezone must be given once, as an IANA time zone name'),
    };
  }
  return {
    ok: false,
    error: raw[key] === undefined ? missingKey(key) : failedValidation(key),
  };
}
