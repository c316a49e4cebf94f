// Reads what deciding access needs: token, user and permission grant in one BatchGetItem.
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { type AccessRecords, dashboardPermission, type UnreadableItem } from '../auth/access.js';
import { permissionKey, tokenKey, userKey } from './auth-keys.js';
import type { ItemKey } from './counter-keys.js';

const storedTokenSchema = z.object({
  userId: z.string(),
  type: z.enum(['login', 'personalAccessToken']),
  createdAt: z.string(),
  expiresAt: z.optional(z.number()),
  revokedAt: z.optional(z.string()),
});
const rolesSchema = z.object({ roles: z.array(z.string()) });

export interface AccessLookup {
  userId: string;
  hashedToken: string;
}

export class AuthDirectory {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly maxUnprocessedRetries = 3,
  ) {}

  async accessRecords({ userId, hashedToken }: AccessLookup): Promise<AccessRecords> {
    const token = tokenKey(userId, hashedToken);
    const user = userKey(userId);
    const permission = permissionKey(dashboardPermission);
    const items = await this.batchGet([token, user, permission]);
    const find = (key: ItemKey) => items.find((item) => item.pk === key.pk && item.sk === key.sk);

    // An item that is there but does not parse is reported, never taken as absent: an absent grant
    // means the admin default, and access must not be granted by accident.
    const records: AccessRecords = {};
    const unreadable: UnreadableItem[] = [];
    const read = <T>(item: UnreadableItem['item'], schema: z.ZodMiniType<T>, found: unknown) => {
      if (found === undefined) return undefined;
      const parsed = schema.safeParse(found);
      if (parsed.success) return parsed.data;
      unreadable.push({
        item,
        problems: parsed.error.issues.map(
          (issue) => `${issue.path.join('.') || item}: ${issue.code}`,
        ),
      });
      return undefined;
    };
    const storedToken = read('token', storedTokenSchema, find(token));
    if (storedToken) records.token = stripUndefined(storedToken);
    const userRoles = read('user', rolesSchema, find(user));
    if (userRoles) records.userRoles = userRoles.roles;
    const permitted = read('permission', rolesSchema, find(permission));
    if (permitted) records.permittedRoles = permitted.roles;
    if (unreadable.length > 0) records.unreadable = unreadable;
    return records;
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

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
