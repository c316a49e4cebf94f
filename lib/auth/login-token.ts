// Login tokens are never stored, only their hash: the same hash as Meteor's
// Accounts._hashLoginToken, so Rocket.Chat's services.resume.loginTokens[].hashedToken values can
// be imported as they are.
import { createHash } from 'node:crypto';

export function hashLoginToken(token: string): string {
  return createHash('sha256').update(token).digest('base64');
}

/** Whether `text` has the form of such a hash: base64 of 32 bytes, 44 characters. */
export function isLoginTokenHash(text: string): boolean {
  return /^[A-Za-z0-9+/]{43}=$/.test(text);
}
