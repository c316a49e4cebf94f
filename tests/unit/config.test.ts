import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  countingConfigSchema,
  loadConfig,
  queryConfigSchema,
} from '../../lib/config.js';

describe('configuration from the environment', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(queryConfigSchema, {
      COUNTERS_TABLE: 'c-table',
      AUTH_TABLE: 'a-table',
    });
    expect(config).toEqual({
      countersTable: 'c-table',
      authTable: 'a-table',
      reportDays: 7,
      dynamoDb: { connectTimeoutMs: 1000, requestTimeoutMs: 3000, maxAttempts: 3 },
    });
    const counting = loadConfig(countingConfigSchema, { COUNTERS_TABLE: 'c-table' });
    expect([...counting.countedRoomTypes]).toEqual(['c', 'p', 'd']);
  });

  it('names every missing or malformed variable', () => {
    const load = () =>
      loadConfig(queryConfigSchema, {
        COUNTERS_TABLE: 'c-table',
        AUTH_TABLE: '',
        REPORT_DAYS: 'x',
      });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow('AUTH_TABLE is required; REPORT_DAYS must be a number');
  });

  it('reads counted room types and rejects a malformed list', () => {
    const config = loadConfig(countingConfigSchema, {
      COUNTERS_TABLE: 'c-table',
      COUNTED_ROOM_TYPES: 'c, p,d,l',
    });
    expect([...config.countedRoomTypes]).toEqual(['c', 'p', 'd', 'l']);
    expect(() =>
      loadConfig(countingConfigSchema, { COUNTERS_TABLE: 'c-table', COUNTED_ROOM_TYPES: 'c,,p' }),
    ).toThrow(/COUNTED_ROOM_TYPES.* must be a comma-separated list/);
  });

  it('rejects a table name DynamoDB would refuse', () => {
    expect(() => loadConfig(countingConfigSchema, { COUNTERS_TABLE: 'a b' })).toThrow(
      /COUNTERS_TABLE must be a DynamoDB table name/,
    );
  });
});
