// The two sides of "the counters are exact": what the Counters table holds, and a recount of the
// Messages table by the counting rule.
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { effectOfChange } from '../../lib/counting/changes.js';
import { counterKey, dayPartition } from '../../lib/store/counter-keys.js';
import { writeAll } from '../../lib/store/put-all.js';
import { localClient } from './tables.js';

export type CounterTable = Record<string, number>;

const documentClient = () => DynamoDBDocumentClient.from(localClient());

async function scanAll(TableName: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateScan(
    { client: documentClient() },
    { TableName, ConsistentRead: true },
  )) {
    items.push(...(page.Items ?? []));
  }
  return items;
}

/** Non-zero day and quarter-hour counters, as `pk sk` → messages. */
export async function readCounters(countersTable: string): Promise<CounterTable> {
  const counters: CounterTable = {};
  for (const item of await scanAll(countersTable)) {
    const pk = String(item.pk);
    if (pk !== dayPartition && !pk.startsWith('quarter-hour#')) continue;
    const messages = Number(item.messages);
    if (messages !== 0) counters[`${pk} ${String(item.sk)}`] = messages;
  }
  return counters;
}

/** What the counters must be: every item of the Messages table counted from scratch. */
export async function recountMessages(
  messagesTable: string,
  countedRoomTypes: ReadonlySet<string> = new Set(['c', 'p', 'd']),
): Promise<CounterTable> {
  const counters: CounterTable = {};
  for (const item of await scanAll(messagesTable)) {
    const { deltas } = effectOfChange(
      { eventId: 'recount', sequenceNumber: '0', newImage: item },
      countedRoomTypes,
    );
    for (const { unit, period, delta } of deltas) {
      const { pk, sk } = counterKey(unit, period);
      counters[`${pk} ${sk}`] = (counters[`${pk} ${sk}`] ?? 0) + delta;
    }
  }
  return counters;
}

export async function clearTable(TableName: string): Promise<void> {
  const items = await scanAll(TableName);
  await writeAll(
    documentClient(),
    TableName,
    items.map((item) => ({ DeleteRequest: { Key: { pk: item.pk, sk: item.sk } } })),
  );
}
