// Who may read the dashboard (docs/architecture.md, Authentication): a live token of the user named in x-user-id, and a role
// the view-engagement-dashboard permission grants. Auth data that is stored but cannot be read
// refuses access; it never counts as absent, which for the grant would mean the admin default.

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

/** An auth item that exists but not in a shape the service can read, and what is wrong with it. */
export interface UnreadableItem {
  item: 'token' | 'user' | 'permission';
  /** Attribute paths and what is wrong with them, never their values. */
  problems: string[];
}

/** Why access was refused when an unreadable item decided it: for the log, never the answer. */
export class UnreadableAuthData extends Error {
  constructor(readonly unreadable: UnreadableItem) {
    super(`The ${unreadable.item} item cannot be read (${unreadable.problems.join('; ')})`);
    this.name = 'UnreadableAuthData';
  }
}

export interface AccessRecords {
  token?: StoredToken;
  /** The user's roles; undefined when the user does not exist or cannot be read. */
  userRoles?: readonly string[];
  /** Roles granted the permission; undefined when no grant is stored or it cannot be read. */
  permittedRoles?: readonly string[];
  unreadable?: readonly UnreadableItem[];
}

export type AccessDecision =
  | { granted: true }
  | {
      granted: false;
      refusal: 'not-authenticated' | 'not-permitted';
      /** The item whose shape decided the refusal, when one did. */
      unreadable?: UnreadableItem;
    };

export function decideAccess(
  userId: string,
  records: AccessRecords,
  nowMs: number,
): AccessDecision {
  const refuse = (
    refusal: 'not-authenticated' | 'not-permitted',
    because?: UnreadableItem['item'],
  ): AccessDecision => {
    const unreadable = records.unreadable?.find((found) => found.item === because);
    return unreadable ? { granted: false, refusal, unreadable } : { granted: false, refusal };
  };
  const { token } = records;
  if (!token) return refuse('not-authenticated', 'token');
  if (token.userId !== userId || token.revokedAt !== undefined) return refuse('not-authenticated');
  if (token.expiresAt !== undefined && token.expiresAt * 1000 <= nowMs) {
    return refuse('not-authenticated');
  }
  // A user whose roles cannot be read is known to exist: it is refused the permission.
  if (records.unreadable?.some((found) => found.item === 'user')) {
    return refuse('not-permitted', 'user');
  }
  if (records.userRoles === undefined) return refuse('not-authenticated');
  if (records.unreadable?.some((found) => found.item === 'permission')) {
    return refuse('not-permitted', 'permission');
  }
  const permitted = new Set(records.permittedRoles ?? defaultDashboardRoles);
  return records.userRoles.some((role) => permitted.has(role))
    ? { granted: true }
    : refuse('not-permitted');
}
