// Writes to the Auth table: users' roles, permission grants and hashed tokens. Used by the admin
// command line and the local stack's demo data.
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { StoredToken } from '../auth/access.js';
import type { ImportedToken } from '../auth/rocketchat-tokens.js';
import { permissionKey, tokenKey, userKey, userPartition } from './auth-keys.js';
import { tokenItemsOf } from './token-items.js';

export interface NewToken extends StoredToken {
  hashedToken: string;
  name?: string;
  /** Set on tokens imported from Rocket.Chat. */
  origin?: 'rocketchat';
}

export interface ListedToken extends StoredToken {
  hashedToken: string;
  name?: string;
  origin?: 'rocketchat';
}

export class AuthAdmin {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async putUser(userId: string, roles: readonly string[], username?: string): Promise<void> {
    await this.put({ ...userKey(userId), userId, roles: [...roles], username });
  }

  async putPermissionRoles(permission: string, roles: readonly string[]): Promise<void> {
    await this.put({ ...permissionKey(permission), permission, roles: [...roles] });
  }

  /** Stores a new token; refuses (ConditionalCheckFailedException) one that is already stored. */
  async putToken({ hashedToken, ...token }: NewToken): Promise<void> {
    await this.put(
      { ...tokenKey(token.userId, hashedToken), ...token },
      'attribute_not_exists(pk)',
    );
  }

  /**
   * Stores a token imported from Rocket.Chat, or brings a stored one up to date. A revocation made
   * here is kept: `revokedAt` is never written.
   */
  async putImportedToken({ hashedToken, expiresAt, ...token }: ImportedToken): Promise<void> {
    const fields = Object.entries(token);
    const set = fields.map((_, index) => `#f${index} = :f${index}`);
    if (expiresAt !== undefined) set.push('expiresAt = :expiresAt');
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: tokenKey(token.userId, hashedToken),
        UpdateExpression: `SET ${set.join(', ')}${expiresAt === undefined ? ' REMOVE expiresAt' : ''}`,
        ExpressionAttributeNames: Object.fromEntries(
          fields.map(([name], index) => [`#f${index}`, name]),
        ),
        ExpressionAttributeValues: Object.fromEntries([
          ...fields.map(([, value], index) => [`:f${index}`, value]),
          ...(expiresAt === undefined ? [] : [[':expiresAt', expiresAt]]),
        ]),
      }),
    );
  }

  /** The user's roles, or undefined when there is no such user. */
  async userRoles(userId: string): Promise<string[] | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: userKey(userId), ConsistentRead: true }),
    );
    return Item ? ((Item.roles as string[] | undefined) ?? []) : undefined;
  }

  /** The roles granted a permission, or undefined when no grant is stored. */
  async permissionRoles(permission: string): Promise<string[] | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: permissionKey(permission),
        ConsistentRead: true,
      }),
    );
    return Item ? ((Item.roles as string[] | undefined) ?? []) : undefined;
  }

  async tokens(userId: string): Promise<ListedToken[]> {
    const items = await tokenItemsOf(this.client, this.tableName, userPartition(userId));
    return items.map(({ hashedToken, attributes }) => ({
      ...(attributes as unknown as StoredToken),
      hashedToken,
    }));
  }

  /** Marks a token revoked; false when it does not exist. The next request with it gets 401. */
  async revokeToken(userId: string, hashedToken: string, revokedAt: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: tokenKey(userId, hashedToken),
          UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :at)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': revokedAt },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  private async put(item: Record<string, unknown>, ConditionExpression?: string): Promise<void> {
    const Item = Object.fromEntries(
      Object.entries(item).filter(([, value]) => value !== undefined),
    );
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item,
        ...(ConditionExpression ? { ConditionExpression } : {}),
      }),
    );
  }
}
