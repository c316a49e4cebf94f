// The admin command line, run as an operator runs it, against the real query handler: tokens made,
// revoked, expired and imported from Rocket.Chat; roles; and bad input refused in one line.
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../../infra/local/dynamodb-local.js';
import { hashLoginToken } from '../../lib/auth/login-token.js';
import { admin, npmRunAdmin } from '../helpers/admin-cli.js';
import { httpApiEvent } from '../helpers/api-gateway.js';
import { lambdaContext } from '../helpers/lambda.js';
import { captureOutput } from '../helpers/output.js';
import { localClient, useTestTables } from '../helpers/tables.js';

const tables = await useTestTables();
captureOutput();
const { handler } = await import('../../functions/messages-sent.js');

async function statusWith(userId: string, token: string): Promise<number> {
  const response = (await handler(
    httpApiEvent({
      query: { start: '2023-05-20T00:00:00.000Z', end: '2023-05-30T00:00:00.000Z' },
      headers: { 'x-user-id': userId, 'x-auth-token': token },
    }),
    lambdaContext(),
  )) as APIGatewayProxyResult;
  return response.statusCode;
}

/**
 * Everything in the Auth table, to show a refused command wrote nothing. Expired items are left
 * out: DynamoDB Local's TTL may delete them at any moment.
 */
async function storedAuthItems(): Promise<unknown[]> {
  const { Items } = await DynamoDBDocumentClient.from(localClient()).send(
    new ScanCommand({ TableName: tables.auth, ConsistentRead: true }),
  );
  return (Items ?? [])
    .filter((item) => !(typeof item.expiresAt === 'number' && item.expiresAt * 1000 <= Date.now()))
    .sort((a, b) => `${a.pk}${a.sk}`.localeCompare(`${b.pk}${b.sk}`));
}

const tokenImport = (...options: string[]) => [
  'token',
  'import',
  '--user',
  'ops-user',
  '--hashed-token',
  hashLoginToken('x'),
  ...options,
];

const tokenIn = (output: string) => /^ {2}([A-Za-z0-9_-]{43})$/m.exec(output)?.[1] ?? '';

describe('token lifecycle through the command line', () => {
  it('a created token works, and gets 401 once revoked', async () => {
    // Through `npm run admin` itself once, as the README has operators run it.
    const roles = await npmRunAdmin(['user', 'roles', '--user', 'ops-user', '--set', 'admin,user']);
    expect(roles).toMatchObject({ code: 0, stdout: expect.stringContaining('admin') });
    const created = await admin(['token', 'create', '--user', 'ops-user', '--name', 'grafana']);
    expect(created.code).toBe(0);
    const token = tokenIn(created.stdout);
    expect(token).toHaveLength(43);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(await statusWith('ops-user', token)).toBe(200);

    const listed = await admin(['token', 'list', '--user', 'ops-user']);
    expect(listed.stdout).toContain('grafana');
    expect(listed.stdout).not.toContain(hashLoginToken(token));
    const id = `${hashLoginToken(token).slice(0, 12)}…`;
    expect(listed.stdout).toContain(id);

    const revoked = await admin(['token', 'revoke', '--user', 'ops-user', '--id', id]);
    expect(revoked.stdout).toContain('Revoked 1 token of ops-user');
    expect(await statusWith('ops-user', token)).toBe(401);
    expect((await admin(['token', 'list', '--user', 'ops-user'])).stdout).toMatch(
      /revoked 20\d\d-/,
    );
  });

  it('a token gets 401 once expired', async () => {
    await admin(['user', 'roles', '--user', 'short-lived', '--set', 'admin']);
    const token = tokenIn(
      (await admin(['token', 'create', '--user', 'short-lived', '--expires-in', '2s'])).stdout,
    );
    expect(await statusWith('short-lived', token)).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect(await statusWith('short-lived', token)).toBe(401);
  });

  it('an imported Rocket.Chat hash works with its original token', async () => {
    const rocketChatToken = 'hvX5Jm3aEa9nQq2c7pL0wTzR8sYbKdF1gUiOeNoMaPs';
    const importArgs = [
      'token',
      'import',
      '--user',
      'imported-user',
      '--hashed-token',
      hashLoginToken(rocketChatToken),
      '--when',
      new Date().toISOString(),
    ];
    await admin(['user', 'roles', '--user', 'imported-user', '--set', 'admin']);
    const imported = await admin(importArgs);
    expect(imported.code).toBe(0);
    expect(await statusWith('imported-user', rocketChatToken)).toBe(200);
    const again = await admin(importArgs);
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe('error: that token is already stored for user imported-user');
  });

  it("an imported login works until Rocket.Chat's login expiration after its `when`, then gets 401", async () => {
    const login = 'Xo2c9Lm4Rt7Yw1Qa8Zs6Dk3Fj5Hg0Pl2Nb4Vc6Mx8W';
    await admin(['user', 'roles', '--user', 'expiring-login', '--set', 'admin']);
    // Made 90 days ago less five seconds: with the default expiration it has five seconds left.
    const when = new Date(Date.now() - 90 * 86_400_000 + 5_000);
    const imported = await admin([
      'token',
      'import',
      '--user',
      'expiring-login',
      '--hashed-token',
      hashLoginToken(login),
      '--when',
      when.toISOString(),
    ]);
    expect(imported.code).toBe(0);
    const expiresAt = Math.floor((when.getTime() + 90 * 86_400_000) / 1000) * 1000;
    expect(imported.stdout).toContain(`expires ${new Date(expiresAt).toISOString()}`);
    expect(await statusWith('expiring-login', login)).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, expiresAt - Date.now() + 50));
    expect(await statusWith('expiring-login', login)).toBe(401);
  });

  it('refuses a login already past --login-expiration-days, and keeps personal access tokens forever', async () => {
    await admin(['user', 'roles', '--user', 'old-tokens', '--set', 'admin']);
    const before = await storedAuthItems();
    const stale = await admin([
      'token',
      'import',
      '--user',
      'old-tokens',
      '--hashed-token',
      hashLoginToken('stale-login'),
      '--when',
      new Date(Date.now() - 31 * 86_400_000).toISOString(),
      '--login-expiration-days',
      '30',
    ]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(
      /^error: that login expired at 20\d\d-.*Z \(30 days after --when\); nothing was stored/,
    );
    expect(await storedAuthItems()).toEqual(before);

    const personal = 'pat-from-2019-never-expires';
    const imported = await admin([
      'token',
      'import',
      '--user',
      'old-tokens',
      '--type',
      'personalAccessToken',
      '--hashed-token',
      hashLoginToken(personal),
      '--when',
      '2019-03-01T08:00:00.000Z',
    ]);
    expect(imported.stdout).toContain('never expires');
    expect(await statusWith('old-tokens', personal)).toBe(200);
    expect((await admin(['token', 'list', '--user', 'old-tokens'])).stdout).toMatch(
      /personalAccessToken +Rocket\.Chat personal access token +2019-03-01T08:00:00\.000Z +never +active/,
    );
  });

  it('sets who may view the dashboard', async () => {
    await admin(['user', 'roles', '--user', 'analyst', '--set', 'analyst']);
    const token = tokenIn((await admin(['token', 'create', '--user', 'analyst'])).stdout);
    expect(await statusWith('analyst', token)).toBe(403);
    expect((await admin(['permission', 'roles', 'view-engagement-dashboard'])).stdout).toContain(
      'admin (the default',
    );
    await admin(['permission', 'roles', 'view-engagement-dashboard', '--set', 'admin,analyst']);
    expect(await statusWith('analyst', token)).toBe(200);
    expect((await admin(['user', 'roles', '--user', 'analyst'])).stdout.trim()).toBe(
      'analyst: analyst',
    );
  });
});

describe('bad input: one clear line, a non-zero exit, nothing written', () => {
  it.each([
    [
      ['token', 'create', '--user', 'nobody'],
      1,
      'error: there is no user nobody; create it first with `user roles --user nobody --set <roles>`',
    ],
    [
      ['token', 'create', '--user', 'ops-user', '--expires-in', 'soon'],
      1,
      'error: "soon" is not a duration; write it like 90s, 15m, 12h, 30d, 2w or 1d12h',
    ],
    [
      ['token', 'create', '--user', 'ops-user', '--type', 'root'],
      1,
      'error: --type must be one of login, personalAccessToken',
    ],
    [
      ['token', 'import', '--user', 'ops-user', '--hashed-token', 'abc'],
      1,
      'error: --hashed-token must be a base64 SHA-256 (44 characters), as in services.resume.loginTokens[].hashedToken',
    ],
    [tokenImport(), 1, 'error: --when is required'],
    [
      tokenImport('--when', 'May 1'),
      1,
      'error: --when May 1 is not a date and time; write it like 2024-05-01T12:34:56.789Z',
    ],
    [
      tokenImport('--when', '2024-05-01T00:00:00Z', '--login-expiration-days', '0'),
      1,
      'error: --login-expiration-days must be a whole number from 1 to 100000',
    ],
    [
      ['counters', 'reconcile', '--from', '2023-02-30'],
      1,
      'error: --from 2023-02-30 is not a day; write it as YYYY-MM-DD',
    ],
    [
      ['counters', 'reconcile', '--from', '2023-05-30', '--to', '2023-05-01'],
      1,
      'error: --to 2023-05-01 is before --from 2023-05-30',
    ],
    [
      ['webhook', 'create', '--room-type', 'l'],
      1,
      'error: --room-type must be one of c, p, d (public channels, private groups, direct messages)',
    ],
    [
      ['webhook', 'create', '--room-type', 'c', '--url', 'api.example.com'],
      1,
      'error: --url api.example.com is not an http(s) URL',
    ],
    [
      ['webhook', 'revoke', '--room-type', 'c', '--id', 'abc'],
      1,
      'error: --id needs at least 6 characters of the id `webhook list` shows',
    ],
    [['token', 'create', '--usr', 'x'], 2, "error: Unknown option '--usr'"],
    [
      ['tokens', 'make'],
      2,
      'error: unknown command "tokens make"; `npm run admin -- --help` lists them',
    ],
  ])('%j', async (args, code, message) => {
    const before = await storedAuthItems();
    const outcome = await admin(args);
    expect(outcome.code).toBe(code);
    expect(outcome.stderr.trim().split('\n')).toHaveLength(1);
    expect(outcome.stderr.trim().startsWith(message)).toBe(true);
    expect(await storedAuthItems()).toEqual(before);
  });

  it('names a missing table', async () => {
    const outcome = await admin(['token', 'list', '--user', 'ops-user'], {
      AUTH_TABLE: 'no-such-table',
    });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(/^error: a table does not exist at http:\/\/127\.0\.0\.1:\d+/);
  });

  it('says when DynamoDB cannot be reached', async () => {
    const closed = await freeLoopbackPort();
    const outcome = await admin(['token', 'list', '--user', 'ops-user'], {
      AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${closed}`,
    });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr.trim()).toBe(
      `error: cannot reach DynamoDB at http://127.0.0.1:${closed} (ECONNREFUSED); check the region and AWS_ENDPOINT_URL_DYNAMODB`,
    );
  });

  it('says which table variable is missing', async () => {
    const outcome = await admin(['token', 'list', '--user', 'ops-user'], { AUTH_TABLE: '' });
    expect(outcome.stderr.trim()).toBe(
      'error: AUTH_TABLE is not set; name the auth table (or use --local)',
    );
  });

  it('prints help for every command', async () => {
    for (const command of [
      'token create',
      'token import',
      'token list',
      'token revoke',
      'user roles',
      'permission roles',
      'counters reconcile',
      'counters backfill',
      'import rocketchat',
      'webhook create',
      'webhook list',
      'webhook revoke',
    ]) {
      const outcome = await admin([...command.split(' '), '--help']);
      expect(outcome.code).toBe(0);
      expect(outcome.stdout).toContain(`usage: npm run admin -- ${command}`);
    }
  });
});
