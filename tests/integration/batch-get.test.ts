// Reading by key when DynamoDB reads only part of each BatchGetItem (as it may under load): every
// item still comes back, and a read that stays unfinished fails with an error instead of waiting
// without end. Through a proxy that hands half of each request's keys back as UnprocessedKeys.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchGetAll } from '../../lib/store/batch-get.js';
import { putAll } from '../../lib/store/put-all.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { localClient, localEndpoint, useTestTables } from '../helpers/tables.js';

const tables = await useTestTables();
const proxy = await startFaultProxy(localEndpoint());
const throughProxy = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: proxy.url }));
afterAll(async () => {
  throughProxy.destroy();
  await proxy.close();
});

// More than one request's worth (100 keys), so that requests and their leftovers interleave.
const keys = Array.from({ length: 230 }, (_, index) => ({ pk: 'batch-get', sk: `item-${index}` }));

beforeAll(async () => {
  const client = DynamoDBDocumentClient.from(localClient());
  await putAll(
    client,
    tables.counters,
    keys.map((key, index) => ({ ...key, n: index, other: 'not projected' })),
  );
  client.destroy();
});

describe('batchGetAll', () => {
  it('reads every item, once, when each request leaves half of its keys unprocessed', async () => {
    proxy.plan = (operation) => (operation === 'BatchGetItem' ? 'partial' : 'pass');
    const missing = { pk: 'batch-get', sk: 'no-such-item' };
    const items = await batchGetAll(throughProxy, tables.counters, [missing, ...keys], {
      projection: 'pk, sk, n',
      requestsAtOnce: 2,
      firstPauseMs: 1,
    });
    expect(items.map(({ n }) => n).sort((a, b) => Number(a) - Number(b))).toEqual(
      keys.map((_, index) => index),
    );
    expect(items.every((item) => !('other' in item))).toBe(true);
    // 231 keys in three requests, then each request's leftovers halved until none are left.
    expect(proxy.injected.BatchGetItem?.partial).toBeGreaterThan(3);
  });

  it('fails, naming the table, when keys are still unprocessed after the retries allowed', async () => {
    proxy.plan = () => 'partial';
    const read = batchGetAll(throughProxy, tables.counters, keys.slice(0, 8), {
      maxRetries: 1,
      firstPauseMs: 1,
    });
    // 8 keys: 4 read, then 2 of the 4 left; 2 are still unprocessed when the retries run out.
    await expect(read).rejects.toThrow(`DynamoDB left 2 reads of ${tables.counters} unprocessed`);
  });
});
