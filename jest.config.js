// Two projects so CI can report unit and integration separately; both transpile with swc (type
// checking is `npm run typecheck`, run by scripts/test.sh before jest).
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2023' }, module: { type: 'commonjs' } }] };
const common = { testEnvironment: 'node', transform, moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    { ...common, displayName: 'conformance', testMatch: ['<rootDir>/test/conformance/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
    // The same OpenTofu and real-ShoreGuard suites against the release build's single executables
    // (provider from the network mirror, gitops binary): test/support/release/artifacts.ts.
    {
      ...common,
      displayName: 'e2e-release',
      testMatch: ['<rootDir>/test/e2e/tofu/**/*.test.ts', '<rootDir>/test/e2e/real/tofu-hcl.test.ts', '<rootDir>/test/e2e/real/gitops.test.ts'],
      setupFiles: ['<rootDir>/test/support/release/use-release-artifacts.js'],
    },
  ],
};
