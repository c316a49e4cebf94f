// `npm start` as a newcomer runs it: it starts everything, prints a curl that answers with the
// seed document's JSON, and Ctrl-C leaves nothing running.
import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../../infra/local/dynamodb-local.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function npmStart(env: Record<string, string>) {
  const environment: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete environment.AWS_ENDPOINT_URL_DYNAMODB;
  delete environment.AWS_ENDPOINT_URL_DYNAMODB_STREAMS;
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/start.ts'], {
    env: environment,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const printed = async (text: string, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!output.includes(text)) {
      if (Date.now() > deadline || child.exitCode !== null) {
        throw new Error(`npm start did not print "${text}":\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  return { child, exited, printed, output: () => output };
}

async function javaListeningOn(port: number): Promise<boolean> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const args = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (/(^|\/)java$/.test(args[0] ?? '') && args[args.indexOf('-port') + 1] === String(port))
      return true;
  }
  return false;
}

describe('npm start', () => {
  it('serves the printed curl with the seed JSON, and Ctrl-C stops everything it started', async () => {
    const [httpPort, dynamoDbPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
    const start = npmStart({ PORT: String(httpPort), DYNAMODB_LOCAL_PORT: String(dynamoDbPort) });
    await start.printed('Press Ctrl-C to stop.', 60_000);

    const curl =
      /curl --location '([^']+)' \\\n\s+--header 'x-auth-token: ([^']+)' \\\n\s+--header 'x-user-id: ([^']+)'/.exec(
        start.output(),
      );
    expect(curl).not.toBeNull();
    const [, url, token, userId] = curl as unknown as string[];
    const response = await fetch(String(url).replace('localhost', '127.0.0.1'), {
      headers: { 'x-auth-token': String(token), 'x-user-id': String(userId) },
    });
    const seed = await readFile(
      new URL('../fixtures/messages-sent-seed.json', import.meta.url),
      'utf8',
    );
    expect(await response.json()).toEqual(JSON.parse(seed));
    expect(await javaListeningOn(dynamoDbPort)).toBe(true);

    start.child.kill('SIGINT');

    expect(await start.exited).toBe(0);
    expect(start.output()).toContain('Stopped.');
    expect(await javaListeningOn(dynamoDbPort)).toBe(false);
    await expect(fetch(`http://127.0.0.1:${httpPort}/`)).rejects.toThrow();
  });

  it('says clearly when the HTTP port is taken, and starts nothing', async () => {
    const server = createServer();
    const port = await freeLoopbackPort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      const dynamoDbPort = await freeLoopbackPort();
      const start = npmStart({ PORT: String(port), DYNAMODB_LOCAL_PORT: String(dynamoDbPort) });
      expect(await start.exited).toBe(1);
      expect(start.output()).toContain(`Cannot start: port ${port} is already in use`);
      expect(await javaListeningOn(dynamoDbPort)).toBe(false);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
