// Configuration from the environment (design §5), validated once at cold start. Each function asks
// only for what it uses, and a missing or malformed variable fails with the variable's name.
import { z } from 'zod';

const tableName = z
  .string({ error: 'is required' })
  .regex(/^[A-Za-z0-9_.-]{3,255}$/, 'must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)');

const positiveInteger = (fallback: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(max, `must be at most ${max}`)
    .default(fallback);

const roomTypes = z
  .string()
  .default('c,p,d')
  .transform((value) => value.split(',').map((type) => type.trim()))
  .pipe(
    z
      .array(
        z.string().regex(/^[a-z]+$/, 'must be a comma-separated list of room types like c,p,d'),
      )
      .min(1),
  )
  .transform((types) => new Set(types));

const dynamoDbSettings = {
  // Short timeouts make an unreachable DynamoDB an answer (503) in seconds instead of a hang.
  DYNAMODB_CONNECT_TIMEOUT_MS: positiveInteger(1_000, 60_000),
  DYNAMODB_REQUEST_TIMEOUT_MS: positiveInteger(3_000, 60_000),
  DYNAMODB_MAX_ATTEMPTS: positiveInteger(3, 10),
};

export const countingConfigSchema = z
  .object({
    COUNTERS_TABLE: tableName,
    COUNTED_ROOM_TYPES: roomTypes,
    ...dynamoDbSettings,
  })
  .transform((env) => ({
    countersTable: env.COUNTERS_TABLE,
    countedRoomTypes: env.COUNTED_ROOM_TYPES as ReadonlySet<string>,
    dynamoDb: dynamoDbSettingsOf(env),
  }));

export const queryConfigSchema = z
  .object({
    COUNTERS_TABLE: tableName,
    AUTH_TABLE: tableName,
    REPORT_DAYS: positiveInteger(7, 366),
    ...dynamoDbSettings,
  })
  .transform((env) => ({
    countersTable: env.COUNTERS_TABLE,
    authTable: env.AUTH_TABLE,
    reportDays: env.REPORT_DAYS,
    dynamoDb: dynamoDbSettingsOf(env),
  }));

export type CountingConfig = z.infer<typeof countingConfigSchema>;
export type QueryConfig = z.infer<typeof queryConfigSchema>;

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

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig<Schema extends z.ZodType>(
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
