// Lambda entry for GET /api/v1/engagement-dashboard/messages/messages-sent, for direct invocations
// from other Lambdas, and for the scheduled report (design §2).
//
// Only API Gateway requests are authenticated with x-user-id and x-auth-token. A direct invocation
// or a scheduled event can only come from a principal IAM allowed to invoke this function, so it
// is answered without a token.
import { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { loadConfig, queryConfigSchema } from '../lib/config.js';
import { beginInvocation, requestKeys } from '../lib/lambda/log-context.js';
import {
  answerDirect,
  answerHttp,
  answerScheduled,
  answerUnrecognised,
} from '../lib/lambda/messages-sent-callers.js';
import { classifyEvent } from '../lib/lambda/query-events.js';
import { MessagesSentService } from '../lib/report/messages-sent-service.js';
import { AuthDirectory } from '../lib/store/auth-directory.js';
import { createDocumentClient } from '../lib/store/client.js';
import { CounterReader } from '../lib/store/period-counters.js';
import { ReportArchive } from '../lib/store/report-archive.js';

const config = loadConfig(queryConfigSchema);
const logger = new Logger();
// Metrics belong to the scheduled report alone: loaded with its first event, not at every cold
// start of a function that mostly answers HTTP requests.
let reportMetrics: Promise<Metrics> | undefined;
const metricsForReports = () =>
  (reportMetrics ??= import('@aws-lambda-powertools/metrics').then(
    ({ Metrics: ReportMetrics }) => new ReportMetrics(),
  ));
const client = createDocumentClient(config.dynamoDb);
const service = new MessagesSentService(
  {
    auth: new AuthDirectory(client, config.authTable),
    counters: new CounterReader(client, config.countersTable),
    reports: new ReportArchive(client, config.countersTable),
    now: Date.now,
  },
  { days: config.reportDays, timeZone: config.reportTimeZone },
);

export const handler = async (event: unknown, context: Context) => {
  beginInvocation(logger, context, requestKeys(event));
  const request = classifyEvent(event);
  switch (request.kind) {
    case 'http':
      return answerHttp(request.request, service, logger);
    case 'direct':
      return answerDirect(request.parameters, service, logger);
    case 'scheduled':
      return answerScheduled(request.time, service, logger, await metricsForReports());
    case 'unrecognised':
      return answerUnrecognised();
  }
};
