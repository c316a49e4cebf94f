// counters reconcile | backfill: recount the Messages table and repair the counters, safely while
// the stream keeps counting (lib/reconcile/reconcile.ts explains why that is safe).
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { DayRange, Drift } from '../../lib/reconcile/drift.js';
import { type ReconcileReport, reconcile } from '../../lib/reconcile/reconcile.js';
import { DynamoDbReconcileStore } from '../../lib/store/reconcile-store.js';
import { parseDay, positiveInteger } from './arguments.js';
import type { AdminContext } from './context.js';
import { CliError } from './errors.js';
import { formatDuration, type Progress } from './progress.js';
import { formatTable } from './table.js';

export interface CounterOptions {
  from?: string;
  to?: string;
  'dry-run'?: boolean;
  segments?: string;
  settle?: string;
}

function rangeOf(options: CounterOptions): DayRange | undefined {
  const from = options.from === undefined ? undefined : parseDay(options.from, 'from');
  const to = options.to === undefined ? undefined : parseDay(options.to, 'to');
  if (from === undefined && to === undefined) return undefined;
  const range = {
    from: from ?? '1970-01-01',
    to: to ?? new Date(Date.now() + 86_400_000).toISOString().slice(0, 10),
  };
  if (range.to < range.from) throw new CliError(`--to ${range.to} is before --from ${range.from}`);
  return range;
}

async function itemCount(context: AdminContext, tableName: string): Promise<number> {
  const { Table } = await context.client.send(new DescribeTableCommand({ TableName: tableName }));
  return Table?.ItemCount ?? 0;
}

export type CountersMode = 'reconcile' | 'backfill' | 'upgrade';

export async function reconcileCounters(
  context: AdminContext,
  mode: CountersMode,
  options: CounterOptions,
  progress: Progress,
): Promise<{ output: string; report: ReconcileReport }> {
  if (mode === 'upgrade' && (options.from !== undefined || options.to !== undefined)) {
    throw new CliError('counters upgrade covers every day; it takes no --from or --to');
  }
  const range = rangeOf(options);
  const segments = positiveInteger(options.segments, 'segments', 8, 1000);
  const settleMs = positiveInteger(options.settle, 'settle', 2_000, 600_000);
  const messagesTable = context.table('messages');
  const countersTable = context.table('counters');
  // Both tables must exist before anything is read or written.
  const estimate = await itemCount(context, messagesTable);
  await itemCount(context, countersTable);

  const started = Date.now();
  const store = new DynamoDbReconcileStore(context.documentClient, context.streams, {
    messagesTable,
    countersTable,
    segments,
    onScanProgress: ({ segmentsDone, items }) => {
      const elapsed = Date.now() - started;
      const rate = items / Math.max(elapsed / 1000, 0.001);
      const fraction = estimate > 0 ? Math.min(items / estimate, 1) : undefined;
      const eta = fraction && rate > 0 ? formatDuration(((estimate - items) / rate) * 1000) : '?';
      progress.update(
        `scanning ${messagesTable}: segments ${segmentsDone}/${segments}, ${items.toLocaleString('en')} items, ${Math.round(rate).toLocaleString('en')}/s, ETA ${eta}`,
        fraction,
      );
    },
  });
  if (mode === 'backfill' && (await store.dayCounterSpan()) !== undefined) {
    throw new CliError(
      `${countersTable} already holds counters; use \`counters reconcile\` to check and repair them`,
    );
  }

  const report = await reconcile(store, {
    ...(range ? { range } : {}),
    dryRun: options['dry-run'] === true,
    countedRoomTypes: context.countedRoomTypes,
    settleMs,
    onRound: (round) =>
      progress.update(
        `round ${round.round}: ${round.streamRecords.toLocaleString('en')} stream records, ${round.drifts} drifted counters, ${round.corrected} repaired, ${round.changedMeanwhile} changing under us`,
      ),
  });
  progress.done(
    `${mode}: scanned ${report.scannedMessages.toLocaleString('en')} messages with ${segments} segments and ${report.streamRecords.toLocaleString('en')} stream records in ${formatDuration(Date.now() - started)}`,
  );
  const dryRun = options['dry-run'] === true;
  let output = describeReport(mode, report, dryRun);
  if (mode === 'upgrade' && report.range.from) {
    // The quarter-hours now live in the new items, rebuilt from the recount; the old ones go,
    // unless some repair did not take (then the command says to run it again).
    const legacy =
      report.unresolved.length > 0 ? 0 : await store.deleteLegacyQuarterHours(report.range, dryRun);
    output += `\n${legacy.toLocaleString('en')} quarter-hour items of the previous layout ${dryRun ? 'would be' : 'were'} deleted.`;
  }
  return { output, report };
}

function describeReport(mode: string, report: ReconcileReport, dryRun: boolean): string {
  const lines: string[] = [];
  const { from, to } = report.range;
  if (report.drifts.length === 0) {
    lines.push(
      from
        ? `No drift: every counter from ${from} to ${to} matches the recount.`
        : 'No messages and no counters.',
    );
    return lines.join('\n');
  }
  const repaired = new Set(report.corrected.map((drift) => `${drift.unit} ${drift.period}`));
  const rows = [
    ['period', 'counter', 'recount', 'correction', dryRun ? '' : 'status'],
    ...report.drifts
      .slice(0, 60)
      .map((drift: Drift) => [
        drift.period,
        String(drift.counted),
        String(drift.expected),
        `${drift.correction > 0 ? '+' : ''}${drift.correction}`,
        dryRun ? '' : repaired.has(`${drift.unit} ${drift.period}`) ? 'repaired' : 'not repaired',
      ]),
  ];
  lines.push(...formatTable(rows));
  if (report.drifts.length > 60) lines.push(`… and ${report.drifts.length - 60} more`);
  const days = report.drifts.filter((drift) => drift.unit === 'day').length;
  lines.push(
    '',
    `${report.drifts.length} drifted counters (${days} days, ${report.drifts.length - days} quarter-hours) from ${from} to ${to}; ` +
      (dryRun
        ? 'nothing written (--dry-run).'
        : `${report.corrected.length} repaired${report.unresolved.length > 0 ? `, ${report.unresolved.length} kept changing: run ${mode} again` : ''}.`),
  );
  return lines.join('\n');
}
