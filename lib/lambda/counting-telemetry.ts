// The counting function's log lines and CloudWatch metrics (EMF) for one batch.
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
  count('CounterTransactions', stats.transactions);
  count('TransactionConflictsRetried', stats.conflictsRetried);
  count('BatchesAlreadyApplied', stats.redelivered ? 1 : 0);
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
  if (stats.endedInsideAppliedRun) {
    count('RedeliveriesEndedInsideAppliedRun', 1);
    logger.error(
      'A redelivered batch ended before the records an earlier delivery applied; the records ' +
        'after it may be counted twice. Run `counters reconcile` for the days they were sent.',
    );
  }
  const summary = { ...stats, retryFrom: result.retryFrom };
  if (result.retryFrom) {
    logger.error('Batch not fully applied; Lambda retries it from its first record', {
      ...summary,
      error: summarizeError(result.failure),
    });
  } else {
    logger.info('Batch applied', summary);
  }
}
