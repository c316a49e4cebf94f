// Writes many items with BatchWriteItem, 25 to a request and several requests at once, sending
// again whatever DynamoDB leaves unprocessed. For bulk loads, not for the counting path.
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

type WriteRequest =
  | { PutRequest: { Item: Record<string, unknown> } }
  | { DeleteRequest: { Key: Record<string, unknown> } };

export async function writeAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  requests: Iterable<WriteRequest>,
  requestsAtOnce = 16,
): Promise<void> {
  let batch: WriteRequest[] = [];
  let inFlight: Promise<void>[] = [];
  for (const request of requests) {
    batch.push(request);
    if (batch.length < 25) continue;
    inFlight.push(writeBatch(client, tableName, batch));
    batch = [];
    if (inFlight.length >= requestsAtOnce) {
      await Promise.all(inFlight);
      inFlight = [];
    }
  }
  if (batch.length > 0) inFlight.push(writeBatch(client, tableName, batch));
  await Promise.all(inFlight);
}

export function putAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  items: Iterable<Record<string, unknown>>,
  requestsAtOnce?: number,
): Promise<void> {
  return writeAll(client, tableName, puts(items), requestsAtOnce);
}

function* puts(items: Iterable<Record<string, unknown>>): Iterable<WriteRequest> {
  for (const Item of items) yield { PutRequest: { Item } };
}

async function writeBatch(
  client: DynamoDBDocumentClient,
  tableName: string,
  requests: WriteRequest[],
): Promise<void> {
  let pending = requests;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > 8) throw new Error(`DynamoDB left ${pending.length} writes unprocessed`);
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
    const { UnprocessedItems } = await client.send(
      new BatchWriteCommand({ RequestItems: { [tableName]: pending } }),
    );
    pending = (UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
  }
}
