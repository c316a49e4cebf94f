// `npm run build`: one minified ESM bundle per function, dist/<function>/index.mjs.
import { readdir, rm } from 'node:fs/promises';
import { type BuildOptions, build, type Plugin } from 'esbuild';

const functionsDir = new URL('../functions/', import.meta.url);
const distDir = new URL('../dist/', import.meta.url);

/**
 * The Node.js the bundles are written for: Lambda's runtime (nodejs22.x in serverless.yml). Their
 * syntax also loads on the Node.js 20 that local tools and tests may run on (the deployment test
 * loads every bundle there).
 */
export const bundleTarget = 'node22';

/** The SDK's default credential chain, replaced by the environment's credentials (see the file). */
export const lambdaCredentials: Plugin = {
  name: 'lambda-credentials',
  setup(builder) {
    const path = new URL('lambda-credentials.ts', import.meta.url).pathname;
    builder.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, () => ({ path }));
  },
};

/** How a function is bundled (without the credentials plugin, which `plugins` may add). */
export const bundleOptions = {
  bundle: true,
  platform: 'node',
  target: bundleTarget,
  format: 'esm',
  minify: true,
  // Without `module` first, esbuild takes the SDK's CommonJS builds, whose require() calls of Node
  // built-ins throw once the bundle is loaded as a real ES module.
  mainFields: ['module', 'main'],
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
} satisfies BuildOptions;

export async function buildFunctions(): Promise<{ name: string; bytes: number }[]> {
  const names = (await readdir(functionsDir))
    .filter((file) => file.endsWith('.ts'))
    .map((file) => file.slice(0, -'.ts'.length))
    .sort();
  await rm(distDir, { recursive: true, force: true });
  return Promise.all(
    names.map(async (name) => {
      const outfile = new URL(`${name}/index.mjs`, distDir).pathname;
      const result = await build({
        ...bundleOptions,
        entryPoints: [new URL(`${name}.ts`, functionsDir).pathname],
        outfile,
        sourcemap: true,
        plugins: [lambdaCredentials],
      });
      const bytes =
        result.metafile.outputs[
          Object.keys(result.metafile.outputs).find((path) => path.endsWith('.mjs')) ?? ''
        ]?.bytes ?? 0;
      return { name, bytes };
    }),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const { name, bytes } of await buildFunctions()) {
    console.log(`dist/${name}/index.mjs  ${(bytes / 1024).toFixed(0)} KB`);
  }
}
