// A user with roles and a login token, stored as the service stores them (the token hashed).
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { hashLoginToken } from '../../lib/auth/login-token.js';
import { AuthAdmin } from '../../lib/store/auth-admin.js';

export async function userWithToken(
  client: DynamoDBDocumentClient,
  authTable: string,
  user: { userId: string; token: string; roles: string[] },
): Promise<void> {
  const auth = new AuthAdmin(client, authTable);
  await auth.putUser(user.userId, user.roles);
  await auth.putToken({
    hashedToken: hashLoginToken(user.token),
    userId: user.userId,
    type: 'login',
    createdAt: new Date().toISOString(),
  });
}
