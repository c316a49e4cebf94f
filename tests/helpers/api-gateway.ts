// Events as API Gateway and EventBridge deliver them to the messages-sent function.
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, EventBridgeEvent } from 'aws-lambda';

export const route = '/api/v1/engagement-dashboard/messages/messages-sent';

export interface RequestShape {
  method?: string;
  path?: string;
  /** Query parameters, each with one or more values. */
  query?: Record<string, string | string[]> | null;
  headers?: Record<string, string>;
  /** Headers the client sent more than once, each with its values in order. */
  repeatedHeaders?: Record<string, string[]>;
}

/**
 * Payload format 2.0 (HTTP API): lower-case headers, repeated query values and repeated headers
 * joined by commas.
 */
export function httpApiEvent({
  method = 'GET',
  path = route,
  query = {},
  headers: sentOnce = {},
  repeatedHeaders = {},
}: RequestShape = {}): APIGatewayProxyEventV2 {
  const headers = { ...sentOnce };
  for (const [name, values] of Object.entries(repeatedHeaders)) headers[name] = values.join(',');
  const entries = Object.entries(query ?? {}).flatMap(([key, value]) =>
    (Array.isArray(value) ? value : [value]).map((item) => [key, item] as const),
  );
  const joined: Record<string, string> = {};
  for (const [key, value] of entries)
    joined[key] = joined[key] === undefined ? value : `${joined[key]},${value}`;
  return {
    version: '2.0',
    routeKey: `GET ${route}`,
    rawPath: path,
    rawQueryString: new URLSearchParams(
      entries.map(([k, v]): [string, string] => [k, v]),
    ).toString(),
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
    ...(query === null || entries.length === 0 ? {} : { queryStringParameters: joined }),
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'request',
      routeKey: `GET ${route}`,
      stage: '$default',
      time: '30/May/2023:00:00:00 +0000',
      timeEpoch: 1685404800000,
    },
    isBase64Encoded: false,
  };
}

/**
 * Payload format 1.0 (REST API): headers as sent, a repeated one as its last value in `headers`
 * and as all of them in `multiValueHeaders`; repeated query values kept apart.
 */
export function restApiEvent({
  method = 'GET',
  path = route,
  query = {},
  headers: sentOnce = {},
  repeatedHeaders = {},
}: RequestShape = {}): APIGatewayProxyEvent {
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(sentOnce)) multiValueHeaders[name] = [value];
  Object.assign(multiValueHeaders, repeatedHeaders);
  const headers = Object.fromEntries(
    Object.entries(multiValueHeaders).map(([name, values]) => [name, values.at(-1) as string]),
  );
  const multi =
    query === null
      ? null
      : Object.fromEntries(Object.entries(query).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
  const single =
    multi === null
      ? null
      : Object.fromEntries(Object.entries(multi).map(([k, v]) => [k, v.at(-1) as string]));
  return {
    httpMethod: method,
    path,
    resource: route,
    headers,
    multiValueHeaders,
    queryStringParameters: single,
    multiValueQueryStringParameters: multi,
    pathParameters: null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      authorizer: {},
      httpMethod: method,
      identity: {} as APIGatewayProxyEvent['requestContext']['identity'],
      path,
      protocol: 'HTTP/1.1',
      requestId: 'request',
      requestTimeEpoch: 1685404800000,
      resourceId: 'resource',
      resourcePath: route,
      stage: 'prod',
    },
  };
}

export function scheduledEvent(
  time: string,
): EventBridgeEvent<'Scheduled Event', Record<string, never>> {
  return {
    version: '0',
    id: `schedule-${time}`,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time,
    region: 'us-east-1',
    resources: ['arn:aws:events:us-east-1:123456789012:rule/engagement-dashboard-report'],
    detail: {},
  };
}
