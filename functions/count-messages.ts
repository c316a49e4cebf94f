// Lambda entry for the Messages table's stream: keeps the message counters exact
// (lib/counting/count-changes.ts says how).
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, DynamoDBBatchResponse } from 'aws-lambda';
import { countingConfigSchema, loadConfig } from '../lib/config.js';
import { countChanges } from '../lib/counting/count-changes.js';
import { recordCounting } from '../lib/lambda/counting-telemetry.js';
import { summarizeError, withoutStack } from '../lib/lambda/errors.js';
import { beginInvocation, streamBatchKeys } from '../lib/lambda/log-context.js';
import {
  type CountingEvent,
  type CountingState,
  readStreamEvent,
  UnknownShardError,
} from '../lib/lambda/stream-records.js';
import { createDocumentClient } from '../lib/store/client.js';
import { DynamoDbCounterLedger } from '../lib/store/counter-ledger.js';

const config = loadConfig(countingConfigSchema);
const logger = new Logger();
const metrics = new Metrics();
const ledger = new DynamoDbCounterLedger(
  createDocumentClient(config.dynamoDb),
  config.countersTable,
);

/** With a tumbling window, a response without `state` counts as a failed invocation. */
export type CountingResponse = DynamoDBBatchResponse & { state?: CountingState };

export const handler = async (
  event: CountingEvent,
  context: Context,
): Promise<CountingResponse> => {
  beginInvocation(logger, context, streamBatchKeys(event));
  try {
    const batch = readStreamEvent(event);
    const result = batch.shard
      ? await countChanges(
          { shard: batch.shard, changes: batch.changes, knownMark: batch.knownMark },
          ledger,
          { countedRoomTypes: config.countedRoomTypes },
        )
      : undefined;
    // A tumbling window's last invocation may come without records: nothing to say about it.
    if (result && (result.stats.records > 0 || batch.unidentifiable.length > 0)) {
      recordCounting(logger, metrics, batch, result, Date.now());
    }
    const appliedThrough = result?.appliedThrough ?? batch.knownMark;
    return {
      batchItemFailures: result?.retryFrom ? [{ itemIdentifier: result.retryFrom }] : [],
      ...(batch.windowed ? { state: appliedThrough ? { appliedThrough } : {} } : {}),
    };
  } catch (error) {
    // An event that is not a usable stream batch gets here (so would a bug): Lambda reports it as
    // a function error and retries.
    const unknownShard = error instanceof UnknownShardError;
    metrics.addMetric(unknownShard ? 'EventsWithoutShard' : 'RejectedEvents', MetricUnit.Count, 1);
    metrics.addMetric('DeliveryAnomalies', MetricUnit.Count, 1);
    logger.error(
      unknownShard
        ? 'Cannot count an event that does not name its shard; nothing was counted'
        : 'Rejected an event that is not a usable stream batch',
      { error: summarizeError(error) },
    );
    throw withoutStack(error);
  } finally {
    metrics.publishStoredMetrics();
  }
};
