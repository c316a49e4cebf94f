// Reads what deciding access needs: token, user and permission grant in one BatchGetItem.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dashboardPermission } from '../auth/access.js';
import type { StoredAuthItems } from '../auth/access-records.js';
import type { AccessLookup } from '../auth/credentials.js';
import type { AuthItemsSource } from '../report/messages-sent-service.js';
import { permissionKey, tokenKey, userKey } from './auth-keys.js';
import { batchGetAll, keyIdOf } from './batch-get.js';
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
    // Unprocessed keys are asked for again three times at most (0.28 s of pauses): every request
    // is answered, if only with 503, within a bound.
    const items = await batchGetAll(this.client, this.tableName, Object.values(keys), {
      maxRetries: this.maxUnprocessedRetries,
      firstPauseMs: 40,
    });
    const byKey = new Map(items.map((item) => [keyIdOf(item), item]));
    const find = (key: ItemKey) => byKey.get(keyIdOf(key));
    return { token: find(keys.token), user: find(keys.user), permission: find(keys.permission) };
  }
}
