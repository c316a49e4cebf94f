// What a caller presents (x-user-id and x-auth-token) and what is looked up for it: the user, and
// the hash of the token, never the token itself.
import { hashLoginToken } from './login-token.js';

export interface Credentials {
  userId?: string | undefined;
  token?: string | undefined;
}

export interface AccessLookup {
  userId: string;
  hashedToken: string;
}

// Longer values cannot be a Rocket.Chat user id or login token; refusing them early also keeps
// them out of DynamoDB keys, which have length limits of their own.
const maxUserIdLength = 255;
const maxTokenLength = 512;

/** What to look up for the credentials, or undefined when they cannot identify anyone. */
export function accessLookupOf({ userId, token }: Credentials): AccessLookup | undefined {
  if (!userId || !token || userId.length > maxUserIdLength || token.length > maxTokenLength) {
    return undefined;
  }
  // A lone UTF-16 surrogate cannot be stored in a DynamoDB key; no real user id contains one.
  if (/\p{Surrogate}/u.test(userId)) return undefined;
  return { userId, hashedToken: hashLoginToken(token) };
}
