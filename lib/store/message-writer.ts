// Writes single messages into the Messages table as Rocket.Chat reports them live. Each write is
// conditional, so that a message delivered twice, or one the import already wrote, is counted
// once and never overwritten: only an edit changes a stored message, and only its `editedAt`.
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { MessageItem } from '../rocketchat/message-item.js';
import type { MessageRecorder, Recorded } from '../rocketchat/webhook-receiver.js';

const isConditionFailure = (error: unknown) =>
  (error as Error).name === 'ConditionalCheckFailedException';

export class MessageWriter implements MessageRecorder {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Writes the message unless a message with its id is stored already. */
  async recordNew(item: MessageItem): Promise<Recorded> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(#id)',
          ExpressionAttributeNames: { '#id': '_id' },
        }),
      );
      return 'written';
    } catch (error) {
      if (isConditionFailure(error)) return 'already-stored';
      throw error;
    }
  }

  /**
   * Sets `editedAt` on a stored message and nothing else, so it keeps its day, room and kind; a
   * message never seen before (sent before the webhook existed) is written whole instead.
   */
  async recordEdit(item: MessageItem & { editedAt: string }): Promise<Recorded> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { _id: item._id },
            UpdateExpression: 'SET editedAt = :editedAt',
            ConditionExpression: 'attribute_exists(#id)',
            ExpressionAttributeNames: { '#id': '_id' },
            ExpressionAttributeValues: { ':editedAt': item.editedAt },
          }),
        );
        return 'edited';
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      // Not stored: write it whole. If it appeared meanwhile, mark that one edited instead.
      if ((await this.recordNew(item)) === 'written') return 'written';
    }
    return 'already-stored';
  }
}
