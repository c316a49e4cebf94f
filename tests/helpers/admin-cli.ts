// Runs `npm run admin -- …` as an operator does: a process of its own, against this run's
// DynamoDB Local and the tables the test file exported into the environment.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { localEndpoint } from './tables.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** `env` is added to this process's environment; a variable given as undefined is unset. */
export async function admin(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<Outcome> {
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
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'infra/admin/cli.ts', ...args],
      {
        cwd: root,
        env: environment,
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
