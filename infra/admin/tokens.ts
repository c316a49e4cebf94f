// token create | import | list | revoke: dashboard access without editing DynamoDB by hand.
import { hashLoginToken, isLoginTokenHash, newToken } from '../../lib/auth/login-token.js';
import {
  defaultLoginExpirationDays,
  hasExpired,
  importedToken,
} from '../../lib/auth/rocketchat-tokens.js';
import { AuthAdmin, type ListedToken } from '../../lib/store/auth-admin.js';
import { parseDuration, parseInstant, positiveInteger, required } from './arguments.js';
import type { AdminContext } from './context.js';
import { CliError } from './errors.js';
import { formatTable } from './table.js';

const tokenTypes = ['login', 'personalAccessToken'] as const;
type TokenType = (typeof tokenTypes)[number];

/** The part of a hash `token list` shows and `token revoke --id` takes. */
export const tokenIdOf = (hashedToken: string) => hashedToken.slice(0, 12);

async function existingUser(auth: AuthAdmin, userId: string): Promise<void> {
  if ((await auth.userRoles(userId)) === undefined) {
    throw new CliError(
      `there is no user ${userId}; create it first with \`user roles --user ${userId} --set <roles>\``,
    );
  }
}

async function store(auth: AuthAdmin, token: Parameters<AuthAdmin['putToken']>[0]): Promise<void> {
  try {
    await auth.putToken(token);
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') {
      throw new CliError(`that token is already stored for user ${token.userId}`);
    }
    throw error;
  }
}

export async function createToken(
  context: AdminContext,
  options: { user?: string; name?: string; 'expires-in'?: string; type?: string },
): Promise<string> {
  const userId = required(options.user, 'user');
  const type = (options.type ?? 'personalAccessToken') as TokenType;
  if (!tokenTypes.includes(type))
    throw new CliError(`--type must be one of ${tokenTypes.join(', ')}`);
  const expiresInMs =
    options['expires-in'] === undefined ? undefined : parseDuration(options['expires-in']);
  const auth = new AuthAdmin(context.documentClient, context.table('auth'));
  await existingUser(auth, userId);

  const token = newToken();
  const now = Date.now();
  const expiresAt = expiresInMs === undefined ? undefined : Math.floor((now + expiresInMs) / 1000);
  await store(auth, {
    hashedToken: hashLoginToken(token),
    userId,
    type,
    createdAt: new Date(now).toISOString(),
    ...(options.name ? { name: options.name } : {}),
    ...(expiresAt === undefined ? {} : { expiresAt }),
  });
  const expiry =
    expiresAt === undefined
      ? 'never expires'
      : `expires ${new Date(expiresAt * 1000).toISOString()}`;
  return [
    `New ${type} token for ${userId}${options.name ? ` ("${options.name}")` : ''}, ${expiry}:`,
    '',
    `  ${token}`,
    '',
    'It is shown only this once: only its hash is stored. Send it as',
    `  --header 'x-user-id: ${userId}' --header 'x-auth-token: ${token}'`,
  ].join('\n');
}

export async function importToken(
  context: AdminContext,
  options: {
    user?: string;
    'hashed-token'?: string;
    type?: string;
    when?: string;
    'login-expiration-days'?: string;
    name?: string;
  },
): Promise<string> {
  const userId = required(options.user, 'user');
  const hashedToken = required(options['hashed-token'], 'hashed-token');
  if (!isLoginTokenHash(hashedToken)) {
    throw new CliError(
      '--hashed-token must be a base64 SHA-256 (44 characters), as in services.resume.loginTokens[].hashedToken',
    );
  }
  const type = (options.type ?? 'login') as TokenType;
  if (!tokenTypes.includes(type))
    throw new CliError(`--type must be one of ${tokenTypes.join(', ')}`);
  const days = positiveInteger(
    options['login-expiration-days'],
    'login-expiration-days',
    defaultLoginExpirationDays,
    100_000,
  );
  const now = Date.now();
  const token = importedToken(
    userId,
    type === 'login'
      ? { type, hashedToken, when: parseInstant(required(options.when, 'when'), 'when') }
      : {
          type,
          hashedToken,
          createdAt: options.when === undefined ? now : parseInstant(options.when, 'when'),
        },
    days,
  );
  if (hasExpired(token, now)) {
    throw new CliError(
      `that login expired at ${expiryOf(token)} (${days} days after --when); nothing was stored`,
    );
  }
  const auth = new AuthAdmin(context.documentClient, context.table('auth'));
  await existingUser(auth, userId);
  await store(auth, options.name ? { ...token, name: options.name } : token);
  return `Imported ${type} ${tokenIdOf(hashedToken)}… for ${userId}, ${token.expiresAt === undefined ? 'never expires' : `expires ${expiryOf(token)}`}: the Rocket.Chat token it belongs to now works here too.`;
}

const expiryOf = (token: { expiresAt?: number }) =>
  new Date((token.expiresAt ?? 0) * 1000).toISOString();

function describe(token: ListedToken, now: number): string[] {
  const status = token.revokedAt
    ? `revoked ${token.revokedAt}`
    : hasExpired(token, now)
      ? 'expired'
      : 'active';
  return [
    `${tokenIdOf(token.hashedToken)}…`,
    token.type,
    token.name ?? '',
    token.createdAt,
    token.expiresAt === undefined ? 'never' : new Date(token.expiresAt * 1000).toISOString(),
    status,
  ];
}

export async function listTokens(
  context: AdminContext,
  options: { user?: string },
): Promise<string> {
  const userId = required(options.user, 'user');
  const auth = new AuthAdmin(context.documentClient, context.table('auth'));
  await existingUser(auth, userId);
  const tokens = await auth.tokens(userId);
  if (tokens.length === 0) return `${userId} has no tokens.`;
  const rows = [
    ['id', 'type', 'name', 'created', 'expires', 'status'],
    ...tokens.map((t) => describe(t, Date.now())),
  ];
  return formatTable(rows).join('\n');
}

export async function revokeTokens(
  context: AdminContext,
  options: { user?: string; id?: string; token?: string; all?: boolean },
): Promise<string> {
  const userId = required(options.user, 'user');
  const chosen = [options.id, options.token, options.all ? 'all' : undefined].filter(Boolean);
  if (chosen.length !== 1)
    throw new CliError('say which tokens to revoke: --id <id>, --token <token> or --all');
  const auth = new AuthAdmin(context.documentClient, context.table('auth'));
  await existingUser(auth, userId);
  const tokens = await auth.tokens(userId);
  let targets: ListedToken[];
  if (options.all) {
    targets = tokens.filter((token) => !token.revokedAt);
  } else if (options.token) {
    const hashed = hashLoginToken(options.token);
    targets = tokens.filter((token) => token.hashedToken === hashed);
    if (targets.length === 0) throw new CliError(`that token is not one of ${userId}'s`);
  } else {
    const id = options.id?.replace(/…$/, '') ?? '';
    if (id.length < 6)
      throw new CliError('--id needs at least 6 characters of the id `token list` shows');
    targets = tokens.filter((token) => token.hashedToken.startsWith(id));
    if (targets.length === 0) throw new CliError(`${userId} has no token ${id}…`);
    if (targets.length > 1)
      throw new CliError(`${id}… matches ${targets.length} tokens; give more of the id`);
  }
  const now = new Date().toISOString();
  for (const token of targets) await auth.revokeToken(userId, token.hashedToken, now);
  return `Revoked ${targets.length} token${targets.length === 1 ? '' : 's'} of ${userId}; requests with ${targets.length === 1 ? 'it' : 'them'} now get 401.`;
}
