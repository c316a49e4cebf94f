// Every item of the Auth table, and the one place its keys are built.
//
//   item         pk                                    sk                  attributes
//   user         user#<userId>                         user                roles (L of S), username
//   token        user#<userId>                         token#<hash>        userId, type, name,
//                                                                          createdAt, expiresAt (N,
//                                                                          TTL), revokedAt, origin
//   permission   permission#view-engagement-dashboard  permission          roles (L of S)
//   webhook      webhook#<roomType>                    token#<hash>        roomType, name,
//   token                                                                  createdAt
//
// A token lives in its user's partition, so it can only ever be found for that user, and one
// Query lists a user's tokens. <hash> is base64(sha256(token)); the token itself is never stored.
// A Rocket.Chat outgoing-webhook token lives in the partition of the room type it may post, so the
// webhook function finds it by its hash with one lookup, and its role can be limited to keys
// `webhook#…`.
import type { ItemKey } from './item-key.js';

export const userPartition = (userId: string) => `user#${userId}`;

export function userKey(userId: string): ItemKey {
  return { pk: userPartition(userId), sk: 'user' };
}

export const tokenSortKeyPrefix = 'token#';

export function tokenKey(userId: string, hashedToken: string): ItemKey {
  return { pk: userPartition(userId), sk: `${tokenSortKeyPrefix}${hashedToken}` };
}

export function permissionKey(permission: string): ItemKey {
  return { pk: `permission#${permission}`, sk: 'permission' };
}

const webhookPartitionPrefix = 'webhook#';

export const webhookPartition = (roomType: string) => `${webhookPartitionPrefix}${roomType}`;

export function webhookTokenKey(roomType: string, hashedToken: string): ItemKey {
  return { pk: webhookPartition(roomType), sk: `${tokenSortKeyPrefix}${hashedToken}` };
}
