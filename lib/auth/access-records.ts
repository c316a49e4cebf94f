// What the stored auth items say, read as the access decision needs them. An item that is stored
// but cannot be read is reported as unreadable, never taken as absent: an absent grant means the
// admin default, and access must never be granted by accident (lib/auth/access.ts refuses it).
import * as z from 'zod/mini';
import type { AccessRecords, UnreadableItem } from './access.js';

const storedTokenSchema = z.object({
  userId: z.string(),
  type: z.enum(['login', 'personalAccessToken']),
  createdAt: z.string(),
  expiresAt: z.optional(z.number()),
  revokedAt: z.optional(z.string()),
});
const rolesSchema = z.object({ roles: z.array(z.string()) });

/** The token, user and permission items as stored; undefined where there is none. */
export interface StoredAuthItems {
  token?: unknown;
  user?: unknown;
  permission?: unknown;
}

export function accessRecordsOf(items: StoredAuthItems): AccessRecords {
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
  const token = read('token', storedTokenSchema, items.token);
  if (token) {
    records.token = Object.fromEntries(
      Object.entries(token).filter(([, value]) => value !== undefined),
    ) as AccessRecords['token'] & object;
  }
  const user = read('user', rolesSchema, items.user);
  if (user) records.userRoles = user.roles;
  const permission = read('permission', rolesSchema, items.permission);
  if (permission) records.permittedRoles = permission.roles;
  if (unreadable.length > 0) records.unreadable = unreadable;
  return records;
}
