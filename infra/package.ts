// `npm run package [-- --stage prod --region eu-west-1]`: what `osls deploy` would upload — the
// CloudFormation template and one zip per function in .serverless/ — made offline. Packaging
// needs no AWS account; osls only wants credentials to exist, so placeholder ones are given.
import { runOsls } from './osls.js';

const args = process.argv.slice(2);
const environment: NodeJS.ProcessEnv = {
  ...process.env,
  AWS_ACCESS_KEY_ID: 'packageonly',
  AWS_SECRET_ACCESS_KEY: 'packageonly',
  AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
};
delete environment.AWS_SESSION_TOKEN;
delete environment.AWS_PROFILE;

process.exit(
  runOsls(
    ['package', ...(args.includes('--stage') ? [] : ['--stage', 'dev']), ...args],
    environment,
  ),
);
