// The two sides of "the counters are exact": what the Counters table holds, and a recount of the
// Messages table by the counting rule.
import {
  DynamoDBDocumentClient,
  PutCommand,
  paginateScan,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type Counter, countedDeltas, counterId } from '../../lib/counting/changes.js';
import { parseMessageImage } from '../../lib/counting/message.js';
import { countersOfItem } from '../../lib/store/counter-keys.js';
import {
  counterWrites,
  quarterHourDays,
  readQuarterHours,
} from '../../lib/store/counter-writes.js';
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

/** Non-zero day and quarter-hour counters, by counter id (`day 2023-05-30`) → messages. */
export async function readCounters(countersTable: string): Promise<CounterTable> {
  const counters: CounterTable = {};
  for (const item of await scanAll(countersTable)) {
    for (const { counter, messages } of countersOfItem(item)) {
      if (messages !== 0) counters[counterId(counter)] = messages;
    }
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
    for (const delta of countedDeltas(parseMessageImage(item), countedRoomTypes)) {
      const id = counterId(delta);
      counters[id] = (counters[id] ?? 0) + delta.delta;
      if (counters[id] === 0) delete counters[id];
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

/** Adds to one counter behind the counting function's back, as drift would. */
export async function addToCounter(
  countersTable: string,
  counter: Counter,
  delta: number,
): Promise<void> {
  const client = documentClient();
  const quarterHours = await readQuarterHours(client, countersTable, quarterHourDays([counter]));
  for (const { write } of counterWrites(countersTable, [{ ...counter, delta }], { quarterHours })) {
    if ('Put' in write) await client.send(new PutCommand(write.Put));
    else await client.send(new UpdateCommand(write.Update));
  }
}
