// Rocket.Chat's documents, as mongoexport writes them, read into what this service stores.
import { describe, expect, it } from 'vitest';
import { hashLoginToken } from '../../lib/auth/login-token.js';
import { messageFromExport } from '../../lib/rocketchat/exported-messages.js';
import { dashboardGrantFromExport } from '../../lib/rocketchat/exported-permissions.js';
import { roomFromExport } from '../../lib/rocketchat/exported-rooms.js';
import { userFromExport } from '../../lib/rocketchat/exported-users.js';
import { dateOf, idOf } from '../../lib/rocketchat/extended-json.js';
import { type BsonDocument, extendedJson, type JsonFormat } from '../helpers/mongoexport.js';
import { rocketChatWorkspace } from '../helpers/rocketchat-workspace.js';

const formats: JsonFormat[] = ['relaxed', 'canonical'];
const exported = (document: BsonDocument, format: JsonFormat) =>
  JSON.parse(extendedJson(document, format)) as Record<string, unknown>;

describe('Extended JSON dates and ids', () => {
  it.each([
    ['2024-05-01T12:34:56.789Z'],
    ['2024-05-01T12:34:56.000Z'],
    ['2024-05-01T12:34:56.780Z'],
    ['1969-12-31T23:59:59.999Z'],
    ['0001-01-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59.999Z'],
  ])('reads %s in both modes', (iso) => {
    for (const format of formats) {
      const { ts } = exported({ ts: new Date(iso) }, format);
      expect(dateOf(ts)).toBe(Date.parse(iso));
    }
  });

  it('refuses what is not a date', () => {
    for (const value of [
      '2024-05-01T12:34:56.789Z',
      { $date: 'May 1, 2024' },
      { $date: { $numberLong: '1.5' } },
      { $date: { $numberLong: '99999999999999999' } },
      { $date: '2024-05-01T12:34:56.789Z', extra: 1 },
      null,
    ]) {
      expect(dateOf(value)).toBeUndefined();
    }
  });

  it('reads string ids and ObjectIds', () => {
    expect(idOf('GENERAL')).toBe('GENERAL');
    expect(idOf({ $oid: '65F1A2B3C4D5E6F708192A3B' })).toBe('65f1a2b3c4d5e6f708192a3b');
    expect(idOf({ $oid: 'nope' })).toBeUndefined();
    expect(idOf(42)).toBeUndefined();
  });
});

describe('messages', () => {
  const roomTypes = new Map([
    ['GENERAL', 'c'],
    ['LcVisitorRoom01', 'l'],
  ]);
  const read = (document: BsonDocument, format: JsonFormat = 'relaxed') =>
    messageFromExport(exported(document, format), (rid) => roomTypes.get(rid));

  it.each(formats)(
    'keeps only what the counting rule reads and who sent it, never the text (%s)',
    (format) => {
      const workspace = rocketChatWorkspace(Date.parse('2024-06-01T00:00:00.000Z'));
      const reply = workspace.messages.find((message) => message._id === 'reply-3-1');
      expect(read(reply as BsonDocument, format)).toEqual({
        ok: true,
        value: {
          _id: 'reply-3-1',
          rid: 'GENERAL',
          roomType: 'c',
          ts: '2024-05-23T10:40:00.123Z',
          tmid: 'thread-3',
          u: { _id: 'adminId0000000001', username: 'aline' },
        },
      });
    },
  );

  it('keeps the markers of system messages, edit history and deletes, and the edit time', () => {
    const ts = new Date('2024-05-20T10:00:00.000Z');
    expect(read({ _id: 'a', rid: 'GENERAL', t: 'uj', msg: 'devi', ts })).toMatchObject({
      value: { t: 'uj' },
    });
    expect(read({ _id: 'b', rid: 'GENERAL', _hidden: true, parent: 'x', ts })).toMatchObject({
      value: { _hidden: true },
    });
    expect(
      read({ _id: 'c', rid: 'GENERAL', t: 'rm', ts, editedAt: new Date('2024-05-21T00:00:00Z') }),
    ).toMatchObject({ value: { t: 'rm', editedAt: '2024-05-21T00:00:00.000Z' } });
    expect(read({ _id: 'd', rid: 'LcVisitorRoom01', ts, token: 'visitor' })).toMatchObject({
      value: { roomType: 'l' },
    });
    expect(read({ _id: 'e', rid: 'GENERAL', ts, tmid: null, editedAt: null })).toEqual({
      ok: true,
      value: { _id: 'e', rid: 'GENERAL', roomType: 'c', ts: '2024-05-20T10:00:00.000Z' },
    });
  });

  it.each([
    [{ rid: 'GENERAL', ts: new Date(0) }, '_id is missing or not an id'],
    [{ _id: 'x', ts: new Date(0) }, 'rid is missing or not an id'],
    [
      { _id: 'x', rid: 'elsewhere', ts: new Date(0) },
      'its room "elsewhere" is not in the rooms file',
    ],
    [{ _id: 'x', rid: 'GENERAL' }, 'ts is missing or not a date'],
    [{ _id: 'x', rid: 'GENERAL', ts: '2024-05-20' }, 'ts is missing or not a date'],
    [
      { _id: 'x', rid: 'GENERAL', ts: new Date('+010000-01-01T00:00:00.000Z') },
      'ts is outside the years 0000-9999',
    ],
    [{ _id: 'x', rid: 'GENERAL', ts: new Date(0), t: 7 }, 't is not a string'],
    [{ _id: 'x', rid: 'GENERAL', ts: new Date(0), _hidden: 'yes' }, '_hidden is not true or false'],
    [{ _id: 'x', rid: 'GENERAL', ts: new Date(0), editedAt: 'later' }, 'editedAt is not a date'],
    [{ _id: 'x'.repeat(600), rid: 'GENERAL', ts: new Date(0) }, '_id is missing or not an id'],
  ] as [BsonDocument, string][])('rejects %j: %s', (document, reason) => {
    expect(read(document, 'canonical')).toEqual({ ok: false, reason });
  });
});

describe('rooms, users and permissions', () => {
  it('reads a room type, and refuses a room without one', () => {
    expect(roomFromExport({ _id: 'GENERAL', t: 'c', name: 'general' })).toEqual({
      ok: true,
      value: { rid: 'GENERAL', type: 'c' },
    });
    expect(roomFromExport({ _id: 'r', name: 'no type' })).toEqual({
      ok: false,
      reason: 't is not a room type like c, p, d or l',
    });
  });

  it.each(formats)("reads roles and every token's hash, when and kind (%s)", (format) => {
    const now = Date.parse('2024-06-01T00:00:00.000Z');
    const workspace = rocketChatWorkspace(now);
    const [admin, analyst, former] = workspace.users.map((user) =>
      userFromExport(exported(user, format)),
    );
    expect(admin).toEqual({
      ok: true,
      value: {
        userId: 'adminId0000000001',
        username: 'aline',
        roles: ['admin', 'user'],
        active: true,
        tokens: [
          {
            type: 'login',
            hashedToken: hashLoginToken(workspace.logins.admin),
            when: now - 86_400_000,
          },
          {
            type: 'login',
            hashedToken: hashLoginToken(workspace.logins.adminStale),
            when: now - 100 * 86_400_000,
          },
          {
            type: 'personalAccessToken',
            hashedToken: hashLoginToken(workspace.logins.adminPersonal),
            createdAt: Date.parse('2019-03-01T08:00:00.000Z'),
            name: 'grafana',
          },
        ],
        tokenProblems: [],
      },
    });
    expect(analyst).toMatchObject({
      ok: true,
      value: {
        tokens: [{ type: 'login', hashedToken: hashLoginToken(workspace.logins.analyst) }],
        tokenProblems: ['loginTokens[1] has no hashedToken (base64 SHA-256)'],
      },
    });
    expect(former).toMatchObject({ ok: true, value: { active: false } });
    expect(JSON.stringify(admin)).not.toContain('bcrypt');
  });

  it('refuses a user whose roles cannot be read', () => {
    expect(userFromExport({ _id: 'u', roles: 'admin' })).toEqual({
      ok: false,
      reason: 'roles is not a list of role names',
    });
    expect(userFromExport({ _id: 'u' })).toMatchObject({ ok: true, value: { roles: [] } });
  });

  it('takes the dashboard grant and passes over the other permissions', () => {
    expect(
      dashboardGrantFromExport({ _id: 'view-engagement-dashboard', roles: ['admin', 'analyst'] }),
    ).toEqual({ ok: true, value: ['admin', 'analyst'] });
    expect(dashboardGrantFromExport({ _id: 'view-statistics', roles: ['admin'] })).toEqual({
      ok: true,
      value: undefined,
    });
    expect(dashboardGrantFromExport({ _id: 'view-engagement-dashboard', roles: [1] })).toEqual({
      ok: false,
      reason: 'roles is not a list of role names',
    });
  });
});
