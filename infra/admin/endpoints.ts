// Where the admin commands' DynamoDB and DynamoDB Streams requests go, and which setting says so,
// following the AWS SDK's documented endpoint variables: AWS_ENDPOINT_URL_DYNAMODB,
// AWS_ENDPOINT_URL_DYNAMODB_STREAMS, then AWS_ENDPOINT_URL, then the region's AWS endpoint.
//
// One step beyond the SDK: with only AWS_ENDPOINT_URL_DYNAMODB set (a DynamoDB Local, or any
// DynamoDB-compatible service), the streams of its tables are served there too, not by AWS.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';

export type EndpointService = 'DynamoDB' | 'DynamoDB Streams';

export interface Endpoint {
  service: EndpointService;
  /** A URL, or "the AWS endpoint in <region>". */
  where: string;
  /** What to check when it cannot be reached: the setting that points there. */
  setting: string;
  /** A URL the client must be given because the SDK would not choose it by itself. */
  explicitUrl?: string;
}

type Environment = Record<string, string | undefined>;

export function adminEndpoints(env: Environment = process.env): {
  dynamoDb: Endpoint;
  streams: Endpoint;
} {
  const set = (name: string) =>
    env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true' ? undefined : env[name] || undefined;
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || 'the profile region';
  const awsEndpoint = (service: EndpointService, variable: string): Endpoint => ({
    service,
    where: `the AWS endpoint in ${region}`,
    setting: `the region, or set ${variable}`,
  });
  const dynamoDbUrl = set('AWS_ENDPOINT_URL_DYNAMODB');
  const streamsUrl = set('AWS_ENDPOINT_URL_DYNAMODB_STREAMS');
  const anyUrl = set('AWS_ENDPOINT_URL');

  const dynamoDb: Endpoint = dynamoDbUrl
    ? {
        service: 'DynamoDB',
        where: dynamoDbUrl,
        setting: 'the region and AWS_ENDPOINT_URL_DYNAMODB',
      }
    : anyUrl
      ? { service: 'DynamoDB', where: anyUrl, setting: 'AWS_ENDPOINT_URL' }
      : awsEndpoint('DynamoDB', 'AWS_ENDPOINT_URL_DYNAMODB');

  const streams: Endpoint = streamsUrl
    ? {
        service: 'DynamoDB Streams',
        where: streamsUrl,
        setting: 'the region and AWS_ENDPOINT_URL_DYNAMODB_STREAMS',
      }
    : dynamoDbUrl
      ? {
          service: 'DynamoDB Streams',
          where: dynamoDbUrl,
          setting:
            'the region and AWS_ENDPOINT_URL_DYNAMODB (used for DynamoDB Streams too while AWS_ENDPOINT_URL_DYNAMODB_STREAMS is unset)',
          explicitUrl: dynamoDbUrl,
        }
      : anyUrl
        ? { service: 'DynamoDB Streams', where: anyUrl, setting: 'AWS_ENDPOINT_URL' }
        : awsEndpoint('DynamoDB Streams', 'AWS_ENDPOINT_URL_DYNAMODB_STREAMS');

  return { dynamoDb, streams };
}

const endpointOfError = Symbol('endpoint');

/** The endpoint a failed request was sent to, as `nameEndpointInErrors` recorded it. */
export function endpointOf(error: unknown): Endpoint | undefined {
  return typeof error === 'object' && error !== null
    ? (error as { [endpointOfError]?: Endpoint })[endpointOfError]
    : undefined;
}

/**
 * Records on every error of the client's requests where they were sent, so that an error message
 * names the setting of the service that failed — not the other one of the two.
 */
export function nameEndpointInErrors(
  client: DynamoDBClient | DynamoDBStreamsClient,
  endpoint: Endpoint,
): void {
  // Both clients' stacks take the same initialize middleware; one type serves both.
  (client as DynamoDBClient).middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (typeof error === 'object' && error !== null && Object.isExtensible(error)) {
          Object.defineProperty(error, endpointOfError, { value: endpoint, configurable: true });
        }
        throw error;
      }
    },
    { step: 'initialize', name: 'nameEndpointInErrors' },
  );
}
