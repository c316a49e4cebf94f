// `import rocketchat` run as an operator runs it, on files written exactly as mongoexport writes
// them, then the Messages table's stream fed to the real counting function and the dashboard asked
// through the real query function: the answer is what Rocket.Chat's own history says, the counters
// equal a recount, every broken line is reported, and running the import again changes nothing.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { hashLoginToken } from '../../lib/auth/login-token.js';
import { admin } from '../helpers/admin-cli.js';
import { httpApiEvent } from '../helpers/api-gateway.js';
import { readCounters, recountMessages } from '../helpers/counters.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { lambdaContext } from '../helpers/lambda.js';
import { type BsonDocument, type ExportShape, extendedJson } from '../helpers/mongoexport.js';
import { captureOutput } from '../helpers/output.js';
import { rocketChatWorkspace, writeWorkspaceExport } from '../helpers/rocketchat-workspace.js';
import { StreamFeeder } from '../helpers/stream.js';
import { localClient, localEndpoint, useTestTables } from '../helpers/tables.js';

const tables = await useTestTables();
captureOutput();
const messagesSent = await import('../../functions/messages-sent.js');
const countMessages = await import('../../functions/count-messages.js');
const feeder = await StreamFeeder.of(tables.messages);
const documentClient = DynamoDBDocumentClient.from(localClient());
const scratch = await mkdtemp(join(tmpdir(), 'rocketchat-export-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

const day = 86_400_000;
const now = Date.now();
const workspace = rocketChatWorkspace(now);
const admins = { 'x-user-id': 'adminId0000000001', 'x-auth-token': workspace.logins.admin };

async function exportDir(name: string, shape: ExportShape): Promise<string> {
  const dir = join(scratch, name);
  await writeWorkspaceExport(dir, workspace, shape);
  return dir;
}

/** The `file:line: reason` lines of the command's stderr, without its progress lines. */
const rejections = (stderr: string) =>
  stderr.split('\n').filter((line) => /\.json:\d+: /.test(line));

async function ask(headers: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const response = (await messagesSent.handler(
    httpApiEvent({
      query: { start: '2024-05-20T00:00:00.000Z', end: '2024-05-29T00:00:00.000Z' },
      headers,
    }),
    lambdaContext(),
  )) as APIGatewayProxyResult;
  return { status: response.statusCode, body: JSON.parse(response.body) };
}

async function scan(TableName: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateScan(
    { client: documentClient },
    { TableName, ConsistentRead: true },
  )) {
    items.push(...(page.Items ?? []));
  }
  return items.sort((a, b) =>
    `${a._id ?? a.pk}${a.sk ?? ''}`.localeCompare(`${b._id ?? b.pk}${b.sk ?? ''}`),
  );
}

describe('import rocketchat', () => {
  let firstDir = '';

  it('imports a workspace, reports each line it cannot use as file:line, and exits non-zero after importing the rest', async () => {
    firstDir = await exportDir('lines-relaxed', { jsonFormat: 'relaxed' });
    const messagesFile = join(firstDir, 'rocketchat_message.json');
    const usersFile = join(firstDir, 'users.json');
    const good = workspace.messages.length;
    // Lines the export could hold after a crash or a bad edit, after the good ones.
    await writeFile(
      messagesFile,
      [
        extendedJson(
          { _id: 'elsewhere-1', rid: 'NotExported', msg: 'x', ts: new Date(now) },
          'relaxed',
        ),
        '{"_id":"cut-short","rid":"GENERAL","msg":"the disk filled up',
        extendedJson({ _id: 'no-ts', rid: 'GENERAL', msg: 'x' }, 'relaxed'),
        '',
      ].join('\n'),
      { flag: 'a' },
    );
    await writeFile(usersFile, '{"_id": "broken-user", "roles": ["admin"\n', { flag: 'a' });

    const outcome = await admin(['import', 'rocketchat', '--dir', firstDir]);
    expect(outcome.code).toBe(1);
    expect(rejections(outcome.stderr)).toEqual([
      `${usersFile}:2: loginTokens[1] has no hashedToken (base64 SHA-256)`,
      `${usersFile}:5: not valid JSON at column 41`,
      `${messagesFile}:${good + 1}: its room "NotExported" is not in the rooms file`,
      `${messagesFile}:${good + 2}: not valid JSON at column 61`,
      `${messagesFile}:${good + 3}: ts is missing or not a date`,
    ]);
    const counted = Object.values(workspace.counted).reduce((sum, count) => sum + count, 0);
    expect(outcome.stdout).toContain(
      `${good} messages, ${counted} of them counted on the dashboard`,
    );
    expect(outcome.stdout).toContain('view-engagement-dashboard granted to admin, analyst');
    expect(outcome.stdout).toContain('5 documents were rejected');

    await feeder.deliverNew(countMessages.handler);
    expect(await readCounters(tables.counters)).toEqual(await recountMessages(tables.messages));
    const answer = await ask(admins);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      days: Object.entries(workspace.counted)
        .sort(([a], [b]) => b.localeCompare(a))
        .map(([key, messages]) => ({ day: `${key}T00:00:00.000Z`, messages })),
      period: { count: counted },
    });
  });

  it('stores what the counting rule reads and who sent it, never the text', async () => {
    const items = await scan(tables.messages);
    expect(items).toHaveLength(workspace.messages.length);
    const attributes = new Set(items.flatMap((item) => Object.keys(item)));
    expect([...attributes].sort()).toEqual(
      ['_hidden', '_id', 'editedAt', 'rid', 'roomType', 't', 'tmid', 'ts', 'u'].sort(),
    );
    expect(items.find((item) => item._id === 'livechat-0')).toMatchObject({ roomType: 'l' });
    expect(items.find((item) => item._id === 'history-0')).toMatchObject({ _hidden: true });
    expect(items.find((item) => item._id === 'deleted-0')).toMatchObject({ t: 'rm' });
  });

  it('running the same import again changes nothing and writes no stream record', async () => {
    const messages = await scan(tables.messages);
    const auth = await scan(tables.auth);
    const again = await admin(['import', 'rocketchat', '--dir', firstDir]);
    expect(again.code).toBe(1);
    expect(await feeder.newRecords()).toEqual([]);
    expect(await scan(tables.messages)).toEqual(messages);
    expect(await scan(tables.auth)).toEqual(auth);
  });

  it.each<[string, ExportShape]>([
    ['canonical lines', { jsonFormat: 'canonical' }],
    ['a relaxed array', { jsonFormat: 'relaxed', jsonArray: true }],
    ['a canonical array', { jsonFormat: 'canonical', jsonArray: true }],
    ['a pretty canonical array', { jsonFormat: 'canonical', jsonArray: true, pretty: true }],
  ])('gives the same items from %s: importing it writes no stream record', async (name, shape) => {
    const messages = await scan(tables.messages);
    const outcome = await admin(['import', 'rocketchat', '--dir', await exportDir(name, shape)]);
    const usersFile = join(scratch, name, 'users.json');
    const where = shape.pretty ? '67: document 2' : shape.jsonArray ? '1: document 2' : '2';
    expect(rejections(outcome.stderr)).toEqual([
      `${usersFile}:${where}: loginTokens[1] has no hashedToken (base64 SHA-256)`,
    ]);
    expect(await feeder.newRecords()).toEqual([]);
    expect(await scan(tables.messages)).toEqual(messages);
  });

  it('lets imported logins in until they expire, personal access tokens always, and deactivated users never', async () => {
    const status = async (userId: string, token: string) =>
      (await ask({ 'x-user-id': userId, 'x-auth-token': token })).status;
    expect(await status('adminId0000000001', workspace.logins.admin)).toBe(200);
    expect(await status('adminId0000000001', workspace.logins.adminPersonal)).toBe(200);
    // Made 100 days ago: past Rocket.Chat's 90 days already.
    expect(await status('adminId0000000001', workspace.logins.adminStale)).toBe(401);
    expect(await status('formerUserId00003', workspace.logins.deactivated)).toBe(401);
    // The grant came from rocketchat_permissions: analyst may see the dashboard.
    expect(await status('analystId00000002', workspace.logins.analyst)).toBe(200);

    // A login made 90 days ago less five seconds has five seconds left: time enough to import it.
    const when = Date.now() - 90 * day + 5_000;
    const dir = join(scratch, 'expiring-login');
    await writeWorkspaceExport(
      dir,
      {
        rooms: [],
        messages: [],
        permissions: [],
        users: [
          {
            _id: 'expiringUser00004',
            roles: ['analyst'],
            services: {
              resume: {
                loginTokens: [
                  { when: new Date(when), hashedToken: hashLoginToken('expiring-login') },
                ],
              },
            },
          },
        ],
      },
      { jsonFormat: 'canonical' },
    );
    expect((await admin(['import', 'rocketchat', '--dir', dir])).code).toBe(0);
    expect(await status('expiringUser00004', 'expiring-login')).toBe(200);
    const expiresAt = Math.floor((when + 90 * day) / 1000) * 1000;
    await new Promise((resolve) => setTimeout(resolve, expiresAt - Date.now() + 50));
    expect(await status('expiringUser00004', 'expiring-login')).toBe(401);
  });

  it('revokes a token Rocket.Chat no longer has, and keeps one made here', async () => {
    const made = await admin(['token', 'create', '--user', 'adminId0000000001']);
    const tokenMadeHere = /^ {2}([A-Za-z0-9_-]{43})$/m.exec(made.stdout)?.[1] ?? '';
    const dir = join(scratch, 'after-logout');
    await writeWorkspaceExport(
      dir,
      {
        ...workspace,
        // The admin deleted the personal access token in Rocket.Chat and logged out elsewhere.
        users: workspace.users.map((user) =>
          user._id === 'adminId0000000001'
            ? {
                ...user,
                services: {
                  resume: {
                    loginTokens: [
                      {
                        when: new Date(now - day),
                        hashedToken: hashLoginToken(workspace.logins.admin),
                      },
                    ],
                  },
                },
              }
            : user,
        ),
      },
      { jsonFormat: 'relaxed' },
    );
    const outcome = await admin(['import', 'rocketchat', '--dir', dir]);
    expect(outcome.stdout).toContain('1 earlier imported token revoked');
    const status = async (token: string) =>
      (await ask({ 'x-user-id': 'adminId0000000001', 'x-auth-token': token })).status;
    expect(await status(workspace.logins.adminPersonal)).toBe(401);
    expect(await status(workspace.logins.admin)).toBe(200);
    expect(await status(tokenMadeHere)).toBe(200);
    expect(await feeder.newRecords()).toEqual([]);
  });

  it('sends again what DynamoDB leaves unprocessed, and writes a message exported twice once', async () => {
    const proxy = await startFaultProxy(localEndpoint());
    proxy.plan = (operation) => (operation === 'BatchWriteItem' ? 'partial' : 'pass');
    try {
      const history = Array.from({ length: 300 }, (_, index) => ({
        _id: `unprocessed-${index}`,
        rid: 'GENERAL',
        msg: `from a busy table ${index}`,
        ts: new Date(Date.parse('2024-04-01T00:00:00.000Z') + index * 60_000),
        u: { _id: 'adminId0000000001', username: 'aline' },
      }));
      const dir = join(scratch, 'unprocessed');
      await writeWorkspaceExport(
        dir,
        {
          ...workspace,
          messages: [...history.slice(0, 6), history[5] as BsonDocument, ...history.slice(6)],
        },
        { jsonFormat: 'relaxed' },
      );
      const outcome = await admin(['import', 'rocketchat', '--dir', dir], {
        AWS_ENDPOINT_URL_DYNAMODB: proxy.url,
      });
      expect(outcome.stdout).toContain('301 messages, 301 of them counted');
      expect(proxy.injected.BatchWriteItem?.partial).toBeGreaterThanOrEqual(12);
      const written = (await scan(tables.messages)).filter((item) =>
        String(item._id).startsWith('unprocessed-'),
      );
      expect(written).toHaveLength(300);
      expect(await feeder.deliverNew(countMessages.handler)).toBe(300);
      expect(await readCounters(tables.counters)).toEqual(await recountMessages(tables.messages));
    } finally {
      await proxy.close();
    }
  });

  it('--dry-run reads and reports, and writes nothing', async () => {
    const dir = join(scratch, 'dry-run');
    await writeWorkspaceExport(
      dir,
      {
        ...workspace,
        messages: [{ _id: 'new-one', rid: 'GENERAL', msg: 'hi', ts: new Date(now) }],
        permissions: [{ _id: 'view-engagement-dashboard', roles: ['nobody'] }],
      },
      { jsonFormat: 'relaxed' },
    );
    const auth = await scan(tables.auth);
    const outcome = await admin(['import', 'rocketchat', '--dir', dir, '--dry-run']);
    expect(outcome.stdout).toContain('--dry-run: nothing written');
    expect(outcome.stdout).toContain('1 message, 1 of them counted on the dashboard');
    expect(await feeder.newRecords()).toEqual([]);
    expect(await scan(tables.auth)).toEqual(auth);
  });
});

describe('import rocketchat refuses what it cannot do before writing anything', () => {
  it.each<[string, (dir: string) => Promise<string[]>, string]>([
    ['no --dir', async () => ['import', 'rocketchat'], 'error: --dir is required'],
    [
      'a file instead of a directory',
      async (dir) => {
        await writeFile(join(dir, 'file'), '');
        return ['import', 'rocketchat', '--dir', join(dir, 'file')];
      },
      'error: --dir {dir}/file is not a directory',
    ],
    [
      'a directory without exports',
      async (dir) => ['import', 'rocketchat', '--dir', dir],
      'error: {dir} holds none of rocketchat_room.json, rocketchat_permissions.json, users.json, rocketchat_message.json; write them with mongoexport --collection=NAME --out=NAME.json',
    ],
    [
      'messages without rooms',
      async (dir) => {
        await writeFile(join(dir, 'rocketchat_message.json'), '');
        return ['import', 'rocketchat', '--dir', dir];
      },
      'error: {dir} has rocketchat_message.json but no rocketchat_room.json, which gives each message its room',
    ],
    [
      'a bad --login-expiration-days',
      async (dir) => {
        await writeWorkspaceExport(dir, workspace, { jsonFormat: 'relaxed' });
        return ['import', 'rocketchat', '--dir', dir, '--login-expiration-days', 'ninety'];
      },
      'error: --login-expiration-days must be a whole number from 1 to 100000',
    ],
  ])('%s', async (_name, setUp, message) => {
    const dir = await mkdtemp(join(scratch, 'refused-'));
    const args = await setUp(dir);
    const messages = await scan(tables.messages);
    const outcome = await admin(args);
    expect(outcome.code).not.toBe(0);
    expect(outcome.stderr.trim()).toMatch(
      new RegExp(`^${message.replaceAll('{dir}', dir).replace(/[.*+?^$()|[\]\\]/g, '\\$&')}`),
    );
    expect(await scan(tables.messages)).toEqual(messages);
  });

  it('names a missing table', async () => {
    const dir = await exportDir('missing-table', { jsonFormat: 'relaxed' });
    const outcome = await admin(['import', 'rocketchat', '--dir', dir], {
      MESSAGES_TABLE: 'no-such-table',
    });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(/^error: a table does not exist at http:\/\/127\.0\.0\.1:\d+/);
  });
});
