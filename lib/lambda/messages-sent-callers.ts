// How each kind of caller of the messages-sent function is answered, logged and measured.
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { UnreadableAuthData } from '../auth/access.js';
import { invalidParams, RequestError } from '../report/errors.js';
import type { MessagesSentReport } from '../report/messages-sent-report.js';
import type { MessagesSentService } from '../report/messages-sent-service.js';
import type { RawParameters } from '../report/query-parameters.js';
import { dayName } from '../utc-calendar.js';
import { summarizeError, withoutStack } from './errors.js';
import {
  errorResponse,
  type HttpResponse,
  internalErrorResponse,
  jsonResponse,
  methodNotAllowedResponse,
  notFoundResponse,
} from './http-responses.js';
import { type HttpRequest, isMessagesSentPath } from './query-events.js';

export async function answerHttp(
  request: HttpRequest,
  service: MessagesSentService,
  logger: Logger,
): Promise<HttpResponse> {
  const started = Date.now();
  let response: HttpResponse;
  if (!isMessagesSentPath(request.path)) {
    response = notFoundResponse();
  } else if (request.method !== 'GET') {
    response = methodNotAllowedResponse(
      'GET',
      `The method ${request.method.slice(0, 16)} is not allowed here; use GET [error-method-not-allowed]`,
    );
  } else {
    try {
      const report = await service.answerAuthenticated(
        { userId: request.headers['x-user-id'], token: request.headers['x-auth-token'] },
        request.query,
      );
      response = jsonResponse(200, report);
    } catch (error) {
      response = failureResponse(error, logger);
    }
  }
  // Never the token, nor any header: only what identifies the request and its outcome.
  logger.info('Answered messages-sent', {
    method: request.method.slice(0, 16),
    status: response.statusCode,
    durationMs: Date.now() - started,
    userId: request.headers['x-user-id']?.slice(0, 64),
  });
  return response;
}

function failureResponse(error: unknown, logger: Logger): HttpResponse {
  if (!(error instanceof RequestError)) {
    logger.error('Unexpected failure answering messages-sent', { error: summarizeError(error) });
    return internalErrorResponse();
  }
  if (error.kind === 'service-unavailable') {
    logger.error('DynamoDB could not be read', { error: summarizeError(error.cause) });
  }
  if (error.cause instanceof UnreadableAuthData) {
    // Stored auth data an operator must fix; it names the item and attributes, never a token.
    logger.error('Access refused: auth data cannot be read', {
      item: error.cause.unreadable.item,
      problems: error.cause.unreadable.problems,
    });
  }
  return errorResponse(error);
}

export type DirectAnswer = MessagesSentReport | { success: false; error: string };

/**
 * Another Lambda's invocation: the report, or `{ success: false, error }` for bad parameters.
 * Infrastructure failures are thrown, so the invoker gets a function error it can retry.
 */
export async function answerDirect(
  parameters: RawParameters,
  service: MessagesSentService,
  logger: Logger,
): Promise<DirectAnswer> {
  try {
    return await service.answerTrusted(parameters);
  } catch (error) {
    if (error instanceof RequestError) return { success: false, error: error.message };
    logger.error('Could not answer a direct invocation', { error: summarizeError(error) });
    throw withoutStack(error);
  }
}

export function answerUnrecognised(): DirectAnswer {
  return {
    success: false,
    error: invalidParams(
      'The event is neither an API Gateway request, a scheduled event, nor {"start": …, "end": …}',
    ).message,
  };
}

// MetricUnit.Count, without loading the metrics module that only the scheduled report uses.
const count = 'Count';

export async function answerScheduled(
  eventTime: string,
  service: MessagesSentService,
  logger: Logger,
  metrics: Metrics,
): Promise<MessagesSentReport> {
  try {
    const { window, report } = await service.scheduledReport(eventTime);
    logger.info('Messages-sent report', {
      eventTime,
      startDay: dayName(window.startDay),
      endDay: dayName(window.endDay),
      days: window.days,
      period: report.period,
      yesterday: report.yesterday,
    });
    metrics.addDimension('ReportDays', String(window.days));
    metrics.addMetric('MessagesSentPeriod', count, report.period.count);
    metrics.addMetric('MessagesSentPeriodVariation', count, report.period.variation);
    metrics.addMetric('MessagesSentYesterday', count, report.yesterday.count);
    metrics.addMetric('MessagesSentYesterdayVariation', count, report.yesterday.variation);
    return report;
  } catch (error) {
    logger.error('Could not produce the scheduled report', {
      eventTime,
      error: summarizeError(error),
    });
    throw withoutStack(error);
  } finally {
    metrics.publishStoredMetrics();
  }
}
