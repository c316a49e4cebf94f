// Who may read the dashboard (design §4): a live token of the user named in x-user-id, and a role
// the view-engagement-dashboard permission grants.

export const dashboardPermission = 'view-engagement-dashboard';

/** Rocket.Chat grants view-engagement-dashboard to admins unless configured otherwise. */
export const defaultDashboardRoles: readonly string[] = ['admin'];

export type TokenType = 'login' | 'personalAccessToken';

export interface StoredToken {
  userId: string;
  type: TokenType;
  createdAt: string;
  /** Epoch seconds; also the table's TTL attribute. */
  expiresAt?: number;
  revokedAt?: string;
}

export interface AccessRecords {
  token?: StoredToken;
  /** The user's roles; undefined when the user does not exist. */
  userRoles?: readonly string[];
  /** Roles granted the permission; undefined when no grant is stored. */
  permittedRoles?: readonly string[];
}

export type AccessDecision = 'granted' | 'not-authenticated' | 'not-permitted';

export function decideAccess(
  userId: string,
  records: AccessRecords,
  nowMs: number,
): AccessDecision {
  const { token } = records;
  if (!token || token.userId !== userId || token.revokedAt !== undefined)
    return 'not-authenticated';
  if (token.expiresAt !== undefined && token.expiresAt * 1000 <= nowMs) return 'not-authenticated';
  if (records.userRoles === undefined) return 'not-authenticated';
  const permitted = new Set(records.permittedRoles ?? defaultDashboardRoles);
  return records.userRoles.some((role) => permitted.has(role)) ? 'granted' : 'not-permitted';
}
