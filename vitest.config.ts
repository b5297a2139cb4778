import { defineConfig } from 'vitest/config';

// Workspace libraries resolve to their TypeScript sources (the "source" export condition), so tests
// never run against a stale dist/.
const conditions = ['source', 'import', 'node', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    include: ['{packages,services}/*/test/**/*.test.ts', '{cdk8s,load,bench}/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
