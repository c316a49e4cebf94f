// Recognises the four kinds of event the messages-sent function receives (docs/architecture.md) from the
// event itself, and reads an HTTP request out of either API Gateway payload format.
import type { RawParameters } from '../report/query-parameters.js';

export const messagesSentRoute = '/api/v1/engagement-dashboard/messages/messages-sent';

export interface HttpRequest {
  method: string;
  path: string;
  /** Header names in lower case: HTTP header names are case-insensitive. */
  headers: Record<string, string>;
  query: RawParameters;
}

export type QueryEvent =
  | { kind: 'http'; request: HttpRequest }
  | { kind: 'scheduled'; time: string; id?: string }
  | { kind: 'direct'; parameters: RawParameters }
  | { kind: 'unrecognised' };

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
// Never String(value): an event is untrusted input, and String() runs its toString().
const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const strings = (value: unknown): Record<string, string> =>
  isObject(value)
    ? Object.fromEntries(
        Object.entries(value).filter(
          (entry): entry is [string, string] => typeof entry[1] === 'string',
        ),
      )
    : {};

export function classifyEvent(event: unknown): QueryEvent {
  if (!isObject(event)) return { kind: 'unrecognised' };
  const context = isObject(event.requestContext) ? event.requestContext : undefined;
  if (event.version === '2.0' && context && isObject(context.http)) {
    return { kind: 'http', request: fromHttpApi(event, context.http) };
  }
  if (typeof event.httpMethod === 'string' && context) {
    return { kind: 'http', request: fromRestApi(event) };
  }
  if (event['detail-type'] === 'Scheduled Event') {
    const time = typeof event.time === 'string' ? event.time : '';
    return typeof event.id === 'string'
      ? { kind: 'scheduled', time, id: event.id }
      : { kind: 'scheduled', time };
  }
  // A direct invocation: { "start": …, "end": … }. Only string values can be valid parameters.
  const parameters: RawParameters = {};
  for (const key of ['start', 'end', 'timezone']) {
    if (key in event) parameters[key] = typeof event[key] === 'string' ? [event[key]] : [];
  }
  return { kind: 'direct', parameters };
}

/** Payload format 2.0: headers already in lower case; repeated query keys joined by commas. */
function fromHttpApi(event: Json, http: Json): HttpRequest {
  const query: RawParameters = {};
  for (const [key, value] of Object.entries(strings(event.queryStringParameters))) {
    query[key] = [value];
  }
  return {
    method: text(http.method),
    path: text(event.rawPath) || text(http.path),
    headers: joinedHeaders(Object.entries(strings(event.headers)).map(([name, v]) => [name, [v]])),
    query,
  };
}

/**
 * Payload format 1.0: headers as sent, a repeated one as its last value in `headers` and as every
 * value in `multiValueHeaders`; every value of a repeated query key kept apart.
 */
function fromRestApi(event: Json): HttpRequest {
  const query: RawParameters = {};
  const multi = isObject(event.multiValueQueryStringParameters)
    ? event.multiValueQueryStringParameters
    : undefined;
  if (multi) {
    for (const [key, values] of Object.entries(multi)) {
      if (Array.isArray(values))
        query[key] = values.filter((v): v is string => typeof v === 'string');
    }
  } else {
    for (const [key, value] of Object.entries(strings(event.queryStringParameters))) {
      query[key] = [value];
    }
  }
  const repeated = isObject(event.multiValueHeaders) ? event.multiValueHeaders : {};
  const given: [string, string[]][] = Object.entries(repeated).map(([name, values]) => [
    name,
    Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string') : [],
  ]);
  const seen = new Set(given.map(([name]) => name.toLowerCase()));
  for (const [name, value] of Object.entries(strings(event.headers))) {
    if (!seen.has(name.toLowerCase())) given.push([name, [value]]);
  }
  return {
    method: text(event.httpMethod),
    path: text(event.path),
    headers: joinedHeaders(given),
    query,
  };
}

/**
 * Headers by lower-case name, each sent more than once (in any letter case) read as Rocket.Chat's
 * server (Node.js) reads it: its values joined by ", ". So a token given twice is one value that
 * matches no stored token, rather than whichever copy came last.
 */
function joinedHeaders(given: [string, string[]][]): Record<string, string> {
  const byName = new Map<string, string[]>();
  for (const [name, values] of given) {
    const key = name.toLowerCase();
    byName.set(key, (byName.get(key) ?? []).concat(values));
  }
  return Object.fromEntries([...byName].map(([name, values]) => [name, values.join(', ')]));
}

/** Whether the path is the route, optionally under one stage segment (`/prod/api/v1/…`). */
export function isMessagesSentPath(path: string): boolean {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  if (trimmed === messagesSentRoute) return true;
  const stage = trimmed.indexOf('/', 1);
  return stage > 0 && trimmed.slice(stage) === messagesSentRoute;
}
