// The counting function's writes: counters and run markers in the Counters table.
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ChunkOutcome, CounterLedger } from '../counting/count-changes.js';
import type { Chunk } from '../counting/plan.js';
import { counterKey, runMarkerKey } from './counter-keys.js';

// A marker only has to outlive the records it describes: DynamoDB Streams keeps records for 24
// hours, so no delivery of the batch can come later than that. Two days leaves room for clocks.
const markerLifetimeSeconds = 48 * 60 * 60;

// Cancellations after which nothing was written and the same transaction may simply be sent again.
const retryableReasons = new Set([
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
]);

export class DynamoDbCounterLedger implements CounterLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  async appliedThrough(runId: string): Promise<string | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: runMarkerKey(runId),
        ConsistentRead: true,
        ProjectionExpression: 'through',
      }),
    );
    return typeof Item?.through === 'string' ? Item.through : undefined;
  }

  async applyChunk(
    runId: string,
    previous: string | undefined,
    chunk: Chunk,
  ): Promise<ChunkOutcome> {
    const marker = {
      Put: {
        TableName: this.tableName,
        Item: {
          ...runMarkerKey(runId),
          through: chunk.through,
          expiresAt: Math.floor(this.now() / 1000) + markerLifetimeSeconds,
        },
        ...(previous === undefined
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : {
              ConditionExpression: 'through = :previous',
              ExpressionAttributeValues: { ':previous': previous },
            }),
      },
    };
    const counters = chunk.counters.map(({ unit, period, delta }) => ({
      Update: {
        TableName: this.tableName,
        Key: counterKey(unit, period),
        // `version` counts the writes to a counter, so that a reconciliation can tell whether the
        // counter changed between its reads (lib/reconcile/).
        UpdateExpression: 'ADD messages :delta, version :one',
        ExpressionAttributeValues: { ':delta': delta, ':one': 1 },
      },
    }));
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: [marker, ...counters] }));
      return 'applied';
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'run-moved';
      if (reasons.some((reason) => retryableReasons.has(reason.Code ?? ''))) return 'conflict';
      throw error;
    }
  }
}
