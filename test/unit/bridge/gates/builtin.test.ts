/** The built-in rule pack: every rule with a failing and a passing document, positions, severities. */
import { BUILTIN_RULES } from '../../../../bridge/gates/builtin';
import { loadRuleSet } from '../../../../bridge/gates/ruleset';
import { CLEAN, edit, evaluateText, ruleIds } from '../../../support/gates/documents';

const ENDPOINT = `      - enforcement: enforce
        host: api.github.com
        port: 443
        protocol: rest
        rules:
        - allow:
            method: GET
            path: /repos/**
`;

/** [rule, failing document, passing document (a near miss)]. */
const CASES: [string, string, string][] = [
  ['SG001', edit(ENDPOINT, '      - host: api.github.com\n        port: 443\n'), edit(ENDPOINT, '      - host: db.internal.example\n        port: 5432\n')],
  ['SG001', edit(ENDPOINT, '      - host: api.stripe.com\n        port: 9000\n'), CLEAN],
  ['SG002', edit('      - enforcement: enforce\n', '      - enforcement: audit\n'), CLEAN],
  ['SG002', edit('      - enforcement: enforce\n', '      - '.padEnd(8)).replace('      -         host', '      - host'), CLEAN],
  ['SG003', edit('host: api.github.com', "host: '*.github.com'"), edit('host: api.github.com', 'host: uploads.github.com')],
  ['SG004', edit('        port: 443\n', '        port: 443\n        allowed_ips:\n        - 10.0.0.0/8\n'), edit('        port: 443\n', '        port: 443\n        allowed_ips:\n        - 10.0.5.20/32\n')],
  ['SG005', edit('        rules:\n        - allow:\n            method: GET\n            path: /repos/**\n', '        access: full\n'), edit('        rules:\n        - allow:\n            method: GET\n            path: /repos/**\n', '        access: read-only\n')],
  ['SG006', edit('method: GET\n            path: /repos/**', 'method: POST\n            path: /**'), edit('method: GET\n            path: /repos/**', 'method: POST\n            path: /repos/org/app/issues')],
  ['SG006', edit('        rules:\n        - allow:\n            method: GET\n            path: /repos/**\n', '        access: read-write\n'), CLEAN],
  ['SG007', edit('path: /usr/bin/git', 'path: /usr/bin/python3'), edit('path: /usr/bin/git', 'path: /usr/bin/gh')],
  ['SG007', edit('path: /usr/bin/git', 'path: /bin/sh'), CLEAN],
  ['SG008', edit('    - /tmp\n', '    - /etc/\n'), edit('    - /tmp\n', '    - /etc-scratch\n')],
  ['SG008', edit('    - /tmp\n', '    - /home/agent\n'), edit('    - /tmp\n', '    - /home/agent/work\n')],
  ['SG009', edit('run_as_user: sandbox', 'run_as_user: root'), edit('run_as_user: sandbox', 'run_as_user: rooted')],
  ['SG010', edit('      binaries:\n      - path: /usr/bin/git\n', '      binaries: []\n'), CLEAN],
];

describe('built-in rule pack', () => {
  let builtin: Awaited<ReturnType<typeof loadRuleSet>>;
  beforeAll(async () => {
    builtin = await loadRuleSet(['builtin'], { today: '2026-01-01' });
  });

  it('GIVEN the clean document WHEN checked THEN no finding', () => {
    expect(evaluateText(builtin, CLEAN).summary.findings).toEqual([]);
  });

  it.each(CASES)('GIVEN a document that breaks %s WHEN checked THEN it is found, and its near miss passes', (rule, failing, passing) => {
    expect(ruleIds(evaluateText(builtin, failing))).toContain(rule);
    expect(ruleIds(evaluateText(builtin, passing))).not.toContain(rule);
  });

  it('GIVEN every built-in rule except the off-by-default one THEN each has a failing case here', () => {
    const covered = new Set(CASES.map(([rule]) => rule));
    expect(BUILTIN_RULES.filter((r) => r.severity !== 'off' && !covered.has(r.id)).map((r) => r.id)).toEqual([]);
  });

  it('GIVEN a wildcard host WHEN checked THEN the problem names file, line, column, rule key and rule id', () => {
    const result = evaluateText(builtin, edit('host: api.github.com', "host: '*.github.com'"));
    expect(result.problems).toEqual([
      {
        file: 'policies/gw/sb.yaml',
        line: 19,
        column: 9,
        path: 'policy.network_policies.github.endpoints[0].host',
        code: 'gate_finding',
        rule: 'SG003',
        message: 'SG003 wildcard-host: network rule "github" endpoint 0: host "*.github.com" is a wildcard',
        severity: 'warning',
      },
    ]);
    expect(result.summary).toMatchObject({ errors: 0, warnings: 1, suppressed: 0, packs: [expect.stringMatching(/^builtin@/)] });
  });

  it('GIVEN landlock best_effort WHEN checked with the defaults THEN SG011 is off; a rule file turns it on', async () => {
    const text = edit('compatibility: hard_requirement', 'compatibility: best_effort');
    expect(ruleIds(evaluateText(builtin, text))).toEqual([]);
    const dir = await import('node:fs/promises').then((fs) => fs.mkdtemp(require('node:path').join(require('node:os').tmpdir(), 'gates-')));
    const file = require('node:path').join(dir, 'rules.yaml');
    await import('node:fs/promises').then((fs) => fs.writeFile(file, 'builtin:\n  landlock-best-effort: error\n  SG009: off\n'));
    const configured = await loadRuleSet([file], { today: '2026-01-01' });
    const result = evaluateText(configured, edit('run_as_user: sandbox', 'run_as_user: root', text));
    expect(result.summary.findings.map((f) => [f.ruleId, f.severity])).toEqual([['SG011', 'error']]);
  });

  it('GIVEN SG011 turned on WHEN landlock is best_effort or unset THEN found; hard_requirement passes', async () => {
    const fs = await import('node:fs/promises');
    const path = await import('node:path');
    const dir = await fs.mkdtemp(path.join(require('node:os').tmpdir(), 'gates-'));
    await fs.writeFile(path.join(dir, 'r.yaml'), 'builtin:\n  SG011: warning\n');
    const rules = await loadRuleSet([path.join(dir, 'r.yaml')]);
    expect(ruleIds(evaluateText(rules, edit('compatibility: hard_requirement', 'compatibility: best_effort')))).toEqual(['SG011']);
    expect(ruleIds(evaluateText(rules, edit('  landlock:\n    compatibility: hard_requirement\n', '')))).toEqual(['SG011']);
    expect(ruleIds(evaluateText(rules, CLEAN))).toEqual([]);
  });

  it('GIVEN severity note WHEN found THEN it is in the summary but not a problem (it fails nothing)', async () => {
    const fs = await import('node:fs/promises');
    const path = await import('node:path');
    const dir = await fs.mkdtemp(path.join(require('node:os').tmpdir(), 'gates-'));
    await fs.writeFile(path.join(dir, 'r.yaml'), 'builtin:\n  SG009: note\n');
    const result = evaluateText(await loadRuleSet([path.join(dir, 'r.yaml')]), edit('run_as_user: sandbox', 'run_as_user: root'));
    expect(result.problems).toEqual([]);
    expect(result.summary.findings).toEqual([expect.objectContaining({ ruleId: 'SG009', severity: 'note' })]);
  });
});
