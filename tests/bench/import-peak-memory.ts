// Runs `import rocketchat --dir <dir>` in this process, as the command line does, then prints its
// exit code and the process's peak resident memory as the last line of stdout.
import { main } from '../../infra/admin/cli.js';

const exitCode = await main(['import', 'rocketchat', '--dir', process.argv[2] ?? '']);
process.stdout.write(
  `${JSON.stringify({ exitCode, maxRssKiB: process.resourceUsage().maxRSS })}\n`,
);
