// users documents → roles, and every token the user can log in with: logins
// (services.resume.loginTokens[] with `when`) and personal access tokens. Only the hashes Rocket.Chat
// keeps are read; nothing else of `services` (passwords, OAuth data) is looked at.
import { isLoginTokenHash } from '../auth/login-token.js';
import type { RocketChatToken } from '../auth/rocketchat-tokens.js';
import { rolesOf } from './exported-permissions.js';
import { dateOf, idOf, isRecord } from './extended-json.js';
import { accepted, type Mapped, rejected } from './mapped.js';
import { maxIdLength } from './message-item.js';

export interface ExportedUser {
  userId: string;
  username?: string;
  roles: string[];
  /** Deactivated users cannot log in to Rocket.Chat, whatever tokens are left on them. */
  active: boolean;
  tokens: RocketChatToken[];
  /** Token entries that could not be read; the user and the other tokens are still imported. */
  tokenProblems: string[];
}

export function userFromExport(document: Record<string, unknown>): Mapped<ExportedUser> {
  const userId = idOf(document._id);
  if (!userId || userId.length > maxIdLength) return rejected('_id is missing or not an id');
  const roles = document.roles === undefined ? [] : rolesOf(document.roles);
  if (!roles) return rejected('roles is not a list of role names');
  const services = isRecord(document.services) ? document.services : {};
  const resume = isRecord(services.resume) ? services.resume : {};
  const entries = Array.isArray(resume.loginTokens) ? resume.loginTokens : [];

  const tokens: RocketChatToken[] = [];
  const tokenProblems: string[] = [];
  entries.forEach((entry, index) => {
    const token = tokenOf(entry);
    if (typeof token === 'string') tokenProblems.push(`loginTokens[${index}] ${token}`);
    else tokens.push(token);
  });
  return accepted({
    userId,
    ...(typeof document.username === 'string' ? { username: document.username } : {}),
    roles,
    active: document.active !== false,
    tokens,
    tokenProblems,
  });
}

/** The token, or what is wrong with the entry. */
function tokenOf(entry: unknown): RocketChatToken | string {
  if (!isRecord(entry)) return 'is not a token';
  const { hashedToken } = entry;
  if (typeof hashedToken !== 'string' || !isLoginTokenHash(hashedToken)) {
    return 'has no hashedToken (base64 SHA-256)';
  }
  if (entry.type === 'personalAccessToken') {
    const createdAt = dateOf(entry.createdAt);
    if (createdAt === undefined) return 'is a personal access token without a createdAt date';
    return {
      type: 'personalAccessToken',
      hashedToken,
      createdAt,
      ...(typeof entry.name === 'string' ? { name: entry.name } : {}),
    };
  }
  const when = dateOf(entry.when);
  if (when === undefined) return 'is a login without a when date';
  return { type: 'login', hashedToken, when };
}
