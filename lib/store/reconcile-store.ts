// The DynamoDB side of reconciling: a parallel scan of the Messages table, the stream, run
// markers, counters with their versions, and conditional corrections.
import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import {
  type DynamoDBDocumentClient,
  PutCommand,
  paginateQuery,
  paginateScan,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { counterGroupOf } from '../counting/changes.js';
import { type ParsedImage, parseMessageImage, ruleAttributes } from '../counting/message.js';
import type { CounterReading, DayRange, Drift } from '../reconcile/drift.js';
import type { ShardHistory } from '../reconcile/expected-counts.js';
import type { ReconcilePorts, StoredMark } from '../reconcile/reconcile.js';
import { monthsBetween } from '../utc-calendar.js';
import { batchGetAll, keyIdOf } from './batch-get.js';
import {
  appliedMarksOfStream,
  countersOfItem,
  dayPartition,
  legacyQuarterHourPartition,
  quarterHoursPartition,
  runMarkerKey,
  shardIdOfMark,
} from './counter-keys.js';
import {
  type CounterWriteItem,
  counterWrites,
  quarterHourDays,
  readQuarterHours,
} from './counter-writes.js';
import type { ItemKey } from './item-key.js';
import { writeAll } from './put-all.js';
import { StreamView, streamArnOf } from './stream-history.js';

export interface ScanProgress {
  segments: number;
  segmentsDone: number;
  items: number;
}

export interface ReconcileStoreOptions {
  messagesTable: string;
  countersTable: string;
  /** Parallel scan segments. */
  segments: number;
  onScanProgress?: (progress: ScanProgress) => void;
  onStreamRecords?: (count: number) => void;
}

export class DynamoDbReconcileStore implements ReconcilePorts {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly streams: DynamoDBStreamsClient,
    private readonly options: ReconcileStoreOptions,
  ) {}

  async scanMessages(range: DayRange | undefined): Promise<Map<string, ParsedImage>> {
    const { messagesTable, segments } = this.options;
    const images = new Map<string, ParsedImage>();
    const progress: ScanProgress = { segments, segmentsDone: 0, items: 0 };
    const names = Object.fromEntries(ruleAttributes.map((name, index) => [`#a${index}`, name]));
    const filter = range
      ? {
          // Messages sent outside the range cannot count in it; moved ones show in the stream.
          FilterExpression: '#ts BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':from': range.from, ':to': `${range.to}T99` },
        }
      : {};
    const scanSegment = async (Segment: number) => {
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await this.client.send(
          new ScanCommand({
            TableName: messagesTable,
            Segment,
            TotalSegments: segments,
            ConsistentRead: true,
            ProjectionExpression: Object.keys(names).join(', '),
            ExpressionAttributeNames: { ...names, ...(range ? { '#ts': 'ts' } : {}) },
            ExclusiveStartKey,
            ...filter,
          }),
        );
        for (const item of page.Items ?? []) images.set(String(item._id), parseMessageImage(item));
        progress.items += page.ScannedCount ?? 0;
        this.options.onScanProgress?.(progress);
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      progress.segmentsDone += 1;
      this.options.onScanProgress?.(progress);
    };
    await Promise.all(Array.from({ length: segments }, (_, segment) => scanSegment(segment)));
    return images;
  }

  private view: StreamView | null | undefined;

  /** The Messages table's stream: all of it on the first call, what was added since on the next. */
  async catchUpStream(): Promise<ShardHistory[]> {
    if (this.view === undefined) {
      const streamArn = await streamArnOf(this.client, this.options.messagesTable);
      this.view = streamArn
        ? new StreamView(this.streams, streamArn, this.options.onStreamRecords)
        : null;
    }
    return this.view ? this.view.catchUp() : [];
  }

  /** Every applied mark of the stream `catchUpStream` reads: a Scan of the Counters table. */
  async readMarks(): Promise<StoredMark[]> {
    const streamArn = this.view?.streamArn;
    const marks: StoredMark[] = [];
    if (!streamArn) return marks;
    const pages = paginateScan(
      { client: this.client },
      {
        TableName: this.options.countersTable,
        ConsistentRead: true,
        ProjectionExpression: 'pk, through, throughEventId',
        ...appliedMarksOfStream(streamArn),
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        if (typeof item.through !== 'string') continue;
        marks.push({
          shardId: shardIdOfMark(item),
          through: item.through,
          ...(typeof item.throughEventId === 'string'
            ? { throughEventId: item.throughEventId }
            : {}),
        });
      }
    }
    return marks;
  }

  async readRunMarkers(eventIds: string[]): Promise<Map<string, string>> {
    const markers = new Map<string, string>();
    const items = await this.readThrough(eventIds.map(runMarkerKey));
    for (const [index, eventId] of eventIds.entries()) {
      const through = items[index];
      if (through !== undefined) markers.set(eventId, through);
    }
    return markers;
  }

  /** The `through` of each key's item, in the keys' order; undefined where there is none. */
  private async readThrough(keys: ItemKey[]): Promise<(string | undefined)[]> {
    const items = await batchGetAll(this.client, this.options.countersTable, keys, {
      projection: 'pk, sk, through',
      requestsAtOnce: 8,
    });
    const found = new Map<string, string>();
    for (const item of items) {
      if (typeof item.through === 'string') found.set(keyIdOf(item), item.through);
    }
    return keys.map((key) => found.get(keyIdOf(key)));
  }

  async readCounters(range: DayRange): Promise<CounterReading[]> {
    const readings: CounterReading[] = [];
    const read = async (pk: string) => {
      const pages = paginateQuery(
        { client: this.client },
        {
          TableName: this.options.countersTable,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
          ExpressionAttributeValues: { ':pk': pk, ':first': range.from, ':last': range.to },
          ConsistentRead: true,
        },
      );
      for await (const page of pages) {
        for (const item of page.Items ?? []) {
          const version = item.version === undefined ? {} : { version: Number(item.version) };
          for (const { counter, messages } of countersOfItem(item)) {
            readings.push({ ...counter, messages, ...version });
          }
        }
      }
    };
    await Promise.all([read(dayPartition), read(quarterHoursPartition)]);
    return readings;
  }

  async dayCounterSpan(): Promise<DayRange | undefined> {
    const edge = async (ScanIndexForward: boolean) => {
      const { Items } = await this.client.send(
        new QueryCommand({
          TableName: this.options.countersTable,
          KeyConditionExpression: 'pk = :day',
          ExpressionAttributeValues: { ':day': dayPartition },
          ScanIndexForward,
          Limit: 1,
          ProjectionExpression: 'sk',
        }),
      );
      return Items?.[0]?.sk as string | undefined;
    };
    const [from, to] = await Promise.all([edge(true), edge(false)]);
    return from && to ? { from, to } : undefined;
  }

  /**
   * Deletes the quarter-hour items a version before quarter-hours items wrote (one item per
   * quarter-hour, partitioned by month) for the months of `range`; returns how many there were.
   */
  async deleteLegacyQuarterHours(range: DayRange, dryRun: boolean): Promise<number> {
    let found = 0;
    for (const month of monthsBetween(range.from, range.to)) {
      const keys: Record<string, unknown>[] = [];
      const pages = paginateQuery(
        { client: this.client },
        {
          TableName: this.options.countersTable,
          KeyConditionExpression: 'pk = :month',
          ExpressionAttributeValues: { ':month': legacyQuarterHourPartition(month) },
          ProjectionExpression: 'pk, sk',
        },
      );
      for await (const page of pages) keys.push(...(page.Items ?? []));
      found += keys.length;
      if (!dryRun) {
        await writeAll(
          this.client,
          this.options.countersTable,
          keys.map((Key) => ({ DeleteRequest: { Key } })),
        );
      }
    }
    return found;
  }

  /**
   * Writes each group's corrections at once, on the condition that the group's version is still
   * the one read (a quarter-hours item is read again to be written anew; if its version moved, the
   * group has changed). Up to 100 groups go in one transaction; if it is cancelled, the groups
   * whose condition failed are reported as changed and the others are written one by one.
   */
  async correct(drifts: readonly Drift[]): Promise<('corrected' | 'changed')[]> {
    const table = this.options.countersTable;
    const versionOf = new Map(drifts.map((drift) => [counterGroupOf(drift), drift.version]));
    const outcomeOf = new Map<string, 'corrected' | 'changed'>();
    const quarterHours = await readQuarterHours(this.client, table, quarterHourDays(drifts));
    for (const [day, { version }] of quarterHours) {
      const group = counterGroupOf({ unit: 'quarter-hour', period: day });
      if (versionOf.has(group) && versionOf.get(group) !== version) outcomeOf.set(group, 'changed');
    }
    const dayVersions = new Map(
      drifts.filter(({ unit }) => unit === 'day').map(({ period, version }) => [period, version]),
    );
    const writes = counterWrites(
      table,
      drifts
        .filter((drift) => !outcomeOf.has(counterGroupOf(drift)))
        .map((drift) => ({ ...drift, delta: drift.correction })),
      { quarterHours, dayVersions },
    );
    for (let at = 0; at < writes.length; at += 100) {
      const batch = writes.slice(at, at + 100);
      try {
        await this.client.send(
          new TransactWriteCommand({ TransactItems: batch.map(({ write }) => write) }),
        );
        for (const { group } of batch) outcomeOf.set(group, 'corrected');
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        for (const [index, { group, write }] of batch.entries()) {
          outcomeOf.set(
            group,
            reasons[index]?.Code === 'ConditionalCheckFailed'
              ? 'changed'
              : await this.correctOne(write),
          );
        }
      }
    }
    return drifts.map((drift) => outcomeOf.get(counterGroupOf(drift)) ?? 'changed');
  }

  private async correctOne(write: CounterWriteItem): Promise<'corrected' | 'changed'> {
    try {
      if ('Put' in write) await this.client.send(new PutCommand(write.Put));
      else await this.client.send(new UpdateCommand(write.Update));
      return 'corrected';
    } catch (error) {
      if (
        error instanceof ConditionalCheckFailedException ||
        error instanceof TransactionConflictException
      ) {
        return 'changed';
      }
      throw error;
    }
  }
}
