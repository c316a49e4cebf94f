// Obtains DynamoDB Local 1.25.1 and runs it on a loopback port for the local stack and the tests.
//
// DynamoDB Local ships inside the npm package amplify-dynamodb-simulator (its emulator/ folder).
// Installing that package pulls in 350 MB of dependencies, so we fetch only its tarball with
// `npm pack`, check it against the integrity the registry publishes for that version, and unpack
// only package/emulator into a git-ignored cache that later runs reuse.
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

const run = promisify(execFile);

export const dynamoDbLocalPackage = {
  name: 'amplify-dynamodb-simulator',
  version: '2.9.30',
  dynamoDbLocalVersion: '1.25.1',
  // `npm view amplify-dynamodb-simulator@2.9.30 dist.integrity`: what the registry published.
  integrity:
    'sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ==',
} as const;

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const watchdogPath = fileURLToPath(new URL('./java-watchdog.mjs', import.meta.url));

export function defaultCacheDir(): string {
  return process.env.DYNAMODB_LOCAL_CACHE ?? join(repositoryRoot, '.cache', 'dynamodb-local');
}

type Log = (line: string) => void;
const logToStderr: Log = (line) => process.stderr.write(`${line}\n`);

export class JavaMissingError extends Error {
  constructor(detail: string) {
    super(
      `DynamoDB Local needs Java 11 or newer: ${detail}. Install a Java runtime, for example ` +
        '`sudo apt-get install -y openjdk-17-jre-headless` (Debian/Ubuntu) or ' +
        '`brew install openjdk@17` (macOS), or set JAVA_HOME to an installed one.',
    );
    this.name = 'JavaMissingError';
  }
}

export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(
      `port ${port} is already in use, so DynamoDB Local cannot listen on it; stop what is using ` +
        'it or choose another port (DYNAMODB_LOCAL_PORT)',
    );
    this.name = 'PortInUseError';
  }
}

/** The `java` to run: JAVA_HOME's if set, else the one on PATH; checked to be version 11+. */
export function findJava(): string {
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const probe = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (probe.error) {
    throw new JavaMissingError(
      (probe.error as NodeJS.ErrnoException).code === 'ENOENT'
        ? `\`${java}\` was not found`
        : `\`${java} -version\` failed (${probe.error.message})`,
    );
  }
  const version = /version "(\d+)(?:\.(\d+))?/.exec(probe.stderr)?.slice(1) ?? [];
  const major = version[0] === '1' ? Number(version[1]) : Number(version[0]);
  if (!(major >= 11)) {
    throw new JavaMissingError(`\`${java}\` is ${probe.stderr.split('\n')[0] ?? 'unknown'}`);
  }
  return java;
}

export async function integrityOf(path: string): Promise<string> {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return `sha512-${hash.digest('base64')}`;
}

/**
 * Returns the directory holding DynamoDBLocal.jar, fetching and unpacking it first if the cache
 * does not hold a verified copy. A cached tarball that fails the integrity check (truncated by an
 * interrupted download, or corrupted) is discarded and fetched again.
 */
export async function ensureDynamoDbLocal(
  options: { cacheDir?: string; log?: Log } = {},
): Promise<string> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const log = options.log ?? logToStderr;
  const { name, version, dynamoDbLocalVersion, integrity } = dynamoDbLocalPackage;
  const emulatorDir = join(cacheDir, `dynamodb-local-${dynamoDbLocalVersion}`);
  const stampPath = join(emulatorDir, '.unpacked-from');
  const stamp = await readFile(stampPath, 'utf8').catch(() => '');
  if (stamp.trim() === integrity && existsSync(join(emulatorDir, 'DynamoDBLocal.jar'))) {
    return emulatorDir;
  }

  await mkdir(cacheDir, { recursive: true });
  const tarballPath = join(cacheDir, `${name}-${version}.tgz`);
  if (existsSync(tarballPath) && (await integrityOf(tarballPath)) !== integrity) {
    log(
      `The cached ${name}-${version}.tgz is corrupted or truncated (integrity mismatch); fetching it again.`,
    );
    await rm(tarballPath, { force: true });
  }
  if (!existsSync(tarballPath)) await fetchTarball(cacheDir, tarballPath, log);

  const unpackDir = join(cacheDir, `.unpack-${randomUUID()}`);
  try {
    await mkdir(unpackDir);
    await run('tar', [
      '-xzf',
      tarballPath,
      '-C',
      unpackDir,
      '--strip-components=2',
      'package/emulator',
    ]);
    if (!existsSync(join(unpackDir, 'DynamoDBLocal.jar'))) {
      throw new Error(`${name}-${version}.tgz holds no emulator/DynamoDBLocal.jar`);
    }
    await writeFile(join(unpackDir, '.unpacked-from'), integrity);
    await rm(emulatorDir, { recursive: true, force: true });
    await rename(unpackDir, emulatorDir);
  } finally {
    await rm(unpackDir, { recursive: true, force: true });
  }
  return emulatorDir;
}

async function fetchTarball(cacheDir: string, tarballPath: string, log: Log): Promise<void> {
  const { name, version, dynamoDbLocalVersion, integrity } = dynamoDbLocalPackage;
  log(
    `Fetching DynamoDB Local ${dynamoDbLocalVersion} (${name}@${version}, 57 MB) from the npm registry…`,
  );
  const downloadDir = join(cacheDir, `.download-${randomUUID()}`);
  try {
    await mkdir(downloadDir);
    const { stdout } = await run(
      'npm',
      [
        'pack',
        `${name}@${version}`,
        '--pack-destination',
        downloadDir,
        '--json',
        '--ignore-scripts',
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    const [packed] = JSON.parse(stdout) as { filename: string }[];
    if (!packed) throw new Error(`npm pack ${name}@${version} produced nothing`);
    const downloaded = join(downloadDir, packed.filename);
    const actual = await integrityOf(downloaded);
    if (actual !== integrity) {
      throw new Error(
        `${name}@${version} from the registry does not match its published integrity ` +
          `(expected ${integrity}, got ${actual}); refusing to use it`,
      );
    }
    await rename(downloaded, tarballPath);
  } finally {
    await rm(downloadDir, { recursive: true, force: true });
  }
}

export interface DynamoDbLocalOptions {
  /** Port to listen on; a free one is chosen when absent. */
  port?: number;
  /** Keep the data in this directory instead of in memory, so it survives a restart. */
  dbPath?: string;
  cacheDir?: string;
  log?: Log;
}

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** Stops the process this handle started, and waits until it has exited. */
  stop(): Promise<void>;
  /** Resolves when the process exits, for whatever reason. */
  readonly exited: Promise<void>;
}

export async function startDynamoDbLocal(
  options: DynamoDbLocalOptions = {},
): Promise<DynamoDbLocal> {
  const java = findJava();
  const emulatorDir = await ensureDynamoDbLocal(options);
  const chosenPort = options.port;
  for (let attempt = 1; ; attempt++) {
    const port = chosenPort ?? (await freeLoopbackPort());
    if (chosenPort !== undefined && !(await portIsFree(chosenPort))) throw new PortInUseError(port);
    try {
      return await launch(java, emulatorDir, port, options);
    } catch (error) {
      // A port picked for us can be taken by someone else between the check and Java binding it.
      if (error instanceof PortInUseError && chosenPort === undefined && attempt < 3) continue;
      throw error;
    }
  }
}

async function launch(
  java: string,
  emulatorDir: string,
  port: number,
  options: DynamoDbLocalOptions,
): Promise<DynamoDbLocal> {
  if (options.dbPath) await mkdir(options.dbPath, { recursive: true });
  const storage = options.dbPath ? ['-dbPath', options.dbPath] : ['-inMemory'];
  const args = [
    `-Djava.library.path=${join(emulatorDir, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(emulatorDir, 'DynamoDBLocal.jar'),
    ...storage,
    '-sharedDb',
    '-disableTelemetry',
    '-port',
    String(port),
  ];
  const child = spawn(process.execPath, [watchdogPath, java, ...args], {
    cwd: emulatorDir,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = () => stopChild(child, exited);

  try {
    await waitUntilAnswering(endpoint, exited, () => output);
  } catch (error) {
    await stop();
    if (/Address already in use|BindException/.test(output)) throw new PortInUseError(port);
    throw error;
  }
  return { endpoint, port, stop, exited };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    // Closing the watchdog's stdin asks it to stop Java; the signal covers a watchdog that is
    // itself stuck.
    child.stdin?.end();
    child.kill('SIGTERM');
  }
  await exited;
}

async function waitUntilAnswering(
  endpoint: string,
  exited: Promise<void>,
  output: () => string,
): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });
  const deadline = Date.now() + 60_000;
  try {
    while (Date.now() < deadline) {
      if (hasExited) throw new Error(`DynamoDB Local exited while starting:\n${output().trim()}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error(
      `DynamoDB Local did not answer on ${endpoint} within 60 s:\n${output().trim()}`,
    );
  } finally {
    client.destroy();
  }
}

export async function portIsFree(port: number): Promise<boolean> {
  // DynamoDB Local listens on every interface, so the wildcard address is the one to test.
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () =>
      server.close(() => resolve(true)),
    );
  });
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
