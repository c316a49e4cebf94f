import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // One DynamoDB Local for the whole run; each test file makes its own tables in it.
    globalSetup: ['tests/setup/dynamodb-local.ts'],
    setupFiles: ['tests/setup/environment.ts'],
    pool: 'forks',
    // Two files at a time: much of a file's time is spent waiting (on DynamoDB Local, on processes
    // it starts, on a clock), so two share the machine's two cores well. Each file has tables of
    // its own; the heavy ones start a DynamoDB Local of their own too.
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
