// Lambda entry for POST /rocketchat/outgoing-webhook/{roomType}: Rocket.Chat's outgoing webhooks
// report each message sent (and edited) in the room type's rooms, and it is written to the
// Messages table, whose stream then counts it.
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { loadConfig, webhookConfigSchema } from '../lib/config.js';
import { beginInvocation, requestKeys } from '../lib/lambda/log-context.js';
import { answerWebhook, readWebhookRequest } from '../lib/lambda/rocketchat-webhook-http.js';
import { WebhookReceiver } from '../lib/rocketchat/webhook-receiver.js';
import { createDocumentClient } from '../lib/store/client.js';
import { MessageWriter } from '../lib/store/message-writer.js';
import { WebhookTokens } from '../lib/store/webhook-tokens.js';

const config = loadConfig(webhookConfigSchema);
const logger = new Logger();
const client = createDocumentClient(config.dynamoDb);
const receiver = new WebhookReceiver({
  tokens: new WebhookTokens(client, config.authTable),
  messages: new MessageWriter(client, config.messagesTable),
  now: Date.now,
});

export const handler = async (event: unknown, context: Context) => {
  beginInvocation(logger, context, requestKeys(event));
  return answerWebhook(readWebhookRequest(event), receiver, logger);
};
