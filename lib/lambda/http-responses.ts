// Every HTTP response the functions give: the request errors of messages-sent in one table
// (docs/architecture.md, Errors), and the routing answers of the HTTP adapters. Bodies are exactly
// what Rocket.Chat clients parse, and never carry a stack trace, token or AWS error.
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
  if (error.kind === 'service-unavailable') headers['retry-after'] = '1';
  return jsonResponse(statusCode, { success: false, error: error.message }, headers);
}

export const internalErrorResponse = (): HttpResponse =>
  jsonResponse(500, { success: false, error: 'Internal server error [error-internal]' });

/** A path the function does not serve. */
export const notFoundResponse = (error = 'Not found [error-not-found]'): HttpResponse =>
  jsonResponse(404, { success: false, error });

/** A method the route does not take, and the one it does. */
export const methodNotAllowedResponse = (allow: string, error: string): HttpResponse =>
  jsonResponse(405, { success: false, error }, { allow });
