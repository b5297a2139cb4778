import { defineConfig } from 'vitest/config';

// Workspace libraries resolve to their TypeScript sources (the "source" export condition), so tests
// never run against a stale dist/. 'import' is not listed: Vitest hands these conditions to Node for
// external packages too, and with 'import' a CommonJS require() of a dual package (pg -> pg-pool)
// would load its ESM build. Node adds 'import' or 'require' by itself, as each call needs.
const conditions = ['source', 'node', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    include: ['{packages,services}/*/test/**/*.test.ts', '{cdk8s,load,bench}/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
