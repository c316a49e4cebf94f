// Where the admin tools send DynamoDB and DynamoDB Streams requests, from the environment alone.
import { describe, expect, it } from 'vitest';
import { adminEndpoints } from '../../infra/admin/endpoints.js';

const local = 'http://127.0.0.1:8000';

describe('adminEndpoints', () => {
  it('sends DynamoDB Streams to AWS_ENDPOINT_URL_DYNAMODB when only that is set, and says so', () => {
    const { dynamoDb, streams } = adminEndpoints({ AWS_ENDPOINT_URL_DYNAMODB: local });
    expect(dynamoDb).toEqual({
      service: 'DynamoDB',
      where: local,
      setting: 'the region and AWS_ENDPOINT_URL_DYNAMODB',
    });
    expect(streams).toMatchObject({
      service: 'DynamoDB Streams',
      where: local,
      explicitUrl: local,
    });
    expect(streams.setting).toMatch(/AWS_ENDPOINT_URL_DYNAMODB \(used for DynamoDB Streams too/);
  });

  it('leaves each service to its own variable when both are set (the SDK picks them itself)', () => {
    const { dynamoDb, streams } = adminEndpoints({
      AWS_ENDPOINT_URL_DYNAMODB: local,
      AWS_ENDPOINT_URL_DYNAMODB_STREAMS: 'http://127.0.0.1:8001',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9999',
    });
    expect(dynamoDb.where).toBe(local);
    expect(streams).toEqual({
      service: 'DynamoDB Streams',
      where: 'http://127.0.0.1:8001',
      setting: 'the region and AWS_ENDPOINT_URL_DYNAMODB_STREAMS',
    });
  });

  it('names AWS_ENDPOINT_URL when only it is set, with nothing for the client to override', () => {
    const { dynamoDb, streams } = adminEndpoints({ AWS_ENDPOINT_URL: local });
    for (const endpoint of [dynamoDb, streams]) {
      expect(endpoint).toMatchObject({ where: local, setting: 'AWS_ENDPOINT_URL' });
      expect(endpoint.explicitUrl).toBeUndefined();
    }
  });

  it("names the region's AWS endpoint without any endpoint variable, or when they are to be ignored", () => {
    for (const env of [
      { AWS_REGION: 'eu-west-1' },
      {
        AWS_REGION: 'eu-west-1',
        AWS_ENDPOINT_URL_DYNAMODB: local,
        AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true',
      },
    ]) {
      const { dynamoDb, streams } = adminEndpoints(env);
      expect(dynamoDb).toEqual({
        service: 'DynamoDB',
        where: 'the AWS endpoint in eu-west-1',
        setting: 'the region, or set AWS_ENDPOINT_URL_DYNAMODB',
      });
      expect(streams).toEqual({
        service: 'DynamoDB Streams',
        where: 'the AWS endpoint in eu-west-1',
        setting: 'the region, or set AWS_ENDPOINT_URL_DYNAMODB_STREAMS',
      });
    }
  });
});
