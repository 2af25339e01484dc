// Two projects so CI can report unit and integration separately; both transpile with swc (type
// checking is `npm run typecheck`, run by scripts/test.sh before jest).
const swc = ['@swc/jest', { jsc: { target: 'es2023' }, module: { type: 'commonjs' } }];
// The CEL library ships ES modules only: Node loads it with require(esm), jest's module loader
// cannot, so jest compiles it to CommonJS like the tests.
const esmOnly = ['@marcbachmann/cel-js'];
const transform = { '^.+\\.ts$': swc, [`/node_modules/(${esmOnly.join('|')})/.+\\.js$`]: swc };
const transformIgnorePatterns = [`/node_modules/(?!(${esmOnly.join('|')})/)`];
const common = { testEnvironment: 'node', transform, transformIgnorePatterns, moduleFileExtensions: ['ts', 'js', 'json'] };

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
