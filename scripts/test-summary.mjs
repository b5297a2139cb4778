// Prints the tests' closing line from Vitest's JSON report, after the stack has stopped, so that the
// last line `make test` prints is the count of tests that ran, in the plain form that tools reading
// a run's output recognise ("N passed, N failed"), whatever the tests themselves printed before it.
import { readFileSync } from 'node:fs';

const [file] = process.argv.slice(2);
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  console.error(`no Vitest report at ${file} (${error.message}): the run ended before it was written`);
  process.exit(1);
}
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`);
