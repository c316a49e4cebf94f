// `npm run deploy -- --stage <stage> [--region <region>] [--param="name=value"]…`: builds the
// bundles, then deploys them with osls, so that what is deployed is what the sources say (`osls
// deploy` alone uploads whatever dist/ holds, stale or missing).
// `npm run remove -- --stage <stage>`: removes that stage's stack; what its removal policies keep
// (tables, log groups and failure queues outside dev) stays.
// Both use the AWS credentials and region of the environment (a profile or variables).
import { buildFunctions } from './build.js';
import { runOsls } from './osls.js';

const usage = {
  deploy: 'npm run deploy -- --stage <stage> [--region <region>] [--param="name=value"]…',
  remove: 'npm run remove -- --stage <stage> [--region <region>]',
};

function stageOf(args: string[]): string | undefined {
  const at = args.findIndex((arg) => arg === '--stage' || arg === '-s');
  if (at >= 0) return args[at + 1];
  return args.find((arg) => arg.startsWith('--stage='))?.slice('--stage='.length);
}

async function main([command, ...args]: string[]): Promise<number> {
  if (command !== 'deploy' && command !== 'remove') {
    console.error(`error: expected deploy or remove; usage: ${usage.deploy}`);
    return 2;
  }
  // No default: a stage deployed or removed by accident is worse than a command to run again.
  const stage = stageOf(args);
  if (!stage || stage.startsWith('-')) {
    console.error(`error: name the stage; usage: ${usage[command]}`);
    return 2;
  }
  if (command === 'deploy') {
    for (const { name, bytes } of await buildFunctions()) {
      console.log(`built dist/${name}/index.mjs  ${(bytes / 1024).toFixed(0)} KB`);
    }
  }
  return runOsls([command, ...args]);
}

process.exitCode = await main(process.argv.slice(2));
