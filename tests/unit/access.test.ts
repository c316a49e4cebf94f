// Who may read the dashboard, from what the Auth table holds: the whole rule, without DynamoDB.
import { describe, expect, it } from 'vitest';
import { decideAccess } from '../../lib/auth/access.js';
import { accessRecordsOf, type StoredAuthItems } from '../../lib/auth/access-records.js';
import { accessLookupOf } from '../../lib/auth/credentials.js';
import { hashLoginToken } from '../../lib/auth/login-token.js';

const now = Date.parse('2024-05-01T12:00:00.000Z');
const token = (fields: Record<string, unknown> = {}) => ({
  userId: 'u1',
  type: 'login',
  createdAt: '2024-04-01T00:00:00.000Z',
  ...fields,
});
const decide = (items: StoredAuthItems, userId = 'u1') =>
  decideAccess(userId, accessRecordsOf(items), now);

describe('credentials', () => {
  it('look up the user and the hash of the token, never the token', () => {
    expect(accessLookupOf({ userId: 'u1', token: 'secret' })).toEqual({
      userId: 'u1',
      hashedToken: hashLoginToken('secret'),
    });
  });

  it.each([
    ['no user id', { token: 'secret' }],
    ['no token', { userId: 'u1' }],
    ['an empty token', { userId: 'u1', token: '' }],
    ['a user id longer than any Rocket.Chat id', { userId: 'u'.repeat(256), token: 'secret' }],
    ['a token longer than any login token', { userId: 'u1', token: 't'.repeat(513) }],
    ['a lone surrogate in the user id', { userId: 'u\ud800', token: 'secret' }],
  ])('identify nobody with %s', (_name, credentials) => {
    expect(accessLookupOf(credentials)).toBeUndefined();
  });
});

describe('the access decision', () => {
  const admin = { roles: ['admin'] };

  it('grants a live token of the user a role the grant names, or admin by default', () => {
    expect(decide({ token: token(), user: admin })).toEqual({ granted: true });
    expect(
      decide({ token: token(), user: { roles: ['analyst'] }, permission: { roles: ['analyst'] } }),
    ).toEqual({ granted: true });
  });

  it.each([
    ['no token', { user: admin }],
    ["another user's token", { token: token({ userId: 'u2' }), user: admin }],
    ['a revoked token', { token: token({ revokedAt: '2024-04-30T00:00:00.000Z' }), user: admin }],
    ['a token expired this second', { token: token({ expiresAt: now / 1000 }), user: admin }],
    ['a user that no longer exists', { token: token() }],
  ])('refuses authentication for %s', (_name, items) => {
    expect(decide(items)).toEqual({ granted: false, refusal: 'not-authenticated' });
  });

  it('refuses permission to a user without a granted role', () => {
    expect(decide({ token: token(), user: { roles: ['user'] } })).toEqual({
      granted: false,
      refusal: 'not-permitted',
    });
    expect(decide({ token: token(), user: admin, permission: { roles: [] } })).toMatchObject({
      refusal: 'not-permitted',
    });
  });

  it.each([
    [
      'a token of an unknown type',
      { token: token({ type: 'password' }), user: admin },
      'not-authenticated',
      'token',
    ],
    [
      'roles stored as a string set',
      { token: token(), user: { roles: new Set(['admin']) } },
      'not-permitted',
      'user',
    ],
    [
      'a grant without roles',
      { token: token(), user: admin, permission: { name: 'x' } },
      'not-permitted',
      'permission',
    ],
  ] as const)(
    'refuses, and says which item, when it cannot read %s',
    (_name, items, refusal, item) => {
      const decision = decide(items);
      expect(decision).toMatchObject({ granted: false, refusal, unreadable: { item } });
      // What is wrong is named by attribute, never by value.
      expect(JSON.stringify(decision)).not.toContain('admin');
    },
  );
});
