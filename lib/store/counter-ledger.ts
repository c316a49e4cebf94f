// The counting function's reads and writes: counters and the shards' applied marks in the
// Counters table.
import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ChunkOutcome, CounterLedger, ShardRef } from '../counting/count-changes.js';
import type { Chunk } from '../counting/plan.js';
import { appliedMarkKey, runMarkerKey } from './counter-keys.js';
import { counterWrites, quarterHourDays, readQuarterHours } from './counter-writes.js';
import type { ItemKey } from './item-key.js';

// A mark only has to outlive the records at or below it: DynamoDB Streams keeps a record 24 hours
// after it was written, and every record at or below a mark was written before the mark was. Two
// days leaves room for clocks; an idle shard's mark then expires, and nothing can redeliver to it.
const markLifetimeSeconds = 48 * 60 * 60;

// How often a chunk's quarter-hours are read again when another shard wrote them meanwhile.
const maxRereads = 5;

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

  async appliedThrough(shard: ShardRef, firstEventId: string): Promise<string | undefined> {
    const mark = await this.through(appliedMarkKey(shard));
    if (mark !== undefined) return mark;
    // No mark yet: the delivery may repeat one that a version before applied marks counted under
    // a marker of its first record (those live 48 hours, after which this finds nothing). What
    // that marker covers becomes the shard's mark, so that a delivery that ends inside it cannot
    // leave the rest to be counted again by the next one.
    const legacy = await this.through(runMarkerKey(firstEventId));
    if (legacy === undefined) return undefined;
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...appliedMarkKey(shard), through: legacy, expiresAt: this.expiresAt() },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return legacy;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return this.through(appliedMarkKey(shard));
    }
  }

  async applyChunk(
    shard: ShardRef,
    previous: string | undefined,
    chunk: Chunk,
  ): Promise<ChunkOutcome> {
    const mark = {
      Put: {
        TableName: this.tableName,
        Item: {
          ...appliedMarkKey(shard),
          through: chunk.through,
          // What places the mark in the stream for reconciling, whatever id Lambda gave the shard.
          throughEventId: chunk.throughEventId,
          expiresAt: this.expiresAt(),
        },
        // The mark must still say what was read (or not be there, if none was).
        ...(previous === undefined
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : {
              ConditionExpression: 'through = :previous',
              ExpressionAttributeValues: { ':previous': previous },
            }),
      },
    };
    const days = quarterHourDays(chunk.counters);
    // A quarter-hours item is written anew from the one read; if another shard wrote it in between,
    // nothing was written, and it is read again.
    for (let attempt = 0; attempt <= maxRereads; attempt++) {
      const quarterHours = await readQuarterHours(this.client, this.tableName, days);
      const counters = counterWrites(this.tableName, chunk.counters, { quarterHours });
      try {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: [mark, ...counters.map(({ write }) => write)],
          }),
        );
        return 'applied';
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        const [markReason, ...counterReasons] = reasons;
        if (markReason?.Code === 'ConditionalCheckFailed') return 'mark-moved';
        if (counterReasons.some((reason) => reason.Code === 'ConditionalCheckFailed')) continue;
        // Held or throttled, the mark as much as a counter: nothing was written.
        if (reasons.some((reason) => retryableReasons.has(reason.Code ?? ''))) return 'conflict';
        throw error;
      }
    }
    return 'conflict';
  }

  private expiresAt(): number {
    return Math.floor(this.now() / 1000) + markLifetimeSeconds;
  }

  private async through(key: ItemKey): Promise<string | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { ...key },
        ConsistentRead: true,
        ProjectionExpression: 'through',
      }),
    );
    return typeof Item?.through === 'string' ? Item.through : undefined;
  }
}
