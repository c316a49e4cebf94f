// Runs osls (the maintained open-source Serverless Framework) on serverless.yml, as `npm run
// package`, `npm run deploy` and `npm run remove` do, with its telemetry and notifications off.
import { spawnSync } from 'node:child_process';

export function runOsls(args: string[], environment: NodeJS.ProcessEnv = process.env): number {
  const result = spawnSync('osls', args, {
    env: { ...environment, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
    stdio: 'inherit',
  });
  if (result.error) {
    console.error(`cannot run osls: ${result.error.message}; run npm install first`);
    return 1;
  }
  return result.status ?? 1;
}
