// Sums jest's JSON results (every project) plus the peer set-up, type-check and build steps into the one closing line CI
// reads: "N passed, N failed". Exit 1 when anything failed or when no test ran at all.
'use strict';
const fs = require('node:fs');

const [file, typecheckFailed, buildFailed, peersFailed] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let suiteErrors = 0;
if (fs.existsSync(file)) {
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  // A test file that fails to load counts as a failure even though it has no failed test.
  suiteErrors = report.testResults.filter((r) => r.status === 'failed' && r.assertionResults.length === 0).length;
  failed += suiteErrors;
  for (const r of report.testResults) {
    if (r.status === 'failed') console.error(`FAILED: ${r.name}`);
  }
  if (report.numPendingTests > 0 || report.numTodoTests > 0) {
    console.error(`error: ${report.numPendingTests} skipped and ${report.numTodoTests} todo tests; skipping is not allowed`);
    failed += report.numPendingTests + report.numTodoTests;
  }
} else {
  console.error(`error: jest wrote no results to ${file}`);
  failed += 1;
}
for (const [name, flag] of [['real peer set-up', peersFailed], ['type check', typecheckFailed], ['build', buildFailed]]) {
  if (flag === '1') {
    console.error(`FAILED: ${name}`);
    failed += 1;
  } else {
    passed += 1;
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
