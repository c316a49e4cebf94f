// Who may post messages to the Rocket.Chat webhook route: whoever sends a token whose hash is
// stored for that room type. The hashes are compared in constant time, and every stored hash is
// compared, so the time taken says nothing about how close a guess came.
import { timingSafeEqual } from 'node:crypto';
import { hashLoginToken } from './login-token.js';

export function webhookTokenMatches(token: string, storedHashes: readonly string[]): boolean {
  const presented = Buffer.from(hashLoginToken(token), 'base64');
  let matches = false;
  for (const stored of storedHashes) {
    const candidate = Buffer.from(stored, 'base64');
    // Every stored hash is a SHA-256, as long as the presented one; anything else never matches.
    if (candidate.length === presented.length && timingSafeEqual(candidate, presented)) {
      matches = true;
    }
  }
  return matches;
}
