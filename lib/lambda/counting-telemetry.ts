// The counting function's log lines and CloudWatch metrics (EMF) for one delivery. Whatever needs
// a person also adds to `DeliveryAnomalies` or `SkippedRecords`, the metrics the alarms of
// infra/monitoring.yml watch.
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { CountingResult } from '../counting/count-changes.js';
import { summarizeError } from './errors.js';
import type { StreamBatch } from './stream-records.js';

export function recordCounting(
  logger: Logger,
  metrics: Metrics,
  batch: StreamBatch,
  result: CountingResult,
  nowMs: number,
): void {
  const { stats } = result;
  const count = (name: string, value: number) => metrics.addMetric(name, MetricUnit.Count, value);
  count('RecordsReceived', stats.records + batch.unidentifiable.length);
  count('RecordsApplied', stats.applied);
  count('RecordsAlreadyApplied', stats.alreadyApplied);
  count('MessagesAdded', stats.messagesAdded);
  count('MessagesRemoved', stats.messagesRemoved);
  count('MalformedImages', result.malformed.length);
  count('UnidentifiableRecords', batch.unidentifiable.length);
  count('SkippedRecords', result.malformed.length + batch.unidentifiable.length);
  count('CounterTransactions', stats.transactions);
  count('TransactionConflictsRetried', stats.conflictsRetried);
  count('DeliveriesInsideAppliedRange', stats.insideAppliedRange && stats.records > 0 ? 1 : 0);
  count('DeliveriesOutOfOrder', stats.outOfOrder ? 1 : 0);
  count(
    'DeliveryAnomalies',
    (stats.insideAppliedRange && stats.records > 0) || stats.outOfOrder ? 1 : 0,
  );
  count('BatchesFailed', result.retryFrom ? 1 : 0);
  if (batch.newestChangeAtMs !== undefined) {
    metrics.addMetric(
      'NewestRecordAgeMs',
      MetricUnit.Milliseconds,
      Math.max(0, nowMs - batch.newestChangeAtMs),
    );
  }

  for (const record of result.malformed) {
    logger.warn('Skipped a malformed message image; it does not count', { ...record });
  }
  for (const record of batch.unidentifiable) {
    logger.warn('Skipped a record without a usable eventID and SequenceNumber', { ...record });
  }
  const where = { shardId: batch.shard?.shardId, appliedThrough: result.appliedThrough };
  if (stats.insideAppliedRange && stats.records > 0) {
    // Exact all the same (every record was skipped), but Lambda only redelivers after a failure
    // or a lost result, so there is one to look for.
    logger.warn(
      'Lambda delivered records that were all applied already; none counted again',
      where,
    );
  }
  if (stats.outOfOrder) {
    logger.warn('Records came out of sequence order (or twice); counted in order, once', where);
  }
  const summary = { ...stats, ...where, retryFrom: result.retryFrom };
  if (result.retryFrom) {
    logger.error('Delivery not fully applied; Lambda retries it from the record reported', {
      ...summary,
      error: summarizeError(result.failure),
    });
  } else {
    logger.info('Delivery applied', summary);
  }
}
