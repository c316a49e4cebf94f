// webhook create | list | revoke: the tokens Rocket.Chat's outgoing integrations send, one room
// type each. A token is printed once, with what to enter in Rocket.Chat; only its hash is stored.
import { hashLoginToken, newToken } from '../../lib/auth/login-token.js';
import { webhookRoute } from '../../lib/lambda/rocketchat-webhook-http.js';
import { webhookRoomTypes } from '../../lib/rocketchat/outgoing-webhook.js';
import { WebhookTokens } from '../../lib/store/webhook-tokens.js';
import { required } from './arguments.js';
import type { AdminContext } from './context.js';
import { CliError } from './errors.js';
import { formatTable } from './table.js';
import { tokenIdOf } from './tokens.js';

/** Rocket.Chat's channel selector for each room type, and what it covers. */
const selectors: Record<string, { channel: string; rooms: string }> = {
  c: { channel: 'all_public_channels', rooms: 'public channels' },
  p: { channel: 'all_private_groups', rooms: 'private groups' },
  d: { channel: 'all_direct_messages', rooms: 'direct messages' },
};

function roomTypeOf(value: string | undefined): string {
  const roomType = required(value, 'room-type');
  if (!webhookRoomTypes.includes(roomType)) {
    throw new CliError(
      `--room-type must be one of ${webhookRoomTypes.join(', ')} (public channels, private groups, direct messages)`,
    );
  }
  return roomType;
}

function routeUrl(base: string | undefined, local: boolean, roomType: string): string {
  const root = base ?? (local ? `http://localhost:${process.env.PORT || '3000'}` : undefined);
  const path = webhookRoute.replace('{roomType}', roomType);
  return root ? `${root.replace(/\/+$/, '')}${path}` : `<your HTTP API URL>${path}`;
}

export async function createWebhook(
  context: AdminContext,
  options: { 'room-type'?: string; name?: string; url?: string; local?: boolean },
): Promise<string> {
  const roomType = roomTypeOf(options['room-type']);
  if (options.url !== undefined && !/^https?:\/\/[^\s/]+/.test(options.url)) {
    throw new CliError(`--url ${options.url} is not an http(s) URL`);
  }
  const selector = selectors[roomType] as { channel: string; rooms: string };
  const name = options.name ?? `engagement-dashboard (${selector.rooms})`;
  const token = newToken();
  await new WebhookTokens(context.documentClient, context.table('auth')).create({
    roomType,
    hashedToken: hashLoginToken(token),
    name,
    createdAt: new Date().toISOString(),
  });
  const url = routeUrl(options.url, options.local === true, roomType);
  const form: [string, string][] = [
    ['Event Trigger', 'Message Sent'],
    ['Enabled', 'on'],
    ['Name', name],
    ['Channel', selector.channel],
    ['Trigger Words', '(leave empty: every message)'],
    ['URLs', url],
    ['Post as', 'rocket.cat (any existing user: nothing is ever posted)'],
    ['Token', token],
    ['Script Enabled', 'off'],
    ['Retry Failed Url Calls', 'on (Integration Advanced Settings), so no message is lost'],
    ['Run on edits', 'on (Integration Advanced Settings)'],
  ];
  return [
    `New outgoing-webhook token for ${selector.rooms} (room type ${roomType}):`,
    '',
    `  ${token}`,
    '',
    'It is shown only this once: only its hash is stored. Rocket.Chat posts to',
    '',
    `  POST ${url}`,
    '',
    'In Rocket.Chat: Administration > Workspace > Integrations > New > Outgoing, enter',
    '',
    ...form.map(([field, value]) => `  ${field.padEnd(24)}${value}`),
    ...(url.startsWith('<')
      ? ['', 'The HTTP API URL is the HttpApiUrl output of the deployed stack.']
      : []),
  ].join('\n');
}

export async function listWebhooks(context: AdminContext): Promise<string> {
  const store = new WebhookTokens(context.documentClient, context.table('auth'));
  const rows: string[][] = [['room type', 'id', 'name', 'created']];
  for (const roomType of webhookRoomTypes) {
    for (const token of await store.forRoomType(roomType)) {
      rows.push([roomType, `${tokenIdOf(token.hashedToken)}…`, token.name ?? '', token.createdAt]);
    }
  }
  if (rows.length === 1) return 'No webhook tokens: make one with `webhook create --room-type c`.';
  return formatTable(rows).join('\n');
}

export async function revokeWebhook(
  context: AdminContext,
  options: { 'room-type'?: string; id?: string },
): Promise<string> {
  const roomType = roomTypeOf(options['room-type']);
  const id = required(options.id, 'id').replace(/…$/, '');
  if (id.length < 6)
    throw new CliError('--id needs at least 6 characters of the id `webhook list` shows');
  const store = new WebhookTokens(context.documentClient, context.table('auth'));
  const matching = (await store.forRoomType(roomType)).filter((token) =>
    token.hashedToken.startsWith(id),
  );
  if (matching.length === 0) throw new CliError(`there is no ${roomType} webhook token ${id}…`);
  if (matching.length > 1)
    throw new CliError(`${id}… matches ${matching.length} tokens; give more of the id`);
  await store.revoke(roomType, (matching[0] as { hashedToken: string }).hashedToken);
  return `Revoked webhook token ${id}… of room type ${roomType}: Rocket.Chat's posts with it now get 401.`;
}
