// Keeps the scheduled reports in the Counters table, one item per report window.
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DayWindow } from '../report/day-window.js';
import type { MessagesSentReport } from '../report/messages-sent-report.js';
import type { ReportStore } from '../report/messages-sent-service.js';
import { dayName } from '../utc-calendar.js';
import { reportKey } from './counter-keys.js';

export class ReportArchive implements ReportStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Stores the report of a window, replacing any earlier one: a repeated event rewrites it. */
  async saveReport(
    window: DayWindow,
    report: MessagesSentReport,
    createdAt: string,
  ): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...reportKey(window.days, dayName(window.endDay), window.timeZone),
          startDay: dayName(window.startDay),
          endDay: dayName(window.endDay),
          timeZone: window.timeZone ?? 'UTC',
          report,
          createdAt,
        },
      }),
    );
  }
}
