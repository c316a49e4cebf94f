// `npm run admin -- <command>`: grant dashboard access and repair counters, against the tables the
// environment names (DynamoDB Local or AWS alike). `--help` on any command says how to use it.
import { parseArgs } from 'node:util';
import { defaultLoginExpirationDays } from '../../lib/auth/rocketchat-tokens.js';
import { adminContext } from './context.js';
import { reconcileCounters } from './counters.js';
import { adminEndpoints } from './endpoints.js';
import { CliError, explainAwsError } from './errors.js';
import { progressOn } from './progress.js';
import { exportFiles, type ImportOptions, importRocketChat } from './rocketchat-import.js';
import { permissionRoles, userRoles } from './roles.js';
import { createToken, importToken, listTokens, revokeTokens } from './tokens.js';
import { createWebhook, listWebhooks, revokeWebhook } from './webhooks.js';

type Options = Record<string, string | boolean | undefined>;
type Option = { type: 'string' | 'boolean'; description: string };

interface Command {
  usage: string;
  summary: string;
  options: Record<string, Option>;
  /** The output, or the output and the exit code for a command that can half succeed. */
  run(
    context: ReturnType<typeof adminContext>,
    options: Options,
    positionals: string[],
  ): Promise<string | { output: string; exitCode: number }>;
}

const common: Record<string, Option> = {
  local: { type: 'boolean', description: 'use the tables `npm start` makes on DynamoDB Local' },
  help: { type: 'boolean', description: 'show this help' },
};
const range: Record<string, Option> = {
  from: {
    type: 'string',
    description: 'first day, YYYY-MM-DD (default: the oldest with messages)',
  },
  to: { type: 'string', description: 'last day, YYYY-MM-DD (default: the newest with messages)' },
  'dry-run': { type: 'boolean', description: 'only report the drift; write nothing' },
  segments: { type: 'string', description: 'parallel scan segments (default 8)' },
  settle: {
    type: 'string',
    description: 'ms to let the stream catch up after the scan (default 2000)',
  },
};

const commands: Record<string, Command> = {
  'token create': {
    usage:
      'token create --user <id> [--name <label>] [--expires-in <duration>] [--type login|personalAccessToken]',
    summary: 'make a new token for a user; it is printed once and only its hash is stored',
    options: {
      user: { type: 'string', description: 'the user id (x-user-id)' },
      name: { type: 'string', description: 'a label to recognise the token by' },
      'expires-in': {
        type: 'string',
        description: 'lifetime like 12h, 30d, 2w (default: never expires)',
      },
      type: { type: 'string', description: 'login or personalAccessToken (default)' },
    },
    run: (context, options) => createToken(context, options as Parameters<typeof createToken>[1]),
  },
  'token import': {
    usage:
      'token import --user <id> --hashed-token <base64> --when <date> [--login-expiration-days <n>]',
    summary:
      "store a hash from Rocket.Chat's services.resume.loginTokens, so that login keeps working until it expires there",
    options: {
      user: { type: 'string', description: 'the user id the login belongs to' },
      'hashed-token': { type: 'string', description: 'the hashedToken value (base64 SHA-256)' },
      when: {
        type: 'string',
        description:
          "the login's `when`, like 2024-05-01T12:34:56.789Z (required for logins; for a personal access token, its createdAt)",
      },
      type: { type: 'string', description: 'login (default) or personalAccessToken' },
      'login-expiration-days': {
        type: 'string',
        description: `Rocket.Chat's Accounts_LoginExpiration (default ${defaultLoginExpirationDays}); personal access tokens never expire`,
      },
      name: { type: 'string', description: 'a label (default: Rocket.Chat login)' },
    },
    run: (context, options) => importToken(context, options as Parameters<typeof importToken>[1]),
  },
  'token list': {
    usage: 'token list --user <id>',
    summary: "list a user's tokens (ids are the start of their hash)",
    options: { user: { type: 'string', description: 'the user id' } },
    run: (context, options) => listTokens(context, options as Parameters<typeof listTokens>[1]),
  },
  'token revoke': {
    usage: 'token revoke --user <id> (--id <id> | --token <token> | --all)',
    summary: 'revoke tokens; they get 401 from the next request on',
    options: {
      user: { type: 'string', description: 'the user id' },
      id: { type: 'string', description: 'a token id from `token list`' },
      token: { type: 'string', description: 'the token itself' },
      all: { type: 'boolean', description: 'every token of the user' },
    },
    run: (context, options) => revokeTokens(context, options as Parameters<typeof revokeTokens>[1]),
  },
  'user roles': {
    usage: 'user roles --user <id> [--set <role,…>]',
    summary: "show a user's roles, or set them (which creates the user)",
    options: {
      user: { type: 'string', description: 'the user id' },
      set: { type: 'string', description: 'the roles, comma-separated' },
    },
    run: (context, options) => userRoles(context, options as Parameters<typeof userRoles>[1]),
  },
  'permission roles': {
    usage: 'permission roles view-engagement-dashboard [--set <role,…>]',
    summary: 'show or set the roles granted the dashboard permission (default: admin)',
    options: { set: { type: 'string', description: 'the roles, comma-separated' } },
    run: (context, options, positionals) =>
      permissionRoles(context, positionals[0], options as Parameters<typeof permissionRoles>[2]),
  },
  'import rocketchat': {
    usage:
      'import rocketchat --dir <dir> [--login-expiration-days <n>] [--dry-run] [--parallel <n>]',
    summary:
      "import a Rocket.Chat's history from mongoexport files: rooms, the dashboard grant, users and their tokens, messages",
    options: {
      dir: {
        type: 'string',
        description: `where mongoexport wrote ${Object.values(exportFiles).join(', ')} (any of them)`,
      },
      'login-expiration-days': {
        type: 'string',
        description: `Rocket.Chat's Accounts_LoginExpiration (default ${defaultLoginExpirationDays}): logins expire that long after their \`when\``,
      },
      'dry-run': { type: 'boolean', description: 'read and check the files; write nothing' },
      parallel: { type: 'string', description: 'write requests in flight at once (default 16)' },
    },
    run: (context, options) => importRocketChat(context, options as ImportOptions, progressOn()),
  },
  'webhook create': {
    usage: 'webhook create --room-type c|p|d [--name <label>] [--url <HTTP API URL>]',
    summary:
      'make the token a Rocket.Chat outgoing integration sends for one room type; prints it once, with the route and what to enter in Rocket.Chat',
    options: {
      'room-type': {
        type: 'string',
        description: 'c (public channels), p (private groups) or d (direct messages)',
      },
      name: { type: 'string', description: 'a label (default: engagement-dashboard (<rooms>))' },
      url: {
        type: 'string',
        description:
          'where the HTTP API is, to print the full URL (default with --local: http://localhost:3000)',
      },
    },
    run: (context, options) =>
      createWebhook(context, options as Parameters<typeof createWebhook>[1]),
  },
  'webhook list': {
    usage: 'webhook list',
    summary: 'list the webhook tokens (ids are the start of their hash)',
    options: {},
    run: (context) => listWebhooks(context),
  },
  'webhook revoke': {
    usage: 'webhook revoke --room-type c|p|d --id <id>',
    summary: "revoke a webhook token; Rocket.Chat's posts with it get 401 from then on",
    options: {
      'room-type': { type: 'string', description: 'the room type of the token' },
      id: { type: 'string', description: 'a token id from `webhook list`' },
    },
    run: (context, options) =>
      revokeWebhook(context, options as Parameters<typeof revokeWebhook>[1]),
  },
  'counters reconcile': {
    usage: 'counters reconcile [--from <day>] [--to <day>] [--dry-run] [--segments <n>]',
    summary:
      'recount the Messages table, show where the counters drifted, and repair them while the stream keeps counting',
    options: range,
    run: async (context, options) =>
      (await reconcileCounters(context, 'reconcile', options, progressOn())).output,
  },
  'counters upgrade': {
    usage: 'counters upgrade [--dry-run] [--segments <n>]',
    summary:
      'after upgrading from a version that kept one item per quarter-hour: rebuild the quarter-hours of every day in the current layout from a recount, while the stream keeps counting, then delete the old items',
    options: Object.fromEntries(
      Object.entries(range).filter(([option]) => option !== 'from' && option !== 'to'),
    ),
    run: async (context, options) =>
      (await reconcileCounters(context, 'upgrade', options, progressOn())).output,
  },
  'counters backfill': {
    usage: 'counters backfill [--from <day>] [--to <day>] [--dry-run] [--segments <n>]',
    summary: 'build the counters of an empty Counters table from a Messages table with history',
    options: range,
    run: async (context, options) =>
      (await reconcileCounters(context, 'backfill', options, progressOn())).output,
  },
};

function help(name?: string): string {
  const command = name ? commands[name] : undefined;
  if (!command) {
    return [
      'usage: npm run admin -- <command> [options]   (add --help to any command)',
      '',
      ...Object.values(commands).map((c) => `  ${c.usage}\n      ${c.summary}`),
      '',
      'Tables come from MESSAGES_TABLE, COUNTERS_TABLE and AUTH_TABLE, DynamoDB from the AWS SDK',
      "settings (AWS_REGION, credentials, AWS_ENDPOINT_URL_DYNAMODB); --local uses `npm start`'s.",
    ].join('\n');
  }
  const options = { ...command.options, ...common };
  const width = Math.max(...Object.keys(options).map((option) => option.length)) + 4;
  return [
    `usage: npm run admin -- ${command.usage}`,
    '',
    command.summary,
    '',
    ...Object.entries(options).map(
      ([option, { description }]) => `  ${`--${option}`.padEnd(width)}${description}`,
    ),
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const name = argv.slice(0, 2).join(' ');
  const command = commands[name];
  if (!command) {
    if (argv.length === 0 || argv.includes('--help') || argv[0] === 'help') {
      console.log(help());
      return argv.length === 0 ? 2 : 0;
    }
    console.error(`error: unknown command "${name}"; \`npm run admin -- --help\` lists them`);
    return 2;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv.slice(2),
      options: Object.fromEntries(
        Object.entries({ ...command.options, ...common }).map(([option, { type }]) => [
          option,
          { type },
        ]),
      ),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    console.error(
      `error: ${(error as Error).message.split('\n')[0]}; see \`npm run admin -- ${name} --help\``,
    );
    return 2;
  }
  if (parsed.values.help) {
    console.log(help(name));
    return 0;
  }
  let context: ReturnType<typeof adminContext> | undefined;
  try {
    context = adminContext(parsed.values.local === true);
    const result = await command.run(context, parsed.values as Options, parsed.positionals);
    const { output, exitCode } =
      typeof result === 'string' ? { output: result, exitCode: 0 } : result;
    console.log(output);
    return exitCode;
  } catch (error) {
    const message =
      error instanceof CliError
        ? error.message
        : explainAwsError(error, context?.target ?? adminEndpoints().dynamoDb);
    console.error(`error: ${message}`);
    return error instanceof CliError ? error.exitCode : 1;
  } finally {
    context?.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
