/**
 * `--rules` through the CLI: validate, plan, apply and sync run the same gates; findings are
 * problems with file and line in every format, SARIF 2.1.0 is valid against the schema, exit codes
 * follow the table, and a bad rule file stops the run before anything is read, sent or written.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { BASE_POLICY, readText, runCli, runJson, useGitopsEmulator, writeText } from './harness';

const schema = JSON.parse(readFileSync(join(__dirname, '../../fixtures/sarif/sarif-2.1.0-rtm.5.json'), 'utf8')) as object;
// The schema's language pattern is not a valid unicode-mode RegExp (a stray bracket); ajv compiles it as plain.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validateSarif = ajv.compile(schema);

describe('shoreguard-gitops --rules', () => {
  const { emulator, dir, env } = useGitopsEmulator();
  let tree: string;
  let file: string;

  beforeEach(async () => {
    emulator().state.registerGateway({ name: 'gw' });
    emulator().state.seedSandbox('gw', 'sb', BASE_POLICY);
    tree = join(dir(), 'policies');
    file = join(tree, 'gw', 'sb.yaml');
    expect((await runCli(['export', '--all', '--dir', tree], { env: env() })).code).toBe(0);
    emulator().resetStats();
  });

  /** The exported file with one edit. */
  async function editFile(from: string, to: string): Promise<void> {
    const text = await readText(file);
    if (!text.includes(from)) throw new Error(`no ${from} in ${text}`);
    await writeText(file, text.replace(from, to));
  }

  it('GIVEN the exported policy WHEN validated with the built-in pack THEN only its warnings show (exit 0), and --fail-on-warn fails', async () => {
    const result = await runJson(['validate', '--dir', tree, '--rules', 'builtin'], { env: env() });
    expect(result.code).toBe(0);
    const target = result.report.targets[0]!;
    // BASE_POLICY: REST endpoint without `enforcement: enforce` → SG002 only.
    expect(target.gates).toMatchObject({ packs: [expect.stringMatching(/^builtin@/)], errors: 0, warnings: 1, suppressed: 0 });
    expect(target.problems).toContainEqual(expect.objectContaining({ code: 'gate_finding', rule: 'SG002', file, line: expect.any(Number), severity: 'warning' }));
    expect((await runJson(['validate', '--dir', tree, '--rules', 'builtin', '--fail-on-warn'], { env: env() })).code).toBe(2);
  });

  it('GIVEN an error-severity finding WHEN validated THEN exit 2 (1 with --detailed-exitcode), and the text output names file, line and rule', async () => {
    await editFile('run_as_user: sandbox', 'run_as_user: root');
    const text = await runCli(['validate', '--dir', tree, '--rules', 'builtin'], { env: env() });
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: error gate_finding: SG009 root-process: process.run_as_user: "root" runs the sandbox as root`));
    expect((await runCli(['validate', '--dir', tree, '--rules', 'builtin', '--detailed-exitcode'], { env: env() })).code).toBe(1);
    expect((await runCli(['validate', '--dir', tree], { env: env() })).code).toBe(0);
  });

  it('GIVEN --output sarif and --sarif-file WHEN validated THEN both are SARIF 2.1.0 valid against the schema, with rules, levels, lines and suppressions', async () => {
    await editFile('run_as_user: sandbox', 'run_as_user: root');
    await editFile('    github:\n', '    # shoreguard-gitops:ignore SG002 audit first, enforce after the trial\n    github:\n');
    const sarifFile = join(dir(), 'out', 'gates.sarif');
    const result = await runCli(['validate', '--dir', tree, '--rules', 'builtin', '--output', 'sarif', '--sarif-file', sarifFile], { env: env() });
    expect(result.code).toBe(2);
    const log = JSON.parse(result.stdout) as { runs: { tool: { driver: { rules: { id: string }[] } }; results: Record<string, unknown>[] }[] };
    expect(validateSarif(log)).toBe(true);
    expect(validateSarif.errors ?? null).toBeNull();
    // The schema check has teeth: a result without a message is not SARIF.
    const broken = structuredClone(log);
    delete broken.runs[0]!.results[0]!['message'];
    expect(validateSarif(broken)).toBe(false);
    expect(JSON.parse(await readText(sarifFile))).toEqual(log);
    const run = log.runs[0]!;
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(expect.arrayContaining(['SG001', 'SG009', 'SG011', 'SG900']));
    expect(run.results).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          ruleId: 'SG009',
          level: 'error',
          locations: [{ physicalLocation: { artifactLocation: { uri: expect.stringMatching(/^file:\/\/.*\/policies\/gw\/sb\.yaml$/) }, region: { startLine: expect.any(Number), startColumn: expect.any(Number) } } }],
        }),
        expect.objectContaining({ ruleId: 'SG002', level: 'warning', suppressions: [{ kind: 'inSource', justification: 'audit first, enforce after the trial' }] }),
      ]),
    );
  });

  it('GIVEN a file that is not even valid YAML WHEN validated to SARIF THEN the syntax problem is a result too, and the log is still valid', async () => {
    await writeText(file, 'policy: {filesystem: [\n');
    const result = await runCli(['validate', '--dir', tree, '--rules', 'builtin', '--output', 'sarif'], { env: env() });
    const log = JSON.parse(result.stdout) as { runs: { results: { ruleId: string }[] }[] };
    expect(validateSarif(log)).toBe(true);
    expect(log.runs[0]!.results.map((r) => r.ruleId)).toEqual(['yaml_syntax']);
  });

  it('GIVEN markdown output and GitHub Actions WHEN a gate fails THEN the PR comment and the annotation show the finding on its line', async () => {
    await editFile('run_as_user: sandbox', 'run_as_user: root');
    const result = await runCli(['validate', '--dir', tree, '--rules', 'builtin', '--output', 'markdown'], { env: { ...env(), GITHUB_ACTIONS: 'true' } });
    expect(result.stdout).toContain('SG009 root-process');
    expect(result.stderr).toMatch(/::error file=[^,]*sb\.yaml,line=\d+,col=\d+.*SG009 root-process/);
  });

  it('GIVEN a suppressed finding WHEN rendered as text and markdown THEN the gate summary and the waiver with its reason are shown', async () => {
    await editFile('    github:\n', '    # shoreguard-gitops:ignore SG002 audit first, enforce after the trial\n    github:\n');
    for (const output of ['text', 'markdown']) {
      const result = await runCli(['validate', '--dir', tree, '--rules', 'builtin', '--output', output], { env: env() });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/gates builtin@[^:]+: 0 errors, 0 warnings, 1 suppressed/);
      expect(result.stdout).toMatch(/suppressed SG002 \(line \d+\): .* — reason: audit first, enforce after the trial/);
    }
  });

  it('GIVEN an error finding WHEN planned or applied with --rules THEN nothing is sent; without --rules the file goes through', async () => {
    await editFile('run_as_user: sandbox', 'run_as_user: root');
    for (const command of [['plan', '--dir', tree], ['apply', '--dir', tree], ['sync', '--dir', tree], ['sync', '--dir', tree, '--dry-run']]) {
      const result = await runJson([...command, '--rules', 'builtin'], { env: env() });
      expect(result.code).toBe(2);
      expect(result.report.targets[0]).toMatchObject({ status: 'invalid', gates: expect.objectContaining({ errors: 1 }) });
      expect(emulator().stats().requests).toBe(0);
    }
    const plain = await runJson(['plan', '--dir', tree], { env: env() });
    expect(plain.report.targets[0]?.status).toBe('drift');
  });

  it('GIVEN only warnings WHEN applied with --rules THEN it is applied and the report carries the gate summary', async () => {
    await editFile('run_as_user: sandbox', 'run_as_user: app');
    const result = await runJson(['apply', '--dir', tree, '--rules', 'builtin'], { env: env() });
    expect(result.code).toBe(0);
    expect(result.report.targets[0]).toMatchObject({ status: 'applied', gates: expect.objectContaining({ errors: 0, warnings: 1 }) });
  });

  it.each([
    ['a YAML error', 'rules: [\n', /invalid rule file .*rules\.yaml:\n {2}2:1: malformed YAML/],
    ['an unknown field', 'rulez: []\n', /1:1: rulez: Unrecognized key/],
    ['CEL that does not compile', 'rules:\n- id: A\n  expression: policy ==\n  message: m\n', /3:3: rules\[0\]\.expression: CEL does not compile/],
    ['an unknown rule id in an override', 'builtin:\n  SG404: off\n', /2:3: builtin\.SG404: unknown built-in rule/],
  ])('GIVEN a rule file with %s WHEN any command runs THEN exit 2 naming file and field, nothing sent or written', async (_what, text, message) => {
    const rules = join(dir(), 'rules.yaml');
    await writeText(rules, text);
    const outputs = join(dir(), 'out');
    for (const command of ['validate', 'plan', 'apply']) {
      const result = await runCli([command, '--dir', tree, '--rules', rules, '--sarif-file', join(outputs, 'x.sarif'), '--json-file', join(outputs, 'x.json')], { env: env() });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
    }
    expect(existsSync(outputs)).toBe(false);
    expect(emulator().stats().requests).toBe(0);
  });

  it('GIVEN a rule file with CEL rules and suppressions WHEN validated THEN custom findings count and an expired suppression fails the run', async () => {
    const rules = join(dir(), '.shoreguard-rules.yaml');
    await writeText(
      rules,
      `builtin:
  SG002: off
rules:
- id: ORG-https-only
  scope: endpoint
  expression: endpoint.ports.all(p, p == 443)
  message: only HTTPS egress
suppressions:
- rule: SG009
  reason: legacy
  expires: "2020-01-01"
`,
    );
    const clean = await runJson(['validate', '--dir', tree, '--rules', rules], { env: env() });
    expect(clean.report.problems).toEqual([expect.objectContaining({ rule: 'SG900', file: rules, line: 9 })]);
    expect(clean.code).toBe(2);
    await writeText(rules, (await readText(rules)).replace(/suppressions:[\s\S]*$/, ''));
    expect((await runJson(['validate', '--dir', tree, '--rules', rules], { env: env() })).code).toBe(0);
    await editFile('port: 443', 'port: 8443');
    const failing = await runJson(['validate', '--dir', tree, '--rules', rules], { env: env() });
    expect(failing.code).toBe(2);
    expect(failing.report.targets[0]?.problems).toContainEqual(expect.objectContaining({ rule: 'ORG-https-only', message: 'ORG-https-only: only HTTPS egress' }));
  });
});
