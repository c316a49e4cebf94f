// Tokens brought over from Rocket.Chat keep the lifetime they have there. A login
// (services.resume.loginTokens[] with `when`) stops working `Accounts_LoginExpiration` days after
// it was made — Meteor deletes it then — and a personal access token never expires.

import { dayMs } from '../utc-calendar.js';
import type { StoredToken } from './access.js';

/** Rocket.Chat's default `Accounts_LoginExpiration`, in days. */
export const defaultLoginExpirationDays = 90;

/** A Rocket.Chat token entry, its dates in epoch milliseconds. */
export type RocketChatToken =
  | { type: 'login'; hashedToken: string; when: number }
  | { type: 'personalAccessToken'; hashedToken: string; createdAt: number; name?: string };

/** A token as stored here; `origin` lets a later import revoke what Rocket.Chat no longer has. */
export interface ImportedToken extends StoredToken {
  hashedToken: string;
  name: string;
  origin: 'rocketchat';
}

/**
 * The epoch second from which a login made at `whenMs` is refused. Rounded down, so that it never
 * works here longer than in Rocket.Chat.
 */
export function loginExpiresAt(whenMs: number, loginExpirationDays: number): number {
  return Math.floor((whenMs + loginExpirationDays * dayMs) / 1000);
}

export function importedToken(
  userId: string,
  token: RocketChatToken,
  loginExpirationDays: number,
): ImportedToken {
  if (token.type === 'login') {
    return {
      hashedToken: token.hashedToken,
      userId,
      type: 'login',
      name: 'Rocket.Chat login',
      origin: 'rocketchat',
      createdAt: new Date(token.when).toISOString(),
      expiresAt: loginExpiresAt(token.when, loginExpirationDays),
    };
  }
  return {
    hashedToken: token.hashedToken,
    userId,
    type: 'personalAccessToken',
    name: token.name || 'Rocket.Chat personal access token',
    origin: 'rocketchat',
    createdAt: new Date(token.createdAt).toISOString(),
  };
}

/** Whether a token is already past its expiry at `nowMs` (the same test as the access decision). */
export function hasExpired(token: Pick<StoredToken, 'expiresAt'>, nowMs: number): boolean {
  return token.expiresAt !== undefined && token.expiresAt * 1000 <= nowMs;
}

/**
 * What a Rocket.Chat user's tokens become here: each one that still works in Rocket.Chat. A
 * deactivated user has none (Rocket.Chat refuses them whatever is left on the user), and a login
 * already past its expiry is not worth storing.
 */
export function tokensToImport(
  user: { userId: string; active: boolean; tokens: readonly RocketChatToken[] },
  loginExpirationDays: number,
  nowMs: number,
): { tokens: ImportedToken[]; expired: number } {
  if (!user.active) return { tokens: [], expired: 0 };
  const all = user.tokens.map((token) => importedToken(user.userId, token, loginExpirationDays));
  const tokens = all.filter((token) => !hasExpired(token, nowMs));
  return { tokens, expired: all.length - tokens.length };
}

/**
 * Tokens an earlier import stored that Rocket.Chat no longer has (a logout, a deleted personal
 * access token, a deactivated user): they must stop working here too. Tokens made here are not
 * Rocket.Chat's to take away.
 */
export function vanishedTokens<T extends StoredToken & { hashedToken: string; origin?: string }>(
  stored: readonly T[],
  imported: readonly ImportedToken[],
): T[] {
  const current = new Set(imported.map((token) => token.hashedToken));
  return stored.filter(
    (token) =>
      token.origin === 'rocketchat' &&
      token.revokedAt === undefined &&
      !current.has(token.hashedToken),
  );
}
