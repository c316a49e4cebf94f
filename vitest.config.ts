import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // One DynamoDB Local for the whole run; each test file makes its own tables in it.
    globalSetup: ['tests/setup/dynamodb-local.ts'],
    setupFiles: ['tests/setup/environment.ts'],
    pool: 'forks',
    // One DynamoDB Local serves every file, and it is the bottleneck: files running side by side
    // only slow each other down (and past their timeouts on a two-core machine).
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
