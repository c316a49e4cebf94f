// Reads what deciding access needs: token, user and permission grant in one BatchGetItem.
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dashboardPermission } from '../auth/access.js';
import type { StoredAuthItems } from '../auth/access-records.js';
import type { AccessLookup } from '../auth/credentials.js';
import type { AuthItemsSource } from '../report/messages-sent-service.js';
import { permissionKey, tokenKey, userKey } from './auth-keys.js';
import type { ItemKey } from './item-key.js';

export class AuthDirectory implements AuthItemsSource {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly maxUnprocessedRetries = 3,
  ) {}

  /** The token, user and permission items an access decision needs, as stored. */
  async authItems({ userId, hashedToken }: AccessLookup): Promise<StoredAuthItems> {
    const keys = {
      token: tokenKey(userId, hashedToken),
      user: userKey(userId),
      permission: permissionKey(dashboardPermission),
    };
    const items = await this.batchGet(Object.values(keys));
    const find = (key: ItemKey) => items.find((item) => item.pk === key.pk && item.sk === key.sk);
    return { token: find(keys.token), user: find(keys.user), permission: find(keys.permission) };
  }

  private async batchGet(keys: ItemKey[]): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let pending: ItemKey[] = keys;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > this.maxUnprocessedRetries) {
        throw new Error('DynamoDB left auth keys unprocessed after retries');
      }
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
      const response = await this.client.send(
        new BatchGetCommand({
          RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } },
        }),
      );
      items.push(...(response.Responses?.[this.tableName] ?? []));
      pending = (response.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as ItemKey[];
    }
    return items;
  }
}
