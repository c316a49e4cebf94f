// A Rocket.Chat workspace as its MongoDB holds it — rooms, messages, users and permissions in the
// shapes Rocket.Chat writes them — with the noise the dashboard must not count: system messages,
// edit history (`_hidden` copies), soft deletes (`t: "rm"`), livechat. `counted` says, independently
// of the code under test, how many messages each UTC day the dashboard must show.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashLoginToken } from '../../lib/auth/login-token.js';
import { type BsonDocument, type ExportShape, mongoexportText } from './mongoexport.js';

export interface RocketChatWorkspace {
  rooms: BsonDocument[];
  messages: BsonDocument[];
  users: BsonDocument[];
  permissions: BsonDocument[];
  /** Counted messages per UTC day (`YYYY-MM-DD`). */
  counted: Record<string, number>;
  /** Plaintext tokens, whose hashes the users hold. */
  logins: {
    /** admin's login made a day ago: valid. */
    admin: string;
    /** admin's login made 100 days ago: expired under the default 90 days. */
    adminStale: string;
    /** admin's personal access token from 2019: never expires. */
    adminPersonal: string;
    /** analyst's login made a day ago. */
    analyst: string;
    /** A deactivated user's login: Rocket.Chat refuses it, so must this service. */
    deactivated: string;
  };
}

const day = 86_400_000;

const rooms: BsonDocument[] = [
  {
    _id: 'GENERAL',
    t: 'c',
    name: 'general',
    fname: 'general',
    default: true,
    msgs: 0,
    usersCount: 4,
    ts: new Date('2020-01-01T00:00:00.000Z'),
    _updatedAt: new Date('2024-05-30T10:00:00.000Z'),
  },
  {
    _id: 'Qm2ReleasePlan',
    t: 'p',
    name: 'release-planning',
    fname: 'Release planning',
    u: { _id: 'adminId0000000001', username: 'aline' },
    ro: false,
    sysMes: true,
    ts: new Date('2023-02-01T09:00:00.000Z'),
  },
  {
    _id: 'adminId0000000001analystId00000002',
    t: 'd',
    uids: ['adminId0000000001', 'analystId00000002'],
    usernames: ['aline', 'devi'],
    usersCount: 2,
    ts: new Date('2023-03-01T09:00:00.000Z'),
  },
  {
    _id: 'LcVisitorRoom01',
    t: 'l',
    fname: 'Visitor 4821',
    v: { _id: 'visitor4821', username: 'guest-4821', token: 'visitor-token-not-a-login' },
    servedBy: { _id: 'analystId00000002', username: 'devi' },
    open: true,
    ts: new Date('2024-05-01T08:00:00.000Z'),
  },
  {
    _id: 'DiscussionRoom01',
    t: 'c',
    prid: 'GENERAL',
    fname: 'Incident 42',
    ts: new Date('2024-05-02T08:00:00.000Z'),
  },
];

const sender = [
  { _id: 'adminId0000000001', username: 'aline', name: 'Aline Souza' },
  { _id: 'analystId00000002', username: 'devi', name: 'Devi Raman' },
];

/** A message Rocket.Chat writes for a user, with the fields it usually carries. */
function userMessage(id: string, rid: string, ts: Date, index: number): BsonDocument {
  const text = `message ${index} with **markdown** and a link https://example.com/${index}`;
  return {
    _id: id,
    rid,
    msg: text,
    ts,
    u: sender[index % 2] as BsonDocument,
    _updatedAt: ts,
    urls: [{ url: `https://example.com/${index}` }],
    mentions: [],
    channels: [],
    md: [{ type: 'PARAGRAPH', value: [{ type: 'PLAIN_TEXT', value: text }] }],
    ...(index % 5 === 0 ? { reactions: { ':+1:': { usernames: ['devi'] } } } : {}),
  };
}

/**
 * Ten days of history, 2024-05-20 to 2024-05-29: every kind of message on some of the days, so
 * the counts per day differ.
 */
function history(): { messages: BsonDocument[]; counted: Record<string, number> } {
  const messages: BsonDocument[] = [];
  const counted: Record<string, number> = {};
  const count = (ts: Date) => {
    const key = ts.toISOString().slice(0, 10);
    counted[key] = (counted[key] ?? 0) + 1;
  };
  const counting = ['GENERAL', 'Qm2ReleasePlan', 'adminId0000000001analystId00000002'];
  let index = 0;
  for (let d = 0; d < 10; d++) {
    const dayStart = Date.parse('2024-05-20T00:00:00.000Z') + d * day;
    // A whole second (no milliseconds) on purpose: relaxed dates then drop the fraction.
    const at = (minute: number) => new Date(dayStart + minute * 60_000);
    for (let m = 0; m < 3 + (d % 4) * 2; m++) {
      const ts = at(60 + m * 37 + d);
      messages.push(userMessage(`msg-${d}-${m}`, counting[(d + m) % 3] as string, ts, index++));
      count(ts);
    }
    // A thread: its parent counts, and so does each reply.
    const parentTs = at(600);
    messages.push({
      ...userMessage(`thread-${d}`, 'GENERAL', parentTs, index++),
      tcount: 2,
      tlm: at(640),
      replies: ['analystId00000002'],
    });
    count(parentTs);
    for (const r of [0, 1]) {
      const ts = new Date(at(620 + r * 20).getTime() + 123);
      messages.push({
        ...userMessage(`reply-${d}-${r}`, 'GENERAL', ts, index++),
        tmid: `thread-${d}`,
      });
      count(ts);
    }
    // System messages: a user joined, a discussion was created.
    messages.push({
      _id: `join-${d}`,
      rid: 'GENERAL',
      t: 'uj',
      msg: 'devi',
      ts: at(5),
      u: sender[1] as BsonDocument,
      groupable: false,
    });
    if (d === 2) {
      messages.push({
        _id: 'discussion-created-1',
        rid: 'GENERAL',
        t: 'discussion-created',
        drid: 'DiscussionRoom01',
        msg: 'Incident 42',
        ts: at(700),
        u: sender[0] as BsonDocument,
      });
      const ts = at(705);
      messages.push(userMessage('discussion-msg-1', 'DiscussionRoom01', ts, index++));
      count(ts);
    }
    // An edited message (counts once, on the day it was sent) and its edit-history copy.
    const editedTs = at(800);
    messages.push({
      ...userMessage(`edited-${d}`, 'Qm2ReleasePlan', editedTs, index++),
      editedAt: new Date(editedTs.getTime() + 2 * day),
      editedBy: { _id: 'adminId0000000001', username: 'aline' },
    });
    count(editedTs);
    messages.push({
      ...userMessage(`history-${d}`, 'Qm2ReleasePlan', editedTs, index++),
      _hidden: true,
      parent: `edited-${d}`,
    });
    // A message deleted while Message_KeepHistory was on: it stays, as `t: "rm"`.
    if (d % 3 === 0) {
      messages.push({
        _id: `deleted-${d}`,
        rid: 'GENERAL',
        msg: '',
        t: 'rm',
        ts: at(900),
        u: sender[0] as BsonDocument,
        editedAt: at(950),
        editedBy: sender[0] as BsonDocument,
      });
    }
    // Livechat: the visitor and the agent talk; none of it is on the dashboard.
    messages.push({
      _id: `livechat-${d}`,
      rid: 'LcVisitorRoom01',
      msg: 'hello, I need help',
      token: 'visitor-token-not-a-login',
      alias: 'Visitor 4821',
      ts: at(1000),
      u: { _id: 'visitor4821', username: 'guest-4821' },
    });
  }
  return { messages, counted };
}

export function rocketChatWorkspace(now: number): RocketChatWorkspace {
  const logins = {
    admin: 'Zr4d9Kq2Lm7Xw1Pa8Vs6Bn3Ct5Hy0Uj2Fg4Ek6Oi8Q',
    adminStale: 'stale-login-made-one-hundred-days-ago-0001',
    adminPersonal: 'personal-access-token-from-2019-for-grafana',
    analyst: 'An4lyst-login-token-0000000000000000000000',
    deactivated: 'deactivated-user-login-token-000000000000',
  };
  const users: BsonDocument[] = [
    {
      _id: 'adminId0000000001',
      createdAt: new Date('2019-01-01T00:00:00.000Z'),
      username: 'aline',
      name: 'Aline Souza',
      emails: [{ address: 'aline@example.com', verified: true }],
      type: 'user',
      active: true,
      status: 'online',
      roles: ['admin', 'user'],
      utcOffset: -3,
      services: {
        password: { bcrypt: '$2b$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234' },
        email2fa: { enabled: true },
        resume: {
          loginTokens: [
            { when: new Date(now - day), hashedToken: hashLoginToken(logins.admin) },
            { when: new Date(now - 100 * day), hashedToken: hashLoginToken(logins.adminStale) },
            {
              hashedToken: hashLoginToken(logins.adminPersonal),
              type: 'personalAccessToken',
              createdAt: new Date('2019-03-01T08:00:00.000Z'),
              lastTokenPart: 'grafana',
              name: 'grafana',
              bypassTwoFactor: true,
            },
          ],
        },
      },
    },
    {
      _id: 'analystId00000002',
      username: 'devi',
      type: 'user',
      active: true,
      roles: ['user', 'analyst'],
      services: {
        resume: {
          loginTokens: [
            { when: new Date(now - day), hashedToken: hashLoginToken(logins.analyst) },
            // Written by a Meteor that hashed nothing: unusable, reported, the rest imported.
            { when: new Date(now - day), token: 'plaintext-from-an-old-meteor' },
          ],
        },
      },
    },
    {
      _id: 'formerUserId00003',
      username: 'former',
      type: 'user',
      active: false,
      roles: ['admin'],
      services: {
        resume: {
          loginTokens: [
            { when: new Date(now - day), hashedToken: hashLoginToken(logins.deactivated) },
          ],
        },
      },
    },
    { _id: 'rocket.cat', username: 'rocket.cat', type: 'bot', active: true, roles: ['bot'] },
  ];
  const permissions: BsonDocument[] = [
    {
      _id: 'view-engagement-dashboard',
      roles: ['admin', 'analyst'],
      _updatedAt: new Date('2024-01-01T00:00:00.000Z'),
    },
    { _id: 'view-statistics', roles: ['admin'], _updatedAt: new Date('2024-01-01T00:00:00.000Z') },
    {
      _id: 'Accounts_LoginExpiration-setting',
      group: 'Accounts',
      level: 2,
      roles: ['admin'],
      sectionLevel: 2,
    },
  ];
  return { rooms, ...history(), users, permissions, logins };
}

/** Writes the workspace into `dir` as mongoexport would, one file per collection. */
export async function writeWorkspaceExport(
  dir: string,
  workspace: Pick<RocketChatWorkspace, 'rooms' | 'messages' | 'users' | 'permissions'>,
  shape: ExportShape,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const files: [string, BsonDocument[]][] = [
    ['rocketchat_room.json', workspace.rooms],
    ['rocketchat_message.json', workspace.messages],
    ['users.json', workspace.users],
    ['rocketchat_permissions.json', workspace.permissions],
  ];
  for (const [file, documents] of files) {
    await writeFile(join(dir, file), mongoexportText(documents, shape));
  }
}
