// Writes to the Auth table: users' roles, permission grants and hashed tokens. Used by the admin
// command line and the local stack's demo data.
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { StoredToken } from '../auth/access.js';
import { permissionKey, tokenKey, userKey } from './auth-keys.js';

export interface NewToken extends StoredToken {
  hashedToken: string;
  name?: string;
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

  async putToken({ hashedToken, ...token }: NewToken): Promise<void> {
    await this.put({ ...tokenKey(token.userId, hashedToken), ...token });
  }

  private async put(item: Record<string, unknown>): Promise<void> {
    const Item = Object.fromEntries(
      Object.entries(item).filter(([, value]) => value !== undefined),
    );
    await this.client.send(new PutCommand({ TableName: this.tableName, Item }));
  }
}
