// Parsing of what an operator types: durations, days, role lists. Each failure is one sentence.
import { CliError } from './errors.js';

const units: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** `90s`, `15m`, `12h`, `30d`, `2w`, or combinations like `1d12h`. */
export function parseDuration(text: string): number {
  const parts = [...text.matchAll(/(\d+)([smhdw])/g)];
  if (!/^(\d+[smhdw])+$/.test(text) || parts.length === 0) {
    throw new CliError(
      `"${text}" is not a duration; write it like 90s, 15m, 12h, 30d, 2w or 1d12h`,
    );
  }
  const ms = parts.reduce(
    (sum, [, amount, unit]) => sum + Number(amount) * (units[unit ?? ''] ?? 0),
    0,
  );
  if (ms <= 0) throw new CliError(`"${text}" is not a positive duration`);
  return ms;
}

/** A calendar day `YYYY-MM-DD` that exists. */
export function parseDay(text: string, option: string): string {
  const valid =
    /^\d{4}-\d{2}-\d{2}$/.test(text) &&
    new Date(`${text}T00:00:00.000Z`).toISOString().startsWith(text);
  if (!valid) throw new CliError(`--${option} ${text} is not a day; write it as YYYY-MM-DD`);
  return text;
}

/** An instant written as ISO 8601 with a time and a zone, e.g. 2024-05-01T12:34:56.789Z. */
export function parseInstant(text: string, option: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)
    ? Date.parse(text)
    : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new CliError(
      `--${option} ${text} is not a date and time; write it like 2024-05-01T12:34:56.789Z`,
    );
  }
  return ms;
}

/** A whole number from 1 to `max`, or `fallback` when the option is not given. */
export function positiveInteger(
  value: string | undefined,
  option: string,
  fallback: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(number) || number < 1 || number > max) {
    throw new CliError(`--${option} must be a whole number from 1 to ${max}`);
  }
  return number;
}

export function parseRoles(text: string): string[] {
  const roles = text
    .split(',')
    .map((role) => role.trim())
    .filter(Boolean);
  if (roles.length === 0 || roles.some((role) => !/^[A-Za-z0-9_.-]{1,64}$/.test(role))) {
    throw new CliError(`"${text}" is not a comma-separated list of role names like admin,analyst`);
  }
  return [...new Set(roles)];
}

export function required(value: string | undefined, option: string): string {
  if (value === undefined || value === '') throw new CliError(`--${option} is required`);
  return value;
}
