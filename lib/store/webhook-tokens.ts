// The hashed tokens Rocket.Chat's outgoing webhooks must send, one partition per room type
// (key layout: auth-keys.ts). The webhook function only ever looks one up; the admin tool makes,
// lists and revokes them.
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import type { WebhookTokenSource } from '../rocketchat/webhook-receiver.js';
import { webhookPartition, webhookTokenKey } from './auth-keys.js';
import { tokenItemsOf } from './token-items.js';

export interface WebhookToken {
  roomType: string;
  hashedToken: string;
  name?: string;
  createdAt: string;
}

export class WebhookTokens implements WebhookTokenSource {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async isKnown(roomType: string, hashedToken: string): Promise<boolean> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: webhookTokenKey(roomType, hashedToken),
        ProjectionExpression: 'pk',
        // A token made a moment ago must work at once, and one revoked must stop.
        ConsistentRead: true,
      }),
    );
    return Item !== undefined;
  }

  /** Every token that may post messages of this room type. */
  async forRoomType(roomType: string): Promise<WebhookToken[]> {
    const items = await tokenItemsOf(this.client, this.tableName, webhookPartition(roomType));
    return items.map(({ hashedToken, attributes: { name, createdAt } }) => ({
      roomType,
      hashedToken,
      ...(typeof name === 'string' ? { name } : {}),
      createdAt: String(createdAt),
    }));
  }

  async create({ roomType, hashedToken, ...token }: WebhookToken): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...webhookTokenKey(roomType, hashedToken), roomType, ...token },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /** Deletes a token; false when there was none. Requests with it get 401 from then on. */
  async revoke(roomType: string, hashedToken: string): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: webhookTokenKey(roomType, hashedToken),
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}
