// The local stack's demo data: the upstream document's user and token, and a chat history that
// makes the document's request (start=2023-05-20, end=2023-05-30) answer with its exact JSON —
// counted through the stream like any other message, with the noise a real chat has (system
// messages, livechat, edits, hidden edit history, soft and hard deletes) that must not count.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { hashLoginToken } from '../../lib/auth/login-token.js';
import { AuthAdmin } from '../../lib/store/auth-admin.js';
import { writeAll } from '../../lib/store/put-all.js';
import type { TableNames } from './tables.js';

export const demoUser = {
  userId: 'rbAXPnMktTFbNpwtJ',
  username: 'rocket.cat',
  roles: ['admin', 'user'],
};
export const demoToken = 'HF0U3GBQHzC0pL_f_XXFHEfgXR8041XGldg2m_z8JQ0';

/** Counted messages per UTC day: the document's window, and 44 in the eleven days before it. */
export const demoDailyCounts: Readonly<Record<string, number>> = {
  '2023-05-09': 3,
  '2023-05-10': 5,
  '2023-05-11': 2,
  '2023-05-12': 7,
  '2023-05-13': 4,
  '2023-05-15': 6,
  '2023-05-16': 3,
  '2023-05-17': 5,
  '2023-05-18': 4,
  '2023-05-19': 5,
  '2023-05-21': 5,
  '2023-05-22': 22,
  '2023-05-23': 129,
  '2023-05-24': 126,
  '2023-05-25': 79,
  '2023-05-26': 114,
  '2023-05-27': 1,
  '2023-05-29': 101,
  '2023-05-30': 183,
};

export type DemoWrite =
  | { kind: 'put'; item: Record<string, unknown> }
  | { kind: 'delete'; id: string };

const users = [
  { _id: 'rbAXPnMktTFbNpwtJ', username: 'rocket.cat' },
  { _id: 'k7Pq2sWd9LmZt4xYb', username: 'aline.souza' },
  { _id: 'Hc3Nf8GvR1uJe6TqA', username: 'devi.raman' },
  { _id: 'P9yXw2KbQ5sLm8ZrC', username: 'tomas.novak' },
];
const rooms = [
  { rid: 'GENERAL', roomType: 'c' },
  { rid: 'dev-backend', roomType: 'c' },
  { rid: 'release-planning', roomType: 'p' },
  { rid: 'leadership', roomType: 'p' },
  { rid: 'k7Pq2sWd9LmZt4xYbrbAXPnMktTFbNpwtJ', roomType: 'd' },
  { rid: 'Hc3Nf8GvR1uJe6TqAP9yXw2KbQ5sLm8ZrC', roomType: 'd' },
];
const livechatRoom = { rid: 'livechat-visitor-4821', roomType: 'l' };
const texts = [
  'Morning all, standup in 10',
  'The deploy to staging is green',
  'Can someone review my PR?',
  'Lunch?',
  'I pushed a fix for the flaky test',
  'Meeting notes are in the wiki',
  '👍',
];

/** A deterministic pseudo-random sequence (mulberry32), so every start writes the same data. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function demoWrites(): DemoWrite[] {
  const next = random(20230530);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const writes: DemoWrite[] = [];
  let sequence = 0;
  const message = (day: string, fields: Record<string, unknown> = {}) => {
    // Office hours mostly, in UTC, to the millisecond.
    const ms = Date.parse(`${day}T06:00:00.000Z`) + Math.floor(next() * 14 * 3_600_000);
    const room = pick(rooms);
    return {
      _id: `demo${String(++sequence).padStart(5, '0')}`,
      ...room,
      ts: new Date(ms).toISOString(),
      msg: pick(texts),
      u: pick(users),
      ...fields,
    };
  };

  for (const [day, count] of Object.entries(demoDailyCounts)) {
    const threadParents: string[] = [];
    for (let i = 0; i < count; i++) {
      const isReply = threadParents.length > 0 && next() < 0.15;
      const item = message(day, isReply ? { tmid: pick(threadParents) } : {});
      if (!isReply && next() < 0.1) threadParents.push(item._id);
      writes.push({ kind: 'put', item });
      if (next() < 0.05) {
        // An edit: the message changes in place and a hidden copy keeps the old text.
        writes.push({ kind: 'put', item: { ...item, _id: `${item._id}-history`, _hidden: true } });
        writes.push({
          kind: 'put',
          item: { ...item, msg: `${item.msg} (edited)`, editedAt: item.ts },
        });
      }
    }
    if (count === 0) continue;
    // What must not count: someone joining, a livechat conversation, and messages deleted again.
    writes.push({ kind: 'put', item: message(day, { t: 'uj', msg: pick(users).username }) });
    writes.push({
      kind: 'put',
      item: message(day, { ...livechatRoom, msg: 'Hello, I need help' }),
    });
    const softDeleted = message(day);
    writes.push(
      { kind: 'put', item: softDeleted },
      { kind: 'put', item: { ...softDeleted, t: 'rm', msg: '' } },
    );
    const hardDeleted = message(day);
    writes.push({ kind: 'put', item: hardDeleted }, { kind: 'delete', id: hardDeleted._id });
  }
  return writes;
}

/** Writes the demo user, token and messages; the writes to one message stay in order. */
export async function writeDemoData(
  client: DynamoDBDocumentClient,
  tables: Pick<TableNames, 'messages' | 'auth'>,
): Promise<void> {
  const auth = new AuthAdmin(client, tables.auth);
  await auth.putUser(demoUser.userId, demoUser.roles, demoUser.username);
  await auth.putToken({
    hashedToken: hashLoginToken(demoToken),
    userId: demoUser.userId,
    type: 'personalAccessToken',
    name: 'engagement-dashboard demo',
    createdAt: new Date().toISOString(),
  });

  // Round n holds the n-th write of every message, so each message's writes stay in order while
  // a round goes out in BatchWriteItem requests of 25, far faster than one request per write.
  const rounds: DemoWrite[][] = [];
  const writesSoFar = new Map<string, number>();
  for (const write of demoWrites()) {
    const id = write.kind === 'put' ? String(write.item._id) : write.id;
    const round = writesSoFar.get(id) ?? 0;
    writesSoFar.set(id, round + 1);
    const writes = rounds[round] ?? [];
    writes.push(write);
    rounds[round] = writes;
  }
  for (const round of rounds) {
    await writeAll(
      client,
      tables.messages,
      round.map((write) =>
        write.kind === 'put'
          ? { PutRequest: { Item: write.item } }
          : { DeleteRequest: { Key: { _id: write.id } } },
      ),
      64,
    );
  }
}
