// Runs one Java program (DynamoDB Local) as its child and ends it as soon as the process that
// started this watchdog goes away: that process holds the other end of our stdin, and the kernel
// closes it however the process ends, SIGKILL included. Java cannot notice that by itself.
// Usage: node java-watchdog.mjs <java> <args…>
import { spawn } from 'node:child_process';

const [java, ...args] = process.argv.slice(2);
if (!java) {
  console.error('usage: java-watchdog.mjs <java> <args…>');
  process.exit(2);
}

const child = spawn(java, args, { stdio: ['ignore', 'inherit', 'inherit'] });
let stopping = false;

function stop() {
  if (stopping) return;
  stopping = true;
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
}

child.on('error', (error) => {
  console.error(`cannot start ${java}: ${error.message}`);
  process.exit(127);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 0)));

process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, stop);
