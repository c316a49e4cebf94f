// Lists the token items of one Auth partition (a user's login tokens, or a room type's webhook
// tokens), each with the hash it is keyed by; read consistently, so a token made a moment ago is
// listed.
import { type DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { tokenSortKeyPrefix } from './auth-keys.js';

export interface TokenItem {
  hashedToken: string;
  /** The item's attributes other than its key. */
  attributes: Record<string, unknown>;
}

export async function tokenItemsOf(
  client: DynamoDBDocumentClient,
  tableName: string,
  partition: string,
): Promise<TokenItem[]> {
  const tokens: TokenItem[] = [];
  const pages = paginateQuery(
    { client },
    {
      TableName: tableName,
      KeyConditionExpression: 'pk = :partition AND begins_with(sk, :token)',
      ExpressionAttributeValues: { ':partition': partition, ':token': tokenSortKeyPrefix },
      ConsistentRead: true,
    },
  );
  for await (const page of pages) {
    for (const { pk: _pk, sk, ...attributes } of page.Items ?? []) {
      tokens.push({ hashedToken: String(sk).slice(tokenSortKeyPrefix.length), attributes });
    }
  }
  return tokens;
}
