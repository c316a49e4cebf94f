// `npm run deploy` and `npm run remove` without AWS: an `osls` of the test's own
// (tests/fixtures/osls-stand-in.cjs), first on PATH, records how it was called and what dist/ held
// at that moment; the real script and the real build run as an operator runs them.
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const packageJson = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

let bin: string;
beforeAll(async () => {
  bin = await mkdtemp(join(tmpdir(), 'osls-stand-in-'));
  const standIn = join(root, 'tests', 'fixtures', 'osls-stand-in.cjs');
  await writeFile(join(bin, 'osls'), `#!/bin/sh\nexec "${process.execPath}" "${standIn}" "$@"\n`);
  await chmod(join(bin, 'osls'), 0o755);
});
afterAll(() => rm(bin, { recursive: true, force: true }));

/** Runs the npm script's command (`tsx infra/deploy.ts …`) with the stand-in osls first on PATH. */
async function run(script: 'deploy' | 'remove', args: string[], env: Record<string, string> = {}) {
  const [tsx, ...command] = String(packageJson.scripts[script]).split(' ');
  expect(tsx).toBe('tsx');
  const record = join(bin, `record-${Math.random().toString(36).slice(2)}`);
  try {
    await promisify(execFile)(process.execPath, ['--import', 'tsx', ...command, ...args], {
      cwd: root,
      env: {
        ...process.env,
        PATH: `${bin}${delimiter}${process.env.PATH}`,
        OSLS_RECORD: record,
        OSLS_EXIT_CODE: '0',
        ...env,
      },
    });
    return { code: 0, stderr: '', record: await readRecord(record) };
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, stderr: failed.stderr, record: await readRecord(record) };
  }
}

async function readRecord(path: string) {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const [args, ...files] = text.trim().split('\n');
  return {
    args,
    files: files.map((line) => {
      const [file, modifiedMs] = line.split(' ');
      return { file, modifiedMs: Number(modifiedMs) };
    }),
  };
}

describe('npm run deploy', () => {
  it('builds every bundle anew, then deploys with the arguments given', async () => {
    // Left over from an older build: a deploy must not ship it.
    await mkdir(join(root, 'dist', 'stale-function'), { recursive: true });
    await writeFile(join(root, 'dist', 'stale-function', 'index.mjs'), 'export {}');
    const started = Date.now();

    const { code, record } = await run('deploy', ['--stage', 'staging', '--region', 'eu-west-1']);

    expect(code).toBe(0);
    expect(record?.args).toBe('deploy --stage staging --region eu-west-1');
    const bundles = record?.files.filter(({ file }) => file?.endsWith('.mjs')) ?? [];
    expect(bundles.map(({ file }) => file)).toEqual([
      'dist/count-messages/index.mjs',
      'dist/messages-sent/index.mjs',
      'dist/rocketchat-webhook/index.mjs',
    ]);
    // Written by this run, before osls was called.
    for (const { modifiedMs } of bundles) expect(modifiedMs).toBeGreaterThanOrEqual(started - 1000);
  }, 120_000);

  it("fails with osls's exit code when the deploy fails", async () => {
    const { code } = await run('deploy', ['--stage', 'staging'], { OSLS_EXIT_CODE: '3' });
    expect(code).toBe(3);
  }, 120_000);

  it('refuses to run without a stage, before building or calling osls', async () => {
    const { code, stderr, record } = await run('deploy', ['--region', 'eu-west-1']);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(
      'error: name the stage; usage: npm run deploy -- --stage <stage> [--region <region>] [--param="name=value"]…',
    );
    expect(record).toBeUndefined();
  });
});

describe('npm run remove', () => {
  it('removes the stage named, without building', async () => {
    await mkdir(join(root, 'dist', 'stale-function'), { recursive: true });
    await writeFile(join(root, 'dist', 'stale-function', 'index.mjs'), 'export {}');
    const { code, record } = await run('remove', ['--stage', 'staging']);
    await rm(join(root, 'dist', 'stale-function'), { recursive: true, force: true });
    expect(code).toBe(0);
    expect(record?.args).toBe('remove --stage staging');
    expect(record?.files.map(({ file }) => file)).toContain('dist/stale-function/index.mjs');
  });

  it('refuses to run without a stage', async () => {
    const { code, stderr, record } = await run('remove', []);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(
      'error: name the stage; usage: npm run remove -- --stage <stage> [--region <region>]',
    );
    expect(record).toBeUndefined();
  });
});
