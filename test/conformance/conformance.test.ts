// One suite, two servers: every case runs against the real ShoreGuard (the reference: 0.40.0 built
// by scripts/real-shoreguard/ with the fake OpenShell gateway, or any server given by
// SHOREGUARD_URL + SHOREGUARD_TOKEN) and against the emulator, and the normalised observations
// (status, content type family, headers clients use, body shape and fixed values) must be identical.
// In a failure diff, "Expected" is the real ShoreGuard and "Received" the emulator.
// Prints and writes test-results/conformance.txt: "N of M cases identical".
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderObservations } from '../support/conformance/observe';
import { runCase, type ConformanceCase } from '../support/conformance/runner';
import { Scoreboard } from '../support/conformance/score';
import {
  remoteTargetConfigFromEnv,
  startEmulatorTarget,
  startLocalRealTarget,
  startRemoteTarget,
  type ConformanceTarget,
} from '../support/conformance/targets';
import { ALL_CASES } from './cases';
import { INTENDED_DIFFERENCES } from './intended-differences';

// The first run builds the Debian sid root with ShoreGuard (about a minute); later starts take seconds.
const START_TIMEOUT_MS = 15 * 60 * 1000;
jest.setTimeout(60_000);

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const SCORE_FILE = path.join(REPO_ROOT, 'test-results', 'conformance.txt');
/** Both renderings of every differing case (of every case with CONFORMANCE_DUMP_ALL=1), to read in full. */
const DIFF_DIR = path.join(REPO_ROOT, 'test-results', 'conformance');

const remoteConfig = remoteTargetConfigFromEnv();
const GATEWAY = remoteConfig?.gateway ?? 'conformance-gw';
// Names created by this run (groups, users, gateways…) are unique per run, identical on both servers.
const RUN_PREFIX = `cf${randomBytes(2).toString('hex')}`;

/** A SHOREGUARD_URL server cannot be given a sandbox without a revision or a proposal (both need the gateway); those cases are not run there. */
const CASES: readonly ConformanceCase[] = ALL_CASES.filter(
  (testCase) => !(remoteConfig && (testCase.requires?.bareSandbox || testCase.requires?.proposals)),
);
const scoreboard = new Scoreboard(CASES.map((testCase) => testCase.id));

let reference: ConformanceTarget | undefined;
let emulator: ConformanceTarget | undefined;

function targets(): { reference: ConformanceTarget; emulator: ConformanceTarget } {
  if (!reference || !emulator) throw new Error('the conformance targets did not start (see the beforeAll error above)');
  return { reference, emulator };
}

beforeAll(async () => {
  rmSync(DIFF_DIR, { recursive: true, force: true });
  emulator = await startEmulatorTarget(GATEWAY);
  reference = remoteConfig ? await startRemoteTarget(remoteConfig) : await startLocalRealTarget(GATEWAY);
}, START_TIMEOUT_MS);

afterAll(async () => {
  const report = scoreboard.report(
    [
      `ShoreGuard conformance suite (test/conformance)`,
      `reference: ${reference?.description ?? 'did not start'}`,
      `emulator:  ${emulator?.description ?? 'did not start'}`,
    ],
    INTENDED_DIFFERENCES,
  );
  scoreboard.write(SCORE_FILE, report);
  process.stdout.write(`\n${report}`);
  await reference?.close();
  await emulator?.close();
});

function writeDifference(caseId: string, real: string, emulated: string): void {
  mkdirSync(DIFF_DIR, { recursive: true });
  const base = path.join(DIFF_DIR, caseId.replace(/[^a-zA-Z0-9.-]+/g, '_'));
  writeFileSync(`${base}.real.json`, real);
  writeFileSync(`${base}.emulator.json`, emulated);
}

describe.each(CASES.map((testCase, index) => [testCase.id, testCase, index] as const))('%s', (_id, testCase, index) => {
  test(testCase.title, async () => {
    const servers = targets();
    const volatileKeys = [...servers.reference.volatileKeys, ...servers.emulator.volatileKeys];
    let identical = false;
    try {
      const real = await runCase(testCase, servers.reference, { runPrefix: RUN_PREFIX, caseIndex: index, volatileKeys });
      const emulated = await runCase(testCase, servers.emulator, {
        runPrefix: RUN_PREFIX,
        caseIndex: index,
        alignVersions: real.seededVersions,
        volatileKeys,
      });
      const expected = renderObservations(real.observations);
      const received = renderObservations(emulated.observations);
      identical = expected === received;
      if (!identical || process.env.CONFORMANCE_DUMP_ALL === '1') writeDifference(testCase.id, expected, received);
      expect(received).toBe(expected);
    } finally {
      scoreboard.record(testCase.id, identical);
    }
  });
});

describe('intended differences', () => {
  test.each(INTENDED_DIFFERENCES.map((difference) => [difference.id, difference] as const))('%s', async (_id, difference) => {
    const servers = targets();
    await difference.prove(servers.reference, servers.emulator, { runPrefix: RUN_PREFIX });
  });
});
