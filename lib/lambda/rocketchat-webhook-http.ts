// The HTTP side of POST /rocketchat/outgoing-webhook/{roomType}: reads the request out of either
// API Gateway payload format, and answers in JSON. A 2xx answer without `text` or `attachments`
// makes Rocket.Chat post nothing back into the room; a 503 makes it send the message again when
// the integration retries failed calls (it never retries after a 500, and turns the integration
// off after a 410).
import type { Logger } from '@aws-lambda-powertools/logger';
import type { WebhookOutcome, WebhookReceiver } from '../rocketchat/webhook-receiver.js';
import { maxWebhookBodyBytes } from '../rocketchat/webhook-receiver.js';
import { summarizeError } from './errors.js';
import {
  type HttpResponse,
  internalErrorResponse,
  jsonResponse,
  methodNotAllowedResponse,
  notFoundResponse,
} from './http-responses.js';

export const webhookRoute = '/rocketchat/outgoing-webhook/{roomType}';
// Under one stage segment too (`/prod/rocketchat/…`), as a REST API delivers the path.
const webhookPath = /^(?:\/[^/]+)?\/rocketchat\/outgoing-webhook\/([^/]*)\/?$/;

export interface WebhookRequest {
  method: string;
  /** Undefined when the path is not the webhook route. */
  roomType: string | undefined;
  body: string | undefined;
  bodyBytes: number;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown) => (typeof value === 'string' ? value : '');

export function isWebhookPath(path: string): boolean {
  return webhookPath.test(path);
}

/** The request in an API Gateway event (payload 2.0 or 1.0); undefined for any other event. */
export function readWebhookRequest(event: unknown): WebhookRequest | undefined {
  if (!isObject(event) || !isObject(event.requestContext)) return undefined;
  const http = isObject(event.requestContext.http) ? event.requestContext.http : undefined;
  const method = http ? text(http.method) : text(event.httpMethod);
  const path = http ? text(event.rawPath) || text(http.path) : text(event.path);
  if (!method) return undefined;
  const fromPath = webhookPath.exec(path)?.[1];
  const parameters = isObject(event.pathParameters) ? event.pathParameters : {};
  const roomType =
    fromPath === undefined ? undefined : text(parameters.roomType) || decodeSegment(fromPath);
  let body: string | undefined;
  let bodyBytes = 0;
  if (typeof event.body === 'string') {
    const bytes = Buffer.from(event.body, event.isBase64Encoded === true ? 'base64' : 'utf8');
    bodyBytes = bytes.length;
    body = bodyBytes > maxWebhookBodyBytes ? undefined : bytes.toString('utf8');
  }
  return { method, roomType, body, bodyBytes };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export async function answerWebhook(
  request: WebhookRequest | undefined,
  receiver: WebhookReceiver,
  logger: Logger,
): Promise<HttpResponse> {
  const started = Date.now();
  if (!request) return failure(400, 'Not an HTTP request [error-invalid-params]');
  if (request.roomType === undefined) return notFoundResponse();
  if (request.method !== 'POST') {
    return methodNotAllowedResponse('POST', 'Use POST [error-method-not-allowed]');
  }
  let outcome: WebhookOutcome;
  try {
    outcome = await receiver.receive(request.roomType, request.body, request.bodyBytes);
  } catch (error) {
    // Only a bug gets here: the receiver answers every failure of DynamoDB itself.
    logger.error('Unexpected failure answering a Rocket.Chat outgoing webhook', {
      error: summarizeError(error),
    });
    return internalErrorResponse();
  }
  const response = responseTo(outcome);
  // Never the token nor the text: what identifies the message and the outcome only.
  logger.info('Answered a Rocket.Chat outgoing webhook', {
    roomType: request.roomType.slice(0, 8),
    status: response.statusCode,
    outcome: outcome.kind === 'recorded' ? outcome.recorded : outcome.kind,
    ...(outcome.kind === 'recorded' ? { messageId: outcome.messageId } : {}),
    durationMs: Date.now() - started,
  });
  if (outcome.kind === 'unavailable') {
    logger.error('DynamoDB could not be used', { error: summarizeError(outcome.cause) });
  }
  return response;
}

function responseTo(outcome: WebhookOutcome): HttpResponse {
  switch (outcome.kind) {
    case 'recorded':
      return jsonResponse(200, { success: true });
    case 'unknown-room-type':
      return notFoundResponse('Not found: the room type is one of c, p, d [error-not-found]');
    case 'too-large':
      return failure(
        413,
        `The body is larger than ${maxWebhookBodyBytes / 1024} KB [error-too-large]`,
      );
    case 'malformed':
      return failure(
        400,
        `Not a message Rocket.Chat's outgoing webhook sends (${outcome.problems.join('; ').slice(0, 500)}) [error-invalid-params]`,
      );
    case 'not-authenticated':
      return failure(
        401,
        'The token is not a webhook token of this room type [error-unauthorized]',
      );
    case 'unavailable':
      return failure(
        503,
        'The message cannot be stored right now; send it again shortly [error-service-unavailable]',
        { 'retry-after': '1' },
      );
  }
}

const failure = (statusCode: number, error: string, headers: Record<string, string> = {}) =>
  jsonResponse(statusCode, { success: false, error }, headers);
