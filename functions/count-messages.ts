// Lambda entry for the Messages table's stream: keeps the message counters exact (design §3).
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { countingConfigSchema, loadConfig } from '../lib/config.js';
import { countChanges } from '../lib/counting/count-changes.js';
import { recordCounting } from '../lib/lambda/counting-telemetry.js';
import { summarizeError, withoutStack } from '../lib/lambda/errors.js';
import { readStreamEvent } from '../lib/lambda/stream-records.js';
import { createDocumentClient } from '../lib/store/client.js';
import { DynamoDbCounterLedger } from '../lib/store/counter-ledger.js';

const config = loadConfig(countingConfigSchema);
const logger = new Logger();
const metrics = new Metrics();
const ledger = new DynamoDbCounterLedger(
  createDocumentClient(config.dynamoDb),
  config.countersTable,
);

export const handler = async (
  event: DynamoDBStreamEvent,
  context: Context,
): Promise<DynamoDBBatchResponse> => {
  logger.addContext(context);
  try {
    const batch = readStreamEvent(event);
    const result = await countChanges(batch.changes, ledger, {
      countedRoomTypes: config.countedRoomTypes,
    });
    recordCounting(logger, metrics, batch, result, Date.now());
    return { batchItemFailures: result.retryFrom ? [{ itemIdentifier: result.retryFrom }] : [] };
  } catch (error) {
    // An event that is not a usable stream batch gets here (so would a bug): Lambda reports it as
    // a function error and retries.
    metrics.addMetric('RejectedEvents', MetricUnit.Count, 1);
    logger.error('Rejected an event that is not a usable stream batch', {
      error: summarizeError(error),
    });
    throw withoutStack(error);
  } finally {
    metrics.publishStoredMetrics();
  }
};
