import { describe, expect, it } from 'vitest';
import { decideAccess } from '../../lib/auth/access.js';
import {
  defaultLoginExpirationDays,
  hasExpired,
  importedToken,
  loginExpiresAt,
} from '../../lib/auth/rocketchat-tokens.js';

const hash = 'uaEeu9pxfe3aELhzOvsy5r4ylMwBCpbEUPAPpvmVhB0=';
const day = 86_400_000;

describe("Rocket.Chat tokens keep Rocket.Chat's lifetime", () => {
  it('expires a login Accounts_LoginExpiration days after its `when`, 90 by default', () => {
    const when = Date.parse('2024-05-01T12:34:56.789Z');
    const token = importedToken('u1', { type: 'login', hashedToken: hash, when }, 90);
    expect(defaultLoginExpirationDays).toBe(90);
    expect(token).toEqual({
      hashedToken: hash,
      userId: 'u1',
      type: 'login',
      name: 'Rocket.Chat login',
      origin: 'rocketchat',
      createdAt: '2024-05-01T12:34:56.789Z',
      expiresAt: Date.parse('2024-07-30T12:34:56.000Z') / 1000,
    });
    expect(loginExpiresAt(when, 30)).toBe(Date.parse('2024-05-31T12:34:56.000Z') / 1000);
  });

  it('never lets a login live longer than in Rocket.Chat: the expiry second is rounded down', () => {
    const when = Date.parse('2024-05-01T00:00:00.999Z');
    const expiresAt = loginExpiresAt(when, 1);
    expect(expiresAt * 1000).toBeLessThanOrEqual(when + day);
    expect(when + day - expiresAt * 1000).toBeLessThan(1000);
  });

  it('is accepted by the access decision until the expiry and refused from it on', () => {
    const when = Date.parse('2024-05-01T00:00:00.000Z');
    const token = importedToken('u1', { type: 'login', hashedToken: hash, when }, 90);
    const records = { token, userRoles: ['admin'] };
    const expiry = when + 90 * day;
    expect(decideAccess('u1', records, expiry - 1)).toEqual({ granted: true });
    expect(hasExpired(token, expiry - 1)).toBe(false);
    expect(decideAccess('u1', records, expiry)).toMatchObject({
      granted: false,
      refusal: 'not-authenticated',
    });
    expect(hasExpired(token, expiry)).toBe(true);
  });

  it('keeps personal access tokens without an expiry, under their own name', () => {
    const createdAt = Date.parse('2019-03-01T08:00:00.000Z');
    const token = importedToken(
      'u1',
      { type: 'personalAccessToken', hashedToken: hash, createdAt, name: 'grafana' },
      90,
    );
    expect(token.expiresAt).toBeUndefined();
    expect(token.name).toBe('grafana');
    expect(token.createdAt).toBe('2019-03-01T08:00:00.000Z');
    expect(hasExpired(token, Date.parse('2099-01-01T00:00:00.000Z'))).toBe(false);
  });
});
