// Every HTTP response the messages-sent function gives, in one table (docs/architecture.md, Errors). Bodies are
// exactly what Rocket.Chat clients parse, and never carry a stack trace, token or AWS error.
import type { RequestError, RequestErrorKind } from '../report/errors.js';

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const statusByKind: Record<RequestErrorKind, number> = {
  'not-authenticated': 401,
  'not-permitted': 403,
  'invalid-params': 400,
  'not-found': 404,
  'method-not-allowed': 405,
  'service-unavailable': 503,
};

const baseHeaders = {
  'content-type': 'application/json',
  // Answers depend on who asks; no shared cache may keep them.
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResponse {
  return { statusCode, headers: { ...baseHeaders, ...headers }, body: JSON.stringify(body) };
}

export function errorResponse(error: RequestError): HttpResponse {
  const statusCode = statusByKind[error.kind];
  if (error.kind === 'not-authenticated') {
    // Rocket.Chat's 401 carries the message twice, in its old and its new shape.
    return jsonResponse(statusCode, {
      success: false,
      error: error.message,
      status: 'error',
      message: error.message,
    });
  }
  const headers: Record<string, string> = {};
  if (error.kind === 'method-not-allowed') headers.allow = 'GET';
  if (error.kind === 'service-unavailable') headers['retry-after'] = '1';
  return jsonResponse(statusCode, { success: false, error: error.message }, headers);
}

export const internalErrorResponse = (): HttpResponse =>
  jsonResponse(500, { success: false, error: 'Internal server error [error-internal]' });
