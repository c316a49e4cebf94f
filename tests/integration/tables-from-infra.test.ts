import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { readWholeStream, streamArnOf } from '../helpers/stream.js';
import { localClient, useTestTables } from '../helpers/tables.js';

const tables = await useTestTables();
const client = localClient();

describe('tables created from infra/tables.yml', () => {
  it('keys, billing and time-to-live follow the template', async () => {
    const describe = async (TableName: string) =>
      (await client.send(new DescribeTableCommand({ TableName }))).Table;

    const messages = await describe(tables.messages);
    expect(messages?.KeySchema).toEqual([{ AttributeName: '_id', KeyType: 'HASH' }]);
    expect(messages?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(messages?.StreamSpecification).toEqual({
      StreamEnabled: true,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    });

    for (const name of [tables.counters, tables.auth]) {
      expect((await describe(name))?.KeySchema).toEqual([
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ]);
      const { TimeToLiveDescription } = await client.send(
        new DescribeTimeToLiveCommand({ TableName: name }),
      );
      expect(TimeToLiveDescription).toEqual({
        TimeToLiveStatus: 'ENABLED',
        AttributeName: 'expiresAt',
      });
    }
  });

  it('a message written to the Messages table comes back through its stream with both images', async () => {
    await client.send(
      new PutItemCommand({
        TableName: tables.messages,
        Item: {
          _id: { S: 'm1' },
          rid: { S: 'GENERAL' },
          roomType: { S: 'c' },
          ts: { S: '2023-05-30T10:00:00.000Z' },
        },
      }),
    );
    await client.send(
      new PutItemCommand({
        TableName: tables.messages,
        Item: {
          _id: { S: 'm1' },
          rid: { S: 'GENERAL' },
          roomType: { S: 'c' },
          ts: { S: '2023-05-30T10:00:00.000Z' },
          editedAt: { S: '2023-05-30T10:05:00.000Z' },
        },
      }),
    );

    const records = await readWholeStream(await streamArnOf(tables.messages));

    expect(records.map((record) => record.eventName)).toEqual(['INSERT', 'MODIFY']);
    const [insert, modify] = records;
    expect(insert?.dynamodb?.Keys).toEqual({ _id: { S: 'm1' } });
    expect(insert?.dynamodb?.NewImage?.ts).toEqual({ S: '2023-05-30T10:00:00.000Z' });
    expect(insert?.dynamodb?.OldImage).toBeUndefined();
    expect(modify?.dynamodb?.OldImage?.editedAt).toBeUndefined();
    expect(modify?.dynamodb?.NewImage?.editedAt).toEqual({ S: '2023-05-30T10:05:00.000Z' });
    expect(BigInt(modify?.dynamodb?.SequenceNumber ?? 0)).toBeGreaterThan(
      BigInt(insert?.dynamodb?.SequenceNumber ?? 0),
    );
  });
});
