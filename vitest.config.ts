import { defineConfig } from 'vitest/config';

// Workspace libraries resolve to their TypeScript sources (the "source" export condition), so tests
// never run against a stale dist/. 'import' is not listed: Vitest hands these conditions to Node for
// external packages too, and with 'import' a CommonJS require() of a dual package (pg -> pg-pool)
// would load its ESM build. Node adds 'import' or 'require' by itself, as each call needs.
const conditions = ['source', 'node', 'default'];
const folders = ['{packages,services}/*/test/**', '{cdk8s,load,bench}/test/**', 'e2e'];
const unit = folders.map((f) => `${f}/*.test.ts`);
const integration = folders.map((f) => `${f}/*.int.test.ts`);

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'unit', include: unit, exclude: integration, sequence: { groupOrder: 0 } } },
      {
        extends: true,
        // Integration files share one stack, one consumer group and the same topics: one at a time,
        // after the unit tests, so a file's consumer never competes with another file's.
        test: { name: 'integration', include: integration, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
