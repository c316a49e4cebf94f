// `npm run package [-- --stage prod --region eu-west-1]`: what `osls deploy` would upload — the
// CloudFormation template and one zip per function in .serverless/ — made offline. Packaging
// needs no AWS account; osls only wants credentials to exist, so placeholder ones are given.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const environment: NodeJS.ProcessEnv = {
  ...process.env,
  AWS_ACCESS_KEY_ID: 'packageonly',
  AWS_SECRET_ACCESS_KEY: 'packageonly',
  AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
  SLS_TELEMETRY_DISABLED: '1',
  SLS_NOTIFICATIONS_MODE: 'off',
};
delete environment.AWS_SESSION_TOKEN;
delete environment.AWS_PROFILE;

const result = spawnSync(
  'osls',
  ['package', ...(args.includes('--stage') ? [] : ['--stage', 'dev']), ...args],
  {
    env: environment,
    stdio: 'inherit',
  },
);
if (result.error) {
  console.error(`cannot run osls: ${result.error.message}; run npm install first`);
  process.exit(1);
}
process.exit(result.status ?? 1);
