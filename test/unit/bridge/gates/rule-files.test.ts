/**
 * Rule files: CEL rules per scope, suppressions (inline and in the rule file), and every kind of
 * broken rule file → one error naming file, line and field. Rego: test/integration/bridge/gates-rego.test.ts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GateRulesError } from '../../../../bridge/gates/rule-file';
import { loadRuleSet } from '../../../../bridge/gates/ruleset';
import { CLEAN, edit, evaluateText, ruleIds } from '../../../support/gates/documents';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gates-rules-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function ruleFile(text: string, name = 'rules.yaml'): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

const TODAY = '2026-06-15';

describe('CEL rules', () => {
  const RULES = `rules:
- id: ORG-ports
  scope: endpoint
  expression: endpoint.ports.all(p, p == 443)
  message: only HTTPS egress
  messageExpression: '"port " + string(endpoint.port) + " of " + endpoint.host + " in rule " + name + " is not 443"'
- id: ORG-rest-enforced
  severity: warning
  scope: endpoint
  when: endpoint.protocol == "rest"
  expression: endpoint.enforcement == "enforce"
  message: REST endpoints must enforce
- id: ORG-sandbox-user
  expression: policy.process.run_as_user == "sandbox" && target.gateway == "gw"
  message: run as the sandbox user
- id: ORG-no-tmp
  scope: filesystem_path
  expression: '!(access == "read_write" && path.startsWith("/var"))'
  message: no writable /var
- id: ORG-git-only
  scope: binary
  severity: note
  expression: binary.path in ["/usr/bin/git", "/usr/bin/gh"]
  message: unexpected binary
- id: ORG-get-only
  scope: l7_rule
  expression: allow.method == "GET"
  message: read-only APIs
- id: ORG-named
  scope: network_rule
  expression: rule.name == name
  message: the rule name must equal its key
`;

  it('GIVEN the clean document WHEN checked by CEL rules over every scope THEN no finding', async () => {
    const rules = await loadRuleSet([await ruleFile(RULES)], { today: TODAY });
    expect(evaluateText(rules, CLEAN).summary.findings).toEqual([]);
  });

  it.each([
    ['ORG-ports', edit('port: 443', 'port: 8443'), 'port 8443 of api.github.com in rule github is not 443'],
    ['ORG-rest-enforced', edit('enforcement: enforce', 'enforcement: audit'), 'REST endpoints must enforce'],
    ['ORG-sandbox-user', edit('run_as_user: sandbox', 'run_as_user: app'), 'run as the sandbox user'],
    ['ORG-no-tmp', edit('    - /tmp\n', '    - /var/lib/x\n'), 'no writable /var'],
    ['ORG-git-only', edit('path: /usr/bin/git', 'path: /usr/bin/curl'), 'unexpected binary'],
    ['ORG-get-only', edit('method: GET', 'method: DELETE'), 'read-only APIs'],
    ['ORG-named', edit('      name: github', '      name: gh'), 'the rule name must equal its key'],
  ])('GIVEN a document breaking %s WHEN checked THEN one finding with the message', async (id, text, message) => {
    const rules = await loadRuleSet([await ruleFile(RULES)], { today: TODAY });
    const findings = evaluateText(rules, text).summary.findings;
    expect(findings).toEqual([expect.objectContaining({ ruleId: id, message, file: 'policies/gw/sb.yaml', line: expect.any(Number) })]);
  });

  it('GIVEN a warning-severity CEL rule WHEN the `when` condition is false THEN the object is not checked', async () => {
    const rules = await loadRuleSet([await ruleFile(RULES)], { today: TODAY });
    const text = edit('        protocol: rest\n', '').replace('enforcement: enforce', 'enforcement: audit');
    expect(ruleIds(evaluateText(rules, text))).not.toContain('ORG-rest-enforced');
  });

  it('GIVEN an expression that fails at run time WHEN checked THEN it is a finding (fail closed)', async () => {
    const rules = await loadRuleSet([await ruleFile('rules:\n- id: ORG-x\n  expression: policy.network_policies["nope"].name == ""\n  message: m\n')], { today: TODAY });
    const findings = evaluateText(rules, CLEAN).summary.findings;
    expect(findings).toEqual([expect.objectContaining({ ruleId: 'ORG-x', severity: 'error', message: expect.stringContaining('could not be evaluated') })]);
  });

  it('GIVEN a rule directory WHEN loaded THEN every *.yaml in it counts, in name order', async () => {
    await ruleFile('rules:\n- id: A-1\n  expression: "false"\n  message: a\n', 'a.yaml');
    await ruleFile('rules:\n- id: B-1\n  expression: "false"\n  message: b\n', 'b.yml');
    await ruleFile('not a rule file', 'notes.txt');
    const rules = await loadRuleSet([dir, 'builtin'], { today: TODAY });
    expect(rules.packs).toEqual([expect.stringMatching(/^builtin@/), join(dir, 'a.yaml'), join(dir, 'b.yml')]);
    expect(ruleIds(evaluateText(rules, CLEAN))).toEqual(['A-1', 'B-1']);
  });
});

describe('bad rule files: GateRulesError naming file, line and field', () => {
  it.each([
    ['malformed YAML', 'rules: [\n', /rules\.yaml:\n {2}2:1: malformed YAML/],
    ['an unknown top-level field', 'rulez: []\n', /1:1: rulez: Unrecognized key/],
    ['an unknown rule field', 'rules:\n- id: A\n  expression: "true"\n  message: m\n  sevrity: error\n', /5:3: rules\[0\]\.sevrity: Unrecognized key/],
    ['a missing expression', 'rules:\n- id: A\n  message: m\n', /rules\[0\]\.expression: Invalid input/],
    ['CEL that does not parse', 'rules:\n- id: A\n  expression: policy.process ==\n  message: m\n', /3:3: rules\[0\]\.expression: CEL does not compile/],
    ['an unknown CEL variable', 'rules:\n- id: A\n  scope: endpoint\n  expression: endpont.host == ""\n  message: m\n', /rules\[0\]\.expression: CEL does not compile \(scope endpoint, .*endpoint.*\): .*endpont/],
    ['a non-boolean expression', 'rules:\n- id: A\n  expression: size(policy.network_policies)\n  message: m\n', /of type int, expected bool/],
    ['a bad messageExpression', 'rules:\n- id: A\n  expression: "true"\n  message: m\n  messageExpression: 1 + 1\n', /rules\[0\]\.messageExpression: CEL does not compile/],
    ['an unknown scope', 'rules:\n- id: A\n  scope: endpoints\n  expression: "true"\n  message: m\n', /rules\[0\]\.scope: Invalid option/],
    ['an unknown built-in rule in an override', 'builtin:\n  SG999: error\n', /2:3: builtin\.SG999: unknown built-in rule/],
    ['a bad severity', 'builtin:\n  SG003: fatal\n', /builtin\.SG003: Invalid option/],
    ['a reserved id', 'rules:\n- id: SG100\n  expression: "true"\n  message: m\n', /rules\[0\]\.id: ids SG<number> are reserved/],
    ['a duplicate id', 'rules:\n- id: A\n  expression: "true"\n  message: m\n- id: A\n  expression: "true"\n  message: m\n', /rules\[1\]\.id: duplicate rule id "A"/],
    ['a suppression of an unknown rule', 'suppressions:\n- rule: NOPE\n  reason: r\n', /suppressions: unknown rule id "NOPE"/],
    ['a bad expiry date', 'builtin: {}\nsuppressions:\n- rule: SG003\n  reason: r\n  expires: 2026-13-01\n', /suppressions\[0\]\.expires: Invalid ISO date/],
    ['a Rego rule with both wasm and rego', 'rego:\n- id: R\n  wasm: a.wasm\n  rego: a.rego\n  entrypoint: x/deny\n', /rego\[0\]\.wasm: give exactly one of wasm or rego/],
    ['a missing wasm file', 'rego:\n- id: R\n  wasm: missing.wasm\n  entrypoint: x/deny\n', /rego\[0\]: cannot read .*missing\.wasm/],
  ])('GIVEN %s WHEN loaded THEN the error names it', async (_what, text, message) => {
    const file = await ruleFile(text);
    const error = await loadRuleSet([file]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GateRulesError);
    expect((error as Error).message).toContain(`invalid rule file ${file}`);
    expect((error as Error).message).toMatch(message);
  });

  it('GIVEN a --rules path that does not exist WHEN loaded THEN the error says what --rules takes', async () => {
    await expect(loadRuleSet([join(dir, 'nope.yaml')])).rejects.toThrow(/no such file or directory \(--rules takes `builtin`/);
  });

  it('GIVEN the same custom id in two files WHEN loaded THEN refused', async () => {
    await ruleFile('rules:\n- id: A\n  expression: "true"\n  message: m\n', 'a.yaml');
    await ruleFile('rules:\n- id: A\n  expression: "true"\n  message: m\n', 'b.yaml');
    await expect(loadRuleSet([dir])).rejects.toThrow(/rule id "A" is declared in .*a\.yaml too/);
  });
});

describe('suppressions', () => {
  const WILDCARD = edit('host: api.github.com', "host: '*.github.com'");

  it('GIVEN an own-line ignore comment above the rule key WHEN checked THEN the finding is suppressed with its reason', async () => {
    const rules = await loadRuleSet(['builtin'], { today: TODAY });
    const text = edit('    github:\n', '    # shoreguard-gitops:ignore SG003 GitHub serves assets from rotating hosts\n    github:\n', WILDCARD);
    const result = evaluateText(rules, text);
    expect(result.problems).toEqual([]);
    expect(result.summary).toMatchObject({ warnings: 0, suppressed: 1 });
    expect(result.summary.findings[0]).toMatchObject({ ruleId: 'SG003', suppressed: { reason: 'GitHub serves assets from rotating hosts', kind: 'inSource' } });
  });

  it('GIVEN a trailing ignore comment by rule name with a future expiry WHEN checked THEN suppressed until then', async () => {
    const rules = await loadRuleSet(['builtin'], { today: TODAY });
    const text = WILDCARD.replace("host: '*.github.com'", "host: '*.github.com' # shoreguard-gitops:ignore wildcard-host expires=2026-07-01 migrating")
    expect(evaluateText(rules, text).summary).toMatchObject({ warnings: 0, suppressed: 1, findings: [expect.objectContaining({ suppressed: { reason: 'migrating', expires: '2026-07-01', kind: 'inSource' } })] });
  });

  it('GIVEN a comment for another rule or another node WHEN checked THEN nothing is suppressed', async () => {
    const rules = await loadRuleSet(['builtin'], { today: TODAY });
    const other = edit('    github:\n', '    # shoreguard-gitops:ignore SG007 not this one\n    github:\n', WILDCARD);
    const elsewhere = edit('  process:\n', '  # shoreguard-gitops:ignore SG003 wrong place\n  process:\n', WILDCARD);
    expect(evaluateText(rules, other).summary.warnings).toBe(1);
    expect(evaluateText(rules, elsewhere).summary.warnings).toBe(1);
  });

  it.each([
    ['no reason', '# shoreguard-gitops:ignore SG003', 'SG901', 'has no reason'],
    ['an expired date', '# shoreguard-gitops:ignore SG003 expires=2026-06-14 migrating', 'SG900', 'expired on 2026-06-14'],
    ['a malformed date', '# shoreguard-gitops:ignore SG003 expires=soon migrating', 'SG900', 'not a YYYY-MM-DD date'],
    ['an unknown rule', '# shoreguard-gitops:ignore SG333 typo', 'SG902', 'not a loaded rule'],
  ])('GIVEN an inline suppression with %s WHEN checked THEN it hides nothing and is a finding itself', async (_what, comment, id, message) => {
    const rules = await loadRuleSet(['builtin'], { today: TODAY });
    const result = evaluateText(rules, edit('    github:\n', `    ${comment}\n    github:\n`, WILDCARD));
    expect(ruleIds(result).sort()).toEqual([id, 'SG003'].sort());
    expect(result.problems.find((p) => p.rule === id)).toMatchObject({ line: 14, message: expect.stringContaining(message) });
  });

  it('GIVEN an inline suppression of a built-in rule WHEN the run does not load the pack THEN it is not reported as unknown', async () => {
    const rules = await loadRuleSet([await ruleFile('rules:\n- id: ORG-a\n  expression: "true"\n  message: m\n')], { today: TODAY });
    const text = edit('    github:\n', '    # shoreguard-gitops:ignore SG003 CDN\n    # shoreguard-gitops:ignore SG03 typo\n    github:\n', WILDCARD);
    expect(evaluateText(rules, text).summary.findings).toEqual([expect.objectContaining({ ruleId: 'SG902', message: expect.stringContaining('"SG03"') })]);
  });

  it('GIVEN rule-file suppressions by file glob, target and path WHEN checked THEN only matching findings are suppressed', async () => {
    const file = await ruleFile(`builtin: {}
suppressions:
- rule: SG003
  files: ["policies/gw/*.yaml"]
  path: policy.network_policies.github
  reason: accepted by security review SEC-12
  expires: "2026-12-31"
- rule: SG009
  targets: ["other-gw/*"]
  reason: not this target
`);
    const rules = await loadRuleSet([file], { today: TODAY });
    const text = WILDCARD.replace('run_as_user: sandbox', 'run_as_user: root');
    const result = evaluateText(rules, text);
    expect(result.summary.findings.map((f) => [f.ruleId, f.suppressed?.kind ?? null])).toEqual([
      ['SG003', 'external'],
      ['SG009', null],
    ]);
    expect(evaluateText(rules, text, 'policies/prod/sb.yaml').summary.suppressed).toBe(0);
  });

  it('GIVEN an expired or reasonless rule-file suppression WHEN loaded THEN it applies to nothing and is a run-level finding', async () => {
    const file = await ruleFile('builtin: {}\nsuppressions:\n- rule: SG003\n  reason: old\n  expires: 2026-01-01\n- rule: SG003\n');
    const rules = await loadRuleSet([file], { today: TODAY });
    expect(rules.suppressions).toEqual([]);
    expect(rules.problems).toEqual([
      expect.objectContaining({ file, line: 3, rule: 'SG900', severity: 'error', message: expect.stringContaining('expired on 2026-01-01') }),
      expect.objectContaining({ file, line: 6, rule: 'SG901', severity: 'error' }),
    ]);
    expect(evaluateText(rules, WILDCARD).summary.warnings).toBe(1);
  });
});

describe('the example rule file (examples/rules/.shoreguard-rules.yaml)', () => {
  const EXAMPLE = join(__dirname, '..', '..', '..', '..', 'examples', 'rules', '.shoreguard-rules.yaml');

  it('GIVEN the example WHEN loaded THEN it compiles, passes a compliant policy and catches a host off the allowlist', async () => {
    const rules = await loadRuleSet([EXAMPLE], { today: TODAY });
    expect(rules.problems).toEqual([]);
    expect(ruleIds(evaluateText(rules, CLEAN))).toEqual([]);
    const result = evaluateText(rules, edit('host: api.github.com', 'host: api.openai.com'));
    expect(result.problems).toContainEqual(
      expect.objectContaining({ rule: 'ORG-egress-allowlist', severity: 'error', message: 'ORG-egress-allowlist: host api.openai.com of rule github is not on the egress allowlist' }),
    );
  });
});
