// Imported first by every test file: generates imports/ (a no-op when current) before any chart
// module that needs it is loaded.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

execFileSync(process.execPath, [fileURLToPath(new URL('../../scripts/import-crds.mjs', import.meta.url))], { stdio: 'inherit' });
