// Receiving one message from a Rocket.Chat outgoing webhook: check the token of the room type's
// integration, then store the message — a new one once, an edit without moving it. Nothing is
// written unless the token is known and the message reads.
import { hashLoginToken } from '../auth/login-token.js';
import type { MessageItem } from './message-item.js';
import { messageFromWebhook, webhookRoomTypes } from './outgoing-webhook.js';

export type Recorded = 'written' | 'already-stored' | 'edited';

/** The webhook tokens (lib/store/webhook-tokens.ts). */
export interface WebhookTokenSource {
  /**
   * Whether a token with this hash may post messages of this room type: one lookup by the hash,
   * as for login tokens, whatever the number of tokens stored.
   */
  isKnown(roomType: string, hashedToken: string): Promise<boolean>;
}

/** Where messages are written (lib/store/message-writer.ts). */
export interface MessageRecorder {
  recordNew(item: MessageItem): Promise<Recorded>;
  recordEdit(item: MessageItem & { editedAt: string }): Promise<Recorded>;
}

export interface WebhookPorts {
  tokens: WebhookTokenSource;
  messages: MessageRecorder;
  now(): number;
}

export type WebhookOutcome =
  | { kind: 'recorded'; messageId: string; recorded: Recorded }
  | { kind: 'unknown-room-type' }
  | { kind: 'too-large' }
  | { kind: 'malformed'; problems: string[] }
  | { kind: 'not-authenticated' }
  | { kind: 'unavailable'; cause: unknown };

/** A message's text is at most Message_MaxAllowedSize (5,000 characters by default). */
export const maxWebhookBodyBytes = 256 * 1024;

export class WebhookReceiver {
  constructor(private readonly ports: WebhookPorts) {}

  async receive(
    roomType: string | undefined,
    body: string | undefined,
    bodyBytes: number,
  ): Promise<WebhookOutcome> {
    if (roomType === undefined || !webhookRoomTypes.includes(roomType)) {
      return { kind: 'unknown-room-type' };
    }
    if (bodyBytes > maxWebhookBodyBytes) return { kind: 'too-large' };
    const payload = jsonObject(body);
    if (!payload) return { kind: 'malformed', problems: ['the body is not a JSON object'] };
    const { token } = payload;
    if (typeof token !== 'string' || token === '') return { kind: 'not-authenticated' };

    let known: boolean;
    try {
      known = await this.ports.tokens.isKnown(roomType, hashLoginToken(token));
    } catch (cause) {
      return { kind: 'unavailable', cause };
    }
    if (!known) return { kind: 'not-authenticated' };

    const message = messageFromWebhook(payload, roomType, this.ports.now());
    if (!message.ok) return { kind: 'malformed', problems: message.problems };
    const { item } = message;
    try {
      const recorded =
        message.edited && item.editedAt !== undefined
          ? await this.ports.messages.recordEdit({ ...item, editedAt: item.editedAt })
          : await this.ports.messages.recordNew(item);
      return { kind: 'recorded', messageId: item._id, recorded };
    } catch (cause) {
      return { kind: 'unavailable', cause };
    }
  }
}

function jsonObject(body: string | undefined): Record<string, unknown> | undefined {
  if (body === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
