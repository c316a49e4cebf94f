// The admin tool (`npm run admin`, infra/admin/cli.ts) built into one ES module for the tests that
// run it as its own process: the same code, started in a tenth of the time tsx takes to compile
// it at every run. One test still runs it through `npm run admin` itself.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../../', import.meta.url));

export async function buildAdminCli(): Promise<string> {
  const outfile = `${root}.cache/test-admin/cli.mjs`;
  await build({
    entryPoints: [`${root}infra/admin/cli.ts`],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    mainFields: ['module', 'main'],
    // Some CommonJS dependencies require() Node's built-ins, which an ES module has no require for.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return outfile;
}
