// Login tokens are never stored, only their hash: the same hash as Meteor's
// Accounts._hashLoginToken, so Rocket.Chat's services.resume.loginTokens[].hashedToken values can
// be imported as they are.
import { createHash, randomBytes } from 'node:crypto';

export function hashLoginToken(token: string): string {
  return createHash('sha256').update(token).digest('base64');
}

/** Whether `text` has the form of such a hash: base64 of 32 bytes, 44 characters. */
export function isLoginTokenHash(text: string): boolean {
  return /^[A-Za-z0-9+/]{43}=$/.test(text);
}

/** A new secret: 256 random bits, URL-safe (43 characters of base64url). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}
