// Runs the admin tool as an operator does: a process of its own, against this run's DynamoDB Local
// and the tables the test file exported into the environment. It runs the build of
// infra/admin/cli.ts the test run made (tests/setup/admin-cli-bundle.ts); `npmRunAdmin` runs it
// through `npm run admin` itself.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { localEndpoint } from './tables.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** `env` is added to this process's environment; a variable given as undefined is unset. */
export function admin(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<Outcome> {
  return run(process.execPath, [inject('adminCli'), ...args], env);
}

/** `npm run admin -- …` itself, exactly as the README says. */
export function npmRunAdmin(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<Outcome> {
  return run('npm', ['run', '--silent', 'admin', '--', ...args], env);
}

async function run(command: string, args: string[], env: Record<string, string | undefined>) {
  const environment: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ENDPOINT_URL_DYNAMODB: localEndpoint(),
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS: localEndpoint(),
    ...env,
  };
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete environment[name];
  }
  try {
    const { stdout, stderr } = await promisify(execFile)(command, args, {
      cwd: root,
      env: environment,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr } as Outcome;
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr } as Outcome;
  }
}
