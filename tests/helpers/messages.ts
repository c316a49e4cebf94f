// Message items as a Rocket.Chat-like chat backend writes them into the Messages table.
import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { putAll } from '../../lib/store/put-all.js';
import { localClient } from './tables.js';

export interface MessageItem {
  _id: string;
  rid: string;
  roomType: string;
  ts: string;
  msg?: string;
  t?: string;
  tmid?: string;
  _hidden?: boolean;
  editedAt?: string;
  u?: { _id: string; username: string };
  [attribute: string]: unknown;
}

export function messageItem(fields: Partial<MessageItem> & Pick<MessageItem, '_id'>): MessageItem {
  return {
    rid: 'GENERAL',
    roomType: 'c',
    ts: '2023-05-30T10:00:00.000Z',
    msg: 'hello',
    u: { _id: 'rbAXPnMktTFbNpwtJ', username: 'alice' },
    ...fields,
  };
}

export class MessagesTable {
  private readonly client = DynamoDBDocumentClient.from(localClient(), {
    marshallOptions: { removeUndefinedValues: true },
  });

  constructor(readonly tableName: string) {}

  async put(item: MessageItem): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: item }));
  }

  /** Many new messages at once (BatchWriteItem), in no particular order. */
  async putMany(items: MessageItem[]): Promise<void> {
    await putAll(this.client, this.tableName, items);
  }

  async delete(id: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { _id: id } }));
  }
}
