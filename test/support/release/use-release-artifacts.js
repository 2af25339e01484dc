// jest setupFiles of the `e2e-release` project: the e2e helpers run the release build's binaries.
process.env.SHOREGUARD_E2E_ARTIFACTS = 'release';
