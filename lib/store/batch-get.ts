// Reads items by key with BatchGetItem, consistently: 100 keys to a request, and whatever DynamoDB
// leaves unprocessed (it may leave any part of a request unread, under load or past 16 MB) asked
// for again after a growing pause, a bounded number of times.
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ItemKey } from './item-key.js';

const keysPerRequest = 100;

export interface BatchGetOptions {
  /** A ProjectionExpression; it must name pk and sk when the caller tells the items apart by key. */
  projection?: string;
  /** How often unprocessed keys are asked for again before the read fails (default 8). */
  maxRetries?: number;
  /** The first pause before asking again, doubled each time (default 25 ms). */
  firstPauseMs?: number;
  /** Requests in flight at once (default 1). */
  requestsAtOnce?: number;
}

/** The items stored under `keys`, in no particular order; a key with no item has none. */
export async function batchGetAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly ItemKey[],
  { projection, maxRetries = 8, firstPauseMs = 25, requestsAtOnce = 1 }: BatchGetOptions = {},
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  const read = async (batch: readonly ItemKey[]) => {
    let pending: Record<string, unknown>[] = batch.map((key) => ({ ...key }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > maxRetries) {
        throw new Error(`DynamoDB left ${pending.length} reads of ${tableName} unprocessed`);
      }
      if (attempt > 0) {
        await new Promise((resolve) => setTimeout(resolve, firstPauseMs * 2 ** (attempt - 1)));
      }
      const response = await client.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName]: {
              Keys: pending,
              ConsistentRead: true,
              ...(projection ? { ProjectionExpression: projection } : {}),
            },
          },
        }),
      );
      items.push(...(response.Responses?.[tableName] ?? []));
      pending = response.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  };
  const batches: ItemKey[][] = [];
  for (let at = 0; at < keys.length; at += keysPerRequest) {
    batches.push(keys.slice(at, at + keysPerRequest));
  }
  for (let at = 0; at < batches.length; at += requestsAtOnce) {
    await Promise.all(batches.slice(at, at + requestsAtOnce).map(read));
  }
  return items;
}

/** One string per item key, for maps of items read. */
export const keyIdOf = (key: { pk?: unknown; sk?: unknown }) =>
  `${String(key.pk)}\n${String(key.sk)}`;
