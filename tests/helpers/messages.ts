// Message items as a Rocket.Chat-like chat backend writes them into the Messages table.
import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
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
    const batches: MessageItem[][] = [];
    for (let at = 0; at < items.length; at += 25) batches.push(items.slice(at, at + 25));
    for (let at = 0; at < batches.length; at += 8) {
      await Promise.all(
        batches.slice(at, at + 8).map(async (batch) => {
          let pending = batch.map((Item) => ({ PutRequest: { Item } }));
          while (pending.length > 0) {
            const { UnprocessedItems } = await this.client.send(
              new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }),
            );
            pending = (UnprocessedItems?.[this.tableName] ?? []) as typeof pending;
          }
        }),
      );
    }
  }

  async delete(id: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { _id: id } }));
  }
}
