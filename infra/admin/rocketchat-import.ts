// import rocketchat: a Rocket.Chat's history from the files `mongoexport --collection=NAME
// --out=NAME.json` writes — rooms, the dashboard grant, users with their tokens, then messages.
//
// Every item is a pure function of the files, so running the same import again writes items equal
// to the stored ones: DynamoDB then changes nothing and writes no stream record, and an
// interrupted import can simply be run again.
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { dashboardPermission } from '../../lib/auth/access.js';
import {
  defaultLoginExpirationDays,
  tokensToImport,
  vanishedTokens,
} from '../../lib/auth/rocketchat-tokens.js';
import { countsAsMessage } from '../../lib/counting/message.js';
import { messageFromExport } from '../../lib/rocketchat/exported-messages.js';
import { dashboardGrantFromExport } from '../../lib/rocketchat/exported-permissions.js';
import { roomFromExport } from '../../lib/rocketchat/exported-rooms.js';
import { userFromExport } from '../../lib/rocketchat/exported-users.js';
import { AuthAdmin } from '../../lib/store/auth-admin.js';
import { InFlight } from '../../lib/store/in-flight.js';
import { BatchWriter } from '../../lib/store/put-all.js';
import { positiveInteger, required } from './arguments.js';
import type { AdminContext } from './context.js';
import { CliError } from './errors.js';
import { readExportFile } from './export-files.js';
import { formatDuration, type NotingProgress } from './progress.js';

export const exportFiles = {
  rooms: 'rocketchat_room.json',
  permissions: 'rocketchat_permissions.json',
  users: 'users.json',
  messages: 'rocketchat_message.json',
} as const;

export interface ImportOptions {
  dir?: string;
  'login-expiration-days'?: string;
  parallel?: string;
  'dry-run'?: boolean;
}

interface Run {
  context: AdminContext;
  dir: string;
  progress: NotingProgress;
  dryRun: boolean;
  parallel: number;
  /** One line per file for the summary. */
  summary: string[];
  rejected: number;
}

export async function importRocketChat(
  context: AdminContext,
  options: ImportOptions,
  progress: NotingProgress,
): Promise<{ output: string; exitCode: number }> {
  const dir = required(options.dir, 'dir');
  if (!(await stat(dir).catch(() => undefined))?.isDirectory()) {
    throw new CliError(`--dir ${dir} is not a directory`);
  }
  const present = (file: string) => existsSync(join(dir, file));
  if (!Object.values(exportFiles).some(present)) {
    throw new CliError(
      `${dir} holds none of ${Object.values(exportFiles).join(', ')}; write them with mongoexport --collection=NAME --out=NAME.json`,
    );
  }
  if (present(exportFiles.messages) && !present(exportFiles.rooms)) {
    throw new CliError(
      `${dir} has ${exportFiles.messages} but no ${exportFiles.rooms}, which gives each message its room's type; export it too (mongoexport --collection=rocketchat_room --out=rocketchat_room.json)`,
    );
  }
  const loginExpirationDays = positiveInteger(
    options['login-expiration-days'],
    'login-expiration-days',
    defaultLoginExpirationDays,
    100_000,
  );
  const run: Run = {
    context,
    dir,
    progress,
    dryRun: options['dry-run'] === true,
    parallel: positiveInteger(options.parallel, 'parallel', 16, 256),
    summary: [],
    rejected: 0,
  };
  // Every table the import writes must exist before anything is written.
  if (!run.dryRun) {
    if (present(exportFiles.messages)) await describe(context, context.table('messages'));
    if (present(exportFiles.users) || present(exportFiles.permissions)) {
      await describe(context, context.table('auth'));
    }
  }

  const started = Date.now();
  const roomTypes = present(exportFiles.rooms) ? await importRooms(run) : new Map();
  if (present(exportFiles.permissions)) await importPermissions(run);
  if (present(exportFiles.users)) await importUsers(run, loginExpirationDays);
  if (present(exportFiles.messages)) await importMessages(run, roomTypes);
  progress.done(`Read ${dir} in ${formatDuration(Date.now() - started)}`);

  const output = [
    run.dryRun ? `Read from ${dir} (--dry-run: nothing written):` : `Imported from ${dir}:`,
    ...run.summary,
  ];
  if (run.rejected > 0) {
    output.push(
      '',
      `${run.rejected} document${run.rejected === 1 ? ' was' : 's were'} rejected, as listed above; ${run.dryRun ? 'the others can be imported' : 'everything else is imported'}.`,
      'Fix them and run the same command again: what is already imported stays as it is.',
    );
  }
  return { output: output.join('\n'), exitCode: run.rejected > 0 ? 1 : 0 };
}

async function describe(context: AdminContext, tableName: string): Promise<void> {
  await context.client.send(new DescribeTableCommand({ TableName: tableName }));
}

const plural = (count: number, noun: string) =>
  `${count.toLocaleString('en')} ${noun}${count === 1 ? '' : 's'}`;

function line(run: Run, file: string, text: string): void {
  run.summary.push(`  ${file.padEnd(30)}${text}`);
}

async function importRooms(run: Run): Promise<Map<string, string>> {
  const types = new Map<string, string>();
  const outcome = await readExportFile(
    join(run.dir, exportFiles.rooms),
    (document, reject) => {
      const room = roomFromExport(document);
      if (room.ok) types.set(room.value.rid, room.value.type);
      else reject(room.reason);
    },
    run.progress,
  );
  run.rejected += outcome.rejected;
  line(run, exportFiles.rooms, `${plural(types.size, 'room')}, their types read`);
  return types;
}

async function importPermissions(run: Run): Promise<void> {
  let granted: string[] | undefined;
  const outcome = await readExportFile(
    join(run.dir, exportFiles.permissions),
    (document, reject) => {
      const grant = dashboardGrantFromExport(document);
      if (!grant.ok) reject(grant.reason);
      else if (grant.value) granted = grant.value;
    },
    run.progress,
  );
  run.rejected += outcome.rejected;
  if (granted && !run.dryRun) {
    const auth = new AuthAdmin(run.context.documentClient, run.context.table('auth'));
    await auth.putPermissionRoles(dashboardPermission, granted);
  }
  line(
    run,
    exportFiles.permissions,
    granted
      ? `${dashboardPermission} granted to ${granted.join(', ') || 'no role'}`
      : `no ${dashboardPermission} document: the grant stays as it is`,
  );
}

async function importUsers(run: Run, loginExpirationDays: number): Promise<void> {
  const auth = run.dryRun
    ? undefined
    : new AuthAdmin(run.context.documentClient, run.context.table('auth'));
  const inFlight = new InFlight(run.parallel);
  const now = Date.now();
  const totals = { users: 0, tokens: 0, expired: 0, deactivated: 0, revoked: 0 };
  const outcome = await readExportFile(
    join(run.dir, exportFiles.users),
    async (document, reject) => {
      const user = userFromExport(document);
      if (!user.ok) return reject(user.reason);
      const { userId, roles, username, active } = user.value;
      if (user.value.tokenProblems.length > 0) reject(user.value.tokenProblems.join('; '));
      const { tokens, expired } = tokensToImport(user.value, loginExpirationDays, now);
      totals.users++;
      totals.tokens += tokens.length;
      totals.expired += expired;
      if (!active) totals.deactivated += user.value.tokens.length;
      if (!auth) return;
      await inFlight.run(async () => {
        await auth.putUser(userId, roles, username);
        for (const token of tokens) await auth.putImportedToken(token);
        const gone = vanishedTokens(await auth.tokens(userId), tokens);
        for (const token of gone) {
          await auth.revokeToken(userId, token.hashedToken, new Date(now).toISOString());
        }
        totals.revoked += gone.length;
      });
    },
    run.progress,
  );
  await inFlight.drain();
  run.rejected += outcome.rejected;
  const left = [
    totals.expired > 0 ? `${plural(totals.expired, 'expired login')}` : '',
    totals.deactivated > 0 ? `${plural(totals.deactivated, 'token')} of deactivated users` : '',
  ].filter(Boolean);
  line(
    run,
    exportFiles.users,
    `${plural(totals.users, 'user')} with their roles, ${plural(totals.tokens, 'token')}` +
      (left.length > 0 ? ` (left out: ${left.join(', ')})` : '') +
      (run.dryRun ? '' : `; ${plural(totals.revoked, 'earlier imported token')} revoked`),
  );
}

async function importMessages(run: Run, roomTypes: Map<string, string>): Promise<void> {
  const writer = run.dryRun
    ? undefined
    : new BatchWriter(run.context.documentClient, run.context.table('messages'), {
        requestsAtOnce: run.parallel,
        keyOf: (request) => ('PutRequest' in request ? String(request.PutRequest.Item._id) : ''),
      });
  let messages = 0;
  let counted = 0;
  const outcome = await readExportFile(
    join(run.dir, exportFiles.messages),
    async (document, reject) => {
      const message = messageFromExport(document, (rid) => roomTypes.get(rid));
      if (!message.ok) return reject(message.reason);
      messages++;
      // Built to the rule's schema already: no need to parse it again to apply the rule.
      const image = { kind: 'message' as const, message: message.value };
      if (countsAsMessage(image, run.context.countedRoomTypes)) {
        counted++;
      }
      await writer?.write({ PutRequest: { Item: message.value } });
    },
    run.progress,
  );
  await writer?.flush();
  run.rejected += outcome.rejected;
  line(
    run,
    exportFiles.messages,
    `${plural(messages, 'message')}, ${counted.toLocaleString('en')} of them counted on the dashboard`,
  );
}
