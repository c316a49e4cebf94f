// Configuration from the environment (the README's Configuration), validated once at cold start. Each function asks
// only for what it uses, and a missing or malformed variable fails with the variable's name.
import * as z from 'zod/mini';
import { isTimeZone } from './report/local-days.js';

const tableName = z
  .string({ error: 'is required' })
  .check(
    z.regex(
      /^[A-Za-z0-9_.-]{3,255}$/,
      'must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)',
    ),
  );

const positiveInteger = (fallback: number, max: number) =>
  z._default(
    z.coerce
      .number({ error: 'must be a number' })
      .check(
        z.refine(Number.isInteger, 'must be a whole number'),
        z.minimum(1, 'must be at least 1'),
        z.maximum(max, `must be at most ${max}`),
      ),
    fallback,
  );

export const roomTypes = z.pipe(
  z._default(z.string(), 'c,p,d'),
  z.transform((value, context) => {
    const types = value.split(',').map((type) => type.trim());
    if (types.some((type) => !/^[a-z]+$/.test(type))) {
      context.issues.push({
        code: 'custom',
        input: value,
        message: 'must be a comma-separated list of room types like c,p,d',
      });
    }
    return new Set(types) as ReadonlySet<string>;
  }),
);

const dynamoDbSettings = {
  // Short timeouts make an unreachable DynamoDB an answer (503) in seconds instead of a hang.
  DYNAMODB_CONNECT_TIMEOUT_MS: positiveInteger(1_000, 60_000),
  DYNAMODB_REQUEST_TIMEOUT_MS: positiveInteger(3_000, 60_000),
  DYNAMODB_MAX_ATTEMPTS: positiveInteger(3, 10),
};

export interface DynamoDbSettings {
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  maxAttempts: number;
}

function dynamoDbSettingsOf(env: {
  DYNAMODB_CONNECT_TIMEOUT_MS: number;
  DYNAMODB_REQUEST_TIMEOUT_MS: number;
  DYNAMODB_MAX_ATTEMPTS: number;
}): DynamoDbSettings {
  return {
    connectTimeoutMs: env.DYNAMODB_CONNECT_TIMEOUT_MS,
    requestTimeoutMs: env.DYNAMODB_REQUEST_TIMEOUT_MS,
    maxAttempts: env.DYNAMODB_MAX_ATTEMPTS,
  };
}

export const countingConfigSchema = z.pipe(
  z.object({
    COUNTERS_TABLE: tableName,
    COUNTED_ROOM_TYPES: roomTypes,
    ...dynamoDbSettings,
  }),
  z.transform((env) => ({
    countersTable: env.COUNTERS_TABLE,
    countedRoomTypes: env.COUNTED_ROOM_TYPES,
    dynamoDb: dynamoDbSettingsOf(env),
  })),
);

export const queryConfigSchema = z.pipe(
  z.object({
    COUNTERS_TABLE: tableName,
    AUTH_TABLE: tableName,
    REPORT_DAYS: positiveInteger(7, 366),
    REPORT_TIMEZONE: z.optional(
      z
        .string()
        .check(z.refine(isTimeZone, 'must be an IANA time zone name like America/Sao_Paulo')),
    ),
    ...dynamoDbSettings,
  }),
  z.transform((env) => ({
    countersTable: env.COUNTERS_TABLE,
    authTable: env.AUTH_TABLE,
    reportDays: env.REPORT_DAYS,
    reportTimeZone: env.REPORT_TIMEZONE,
    dynamoDb: dynamoDbSettingsOf(env),
  })),
);

export const webhookConfigSchema = z.pipe(
  z.object({
    MESSAGES_TABLE: tableName,
    AUTH_TABLE: tableName,
    ...dynamoDbSettings,
  }),
  z.transform((env) => ({
    messagesTable: env.MESSAGES_TABLE,
    authTable: env.AUTH_TABLE,
    dynamoDb: dynamoDbSettingsOf(env),
  })),
);

export type CountingConfig = z.infer<typeof countingConfigSchema>;
export type QueryConfig = z.infer<typeof queryConfigSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig<Schema extends z.ZodMiniType>(
  schema: Schema,
  env: Record<string, string | undefined> = process.env,
): z.infer<Schema> {
  // An empty variable is as good as a missing one (a common result of `FOO= cmd`).
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => `${issue.path.join('.') || 'environment'} ${issue.message}`),
  );
}
