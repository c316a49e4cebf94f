// Writes many items with BatchWriteItem, 25 to a request and several requests at once, sending
// again whatever DynamoDB leaves unprocessed. For bulk loads, not for the counting path.
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { InFlight } from './in-flight.js';

export type WriteRequest =
  | { PutRequest: { Item: Record<string, unknown> } }
  | { DeleteRequest: { Key: Record<string, unknown> } };

export interface BatchWriterOptions {
  /** BatchWriteItem requests in flight at once (default 16). */
  requestsAtOnce?: number;
  /**
   * The key of the item a request writes. DynamoDB refuses a batch that names one item twice, so
   * when given, a repeated key starts a new batch.
   */
  keyOf?: (request: WriteRequest) => string;
}

/** Takes write requests one at a time; `write` waits while the requests in flight are at the limit. */
export class BatchWriter {
  private batch: WriteRequest[] = [];
  private keys = new Set<string>();
  private readonly inFlight: InFlight;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: BatchWriterOptions = {},
  ) {
    this.inFlight = new InFlight(options.requestsAtOnce ?? 16);
  }

  async write(request: WriteRequest): Promise<void> {
    const key = this.options.keyOf?.(request);
    if (key !== undefined) {
      if (this.keys.has(key)) await this.send();
      this.keys.add(key);
    }
    this.batch.push(request);
    if (this.batch.length === 25) await this.send();
  }

  /** Writes what is left and waits for every request. */
  async flush(): Promise<void> {
    await this.send();
    await this.inFlight.drain();
  }

  private async send(): Promise<void> {
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    this.keys = new Set();
    await this.inFlight.run(() => writeBatch(this.client, this.tableName, batch));
  }
}

export async function writeAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  requests: Iterable<WriteRequest>,
  requestsAtOnce = 16,
): Promise<void> {
  const writer = new BatchWriter(client, tableName, { requestsAtOnce });
  for (const request of requests) await writer.write(request);
  await writer.flush();
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
