import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePolicyDocument } from '../../../bridge/document/canonical';
import { validatePolicyText } from '../../../bridge/document/validate';
import { fleetTargets, SANDBOXES_PER_GATEWAY } from '../../../bench/lib/fleet';
import { addDriftToFile, DRIFT_PATH, fleetPolicy, largePolicyDocument } from '../../../bench/lib/policies';
import { expectExit, parseRusage, ProcessFailedError, runProcess, summarizeRuns } from '../../../bench/lib/process';
import { DEFAULT_OPTIONS, parseRunArgs, UsageError } from '../../../bench/run';

describe('bench policy fixtures', () => {
  test('GIVEN the fleet fixture WHEN validated by the bridge THEN it has no errors', () => {
    const text = JSON.stringify({ metadata: { gateway: 'fleet-gw-0', sandbox: 'sb-0000' }, policy: fleetPolicy(0) });
    const result = validatePolicyText(text, { file: 'fixture.yaml' });
    expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  test('GIVEN a 200 kB budget WHEN the large document is made THEN it is at least that big, not much bigger, and valid', () => {
    const { text, rules } = largePolicyDocument(200_000);
    const bytes = Buffer.byteLength(text);
    expect(bytes).toBeGreaterThanOrEqual(200_000);
    expect(bytes).toBeLessThan(210_000);
    const parsed = parsePolicyDocument(text);
    expect(Object.keys(parsed.document.policy.network_policies ?? {})).toHaveLength(rules);
  });

  test('GIVEN an exported file WHEN drift is added THEN only the read-only path list grows and the lock stays', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-drift-test-'));
    try {
      const file = join(dir, 'sb.yaml');
      writeFileSync(file, '# managed-by: shoreguard-gitops\nmetadata:\n  policy_hash: abc\npolicy:\n  filesystem:\n    read_only:\n    - /usr\n');
      addDriftToFile(file);
      const document = parsePolicyDocument(readFileSync(file, 'utf8')).document;
      expect(document.metadata?.policy_hash).toBe('abc');
      expect(document.policy.filesystem?.read_only).toEqual(['/usr', DRIFT_PATH]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('GIVEN 250 targets WHEN named THEN they spread over gateways of 100 with unique sandboxes', () => {
    const targets = fleetTargets(250);
    expect(new Set(targets.map((t) => t.gateway))).toEqual(new Set(['fleet-gw-0', 'fleet-gw-1', 'fleet-gw-2']));
    expect(targets.filter((t) => t.gateway === 'fleet-gw-0')).toHaveLength(SANDBOXES_PER_GATEWAY);
    expect(new Set(targets.map((t) => t.sandbox)).size).toBe(250);
  });
});

describe('timed processes', () => {
  test('GIVEN GNU time output after a failed command WHEN parsed THEN the last line gives CPU and RSS', () => {
    expect(parseRusage('Command exited with non-zero status 1\n0.20 0.15 0.03 88380\n')).toEqual({ cpuMs: 180, maxRssKb: 88380 });
    expect(parseRusage('garbage')).toEqual({});
  });

  test('GIVEN a child that prints and exits 3 WHEN run THEN output and code are captured and expectExit names the command', async () => {
    const run = await runProcess(process.execPath, ['-e', 'process.stdout.write("out"); process.stderr.write("bad thing"); process.exitCode = 3']);
    expect(run.exitCode).toBe(3);
    expect(run.stdout).toBe('out');
    expect(run.wallMs).toBeGreaterThan(0);
    expect(() => expectExit('the child', run, [0, 1])).toThrow(ProcessFailedError);
    expect(() => expectExit('the child', run, [0, 1])).toThrow(/the child exited with 3: bad thing/);
    expect(expectExit('the child', run, [3])).toBe(run);
  });

  test('GIVEN three runs WHEN summarized THEN the median and minimum wall times are reported', () => {
    const runs = [30, 10, 20].map((wallMs) => ({ exitCode: 0, signal: null, stdout: '', stderr: '', wallMs, cpuMs: wallMs / 2, maxRssKb: 1000 }));
    expect(summarizeRuns(runs)).toEqual({ runs: 3, medianWallMs: 20, minWallMs: 10, medianCpuMs: 10, medianMaxRssKb: 1000 });
  });
});

describe('bench runner flags', () => {
  test('GIVEN no arguments WHEN parsed THEN every bench runs with the defaults', () => {
    const { options, selected } = parseRunArgs([]);
    expect(options).toEqual(DEFAULT_OPTIONS);
    expect(selected.map((b) => b.name)).toEqual(expect.arrayContaining(['fleet', 'peer', 'cold-start', 'requests', 'yaml', 'pulumi', 'terraform']));
  });

  test('GIVEN bench names and sizes WHEN parsed THEN only those run, in the runner’s order, with those sizes', () => {
    const { options, selected } = parseRunArgs(['yaml', 'fleet', '--sizes', '10,50', '--latencies', '0', '--yaml-mb', '0.5']);
    expect(selected.map((b) => b.name)).toEqual(['fleet', 'yaml']);
    expect(options.fleetSizes).toEqual([10, 50]);
    expect(options.latenciesMs).toEqual([0]);
    expect(options.yamlBytes).toBe(524_288);
  });

  test('GIVEN an unknown bench or a bad number WHEN parsed THEN a usage error says what is wrong', () => {
    expect(() => parseRunArgs(['flet'])).toThrow(UsageError);
    expect(() => parseRunArgs(['flet'])).toThrow(/unknown bench flet; choose from fleet, /);
    expect(() => parseRunArgs(['--concurrency', '65'])).toThrow(/--concurrency must be a whole number from 1 to 64/);
    expect(() => parseRunArgs(['--peer-drift', '1.5'])).toThrow(/--peer-drift must be a fraction from 0 to 1/);
  });
});
