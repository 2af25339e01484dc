import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  canonicalize,
  canonicalizeText,
  fromExport,
  parsePolicyDocument,
  safeParsePolicyDocument,
  MANAGED_BY_BANNER,
} from '../../../bridge/document/canonical';
import { safeDumpBlock } from '../../../bridge/document/emitter';
import { CanonicalFormError, PolicyDocumentError } from '../../../bridge/core/errors';
import { CANONICAL_EXPORT, SHOREGUARD_EXPORT, exportPolicy, largePolicyYaml } from './examples';

describe('canonical form', () => {
  test('GIVEN ShoreGuard’s verified export (§10.3) WHEN canonicalized THEN the bytes equal the export minus the exported_at line', () => {
    expect(canonicalizeText(SHOREGUARD_EXPORT)).toBe(CANONICAL_EXPORT);
  });

  test('GIVEN a canonical document WHEN canonicalized again THEN the bytes do not change', () => {
    const once = canonicalizeText(SHOREGUARD_EXPORT);
    expect(canonicalizeText(once)).toBe(once);
  });

  test('GIVEN the same document with CRLF line endings WHEN canonicalized THEN the bytes equal the LF version', () => {
    const crlf = SHOREGUARD_EXPORT.replace(/\n/g, '\r\n');
    const result = canonicalizeText(crlf);
    expect(result).toBe(canonicalizeText(SHOREGUARD_EXPORT));
    expect(result).not.toContain('\r');
  });

  test('GIVEN keys in another order, flow style, comments and other quoting WHEN canonicalized THEN the bytes equal the export', () => {
    const shuffled = [
      'policy:  # hand-edited',
      '  version: 1',
      '  process: {run_as_user: "sandbox", run_as_group: sandbox}',
      '  network_policies:',
      '    github:',
      '      name: github',
      '      endpoints:',
      '        - {port: 443, host: "api.github.com", protocol: rest, rules: [{allow: {path: "/repos/**", method: GET, command: ""}}]}',
      "      binaries: [{path: '/usr/bin/git'}]",
      '    anthropic: {name: anthropic, endpoints: [], binaries: []}',
      '  landlock: {compatibility: best_effort}',
      '  filesystem:',
      '      read_write: []',
      '      read_only: [/usr, /etc]',
      '      include_workdir: yes',
      'metadata:',
      '  version: 7',
      '  sandbox: agent-1',
      '  policy_hash: "a1b2c3"',
      '  gateway: prod-gw',
      '',
    ].join('\n');
    expect(canonicalizeText(shuffled)).toBe(CANONICAL_EXPORT);
  });

  test('GIVEN a BOM and no trailing newline WHEN canonicalized THEN the output has neither BOM nor missing newline', () => {
    const result = canonicalizeText(`\uFEFF${SHOREGUARD_EXPORT.trimEnd()}`);
    expect(result).toBe(CANONICAL_EXPORT);
  });

  test('GIVEN a document WHEN canonicalized THEN it starts with the banner, uses LF and ends with exactly one newline', () => {
    const result = canonicalizeText('policy: {}\n');
    expect(result).toBe(`${MANAGED_BY_BANNER}\npolicy: {}\n`);
  });

  test('GIVEN metadata with exported_at and unknown keys WHEN canonicalized THEN only gateway, policy_hash, sandbox and version remain', () => {
    const text = "metadata:\n  exported_at: 2026-04-20T12:00:00Z\n  owner: team-a\n  gateway: g\n  sandbox: s\n  version: 0\nextra: 1\npolicy: {}\n";
    expect(canonicalizeText(text)).toBe(`${MANAGED_BY_BANNER}\nmetadata:\n  gateway: g\n  sandbox: s\n  version: 0\npolicy: {}\n`);
  });

  test('GIVEN an empty policy_hash WHEN canonicalized THEN the key is omitted like ShoreGuard does', () => {
    const result = canonicalizeText("metadata:\n  gateway: g\n  policy_hash: ''\n  sandbox: s\npolicy: {}\n");
    expect(result).not.toContain('policy_hash');
  });

  test('GIVEN unknown endpoint keys from a newer ShoreGuard WHEN canonicalized THEN they are kept, sorted', () => {
    const text = 'policy:\n  network_policies:\n    gql:\n      name: gql\n      binaries: []\n      endpoints:\n      - host: api.example.com\n        port: 443\n        protocol: graphql\n        persisted_queries: allow_registered\n        graphql_max_body_bytes: 65536\n';
    const result = canonicalizeText(text);
    expect(result).toContain('      - graphql_max_body_bytes: 65536\n        host: api.example.com\n        persisted_queries: allow_registered\n');
  });
});

describe('policy_hash is a string (trap 21)', () => {
  test.each([
    ['1234e5', '1234e5'],
    ['123456', '123456'],
    ['0x1f', '0x1f'],
    ['1_000', '1_000'],
    ["'007'", '007'],
  ])('GIVEN policy_hash: %s WHEN parsed THEN metadata.policy_hash is the string %j', (written, expected) => {
    const parsed = parsePolicyDocument(`metadata:\n  policy_hash: ${written}\npolicy: {}\n`);
    expect(parsed.document.metadata?.policy_hash).toBe(expected);
  });

  test('GIVEN an unquoted hash a YAML 1.2 parser reads as a number WHEN canonicalized THEN it is written quoted', () => {
    expect(canonicalizeText('metadata:\n  policy_hash: 1234e5\npolicy: {}\n')).toContain("policy_hash: '1234e5'\n");
  });

  test('GIVEN an all-digit unquoted hash WHEN parsed THEN a policy_hash_not_string warning explains the 409 risk', () => {
    const parsed = parsePolicyDocument('metadata:\n  policy_hash: 123456\npolicy: {}\n', { file: 'p.yaml' });
    expect(parsed.warnings).toEqual([
      expect.objectContaining({ code: 'policy_hash_not_string', severity: 'warning', file: 'p.yaml', line: 2, column: 16, path: 'metadata.policy_hash' }),
    ]);
  });

  test('GIVEN a hex hash PyYAML reads as a string WHEN parsed THEN no warning is raised', () => {
    expect(parsePolicyDocument('metadata:\n  policy_hash: 1234e5\npolicy: {}\n').warnings).toEqual([]);
  });

  test('GIVEN a numeric-looking sandbox name WHEN parsed THEN it stays a string and is quoted in the canonical form', () => {
    const parsed = parsePolicyDocument('metadata:\n  sandbox: 0755\npolicy: {}\n');
    expect(parsed.document.metadata?.sandbox).toBe('0755');
    expect(canonicalize(parsed.document)).toContain("sandbox: '0755'\n");
  });
});

describe('fromExport', () => {
  const exportResponse = { yaml: SHOREGUARD_EXPORT, gateway: 'prod-gw', sandbox: 'agent-1', version: 7, policyHash: 'a1b2c3' };

  test('GIVEN an export response WHEN converted THEN the canonical text equals the export minus exported_at', () => {
    expect(fromExport(exportResponse).text).toBe(CANONICAL_EXPORT);
  });

  test('GIVEN two exports that differ only in exported_at WHEN converted THEN the bytes are identical', () => {
    const later = SHOREGUARD_EXPORT.replace('2026-04-20T12:00:00.123456+00:00', '2026-05-01T08:30:00+00:00');
    expect(fromExport({ ...exportResponse, yaml: later }).text).toBe(fromExport(exportResponse).text);
  });

  test('GIVEN a YAML hash that a parser typed as a number WHEN converted THEN the JSON policy_hash wins', () => {
    const yaml = SHOREGUARD_EXPORT.replace('policy_hash: a1b2c3', 'policy_hash: 1234e5');
    const result = fromExport({ ...exportResponse, yaml, policyHash: '1234e5' });
    expect(result.document.metadata?.policy_hash).toBe('1234e5');
    expect(result.text).toContain("policy_hash: '1234e5'\n");
  });

  test('GIVEN the verified empty-policy export WHEN converted THEN policy is {} and no hash is written', () => {
    const yaml = "# managed-by: shoreguard-gitops\nmetadata:\n  exported_at: '2026-04-20T12:00:00+00:00'\n  gateway: g\n  sandbox: s\n  version: 0\npolicy: {}\n";
    const result = fromExport({ yaml, gateway: 'g', sandbox: 's', version: 0, policyHash: '' });
    expect(result.text).toBe(`${MANAGED_BY_BANNER}\nmetadata:\n  gateway: g\n  sandbox: s\n  version: 0\npolicy: {}\n`);
  });

  test('GIVEN an export whose YAML is malformed WHEN converted THEN a PolicyDocumentError names the target', () => {
    expect(() => fromExport({ ...exportResponse, yaml: 'policy: [' })).toThrow(PolicyDocumentError);
    expect(() => fromExport({ ...exportResponse, yaml: 'policy: [' })).toThrow(/export of prod-gw\/agent-1/);
  });
});

describe('parsePolicyDocument', () => {
  test('GIVEN the verified export WHEN parsed THEN the policy equals ShoreGuard’s dict', () => {
    expect(parsePolicyDocument(SHOREGUARD_EXPORT).document.policy).toEqual(exportPolicy());
  });

  test('GIVEN bad input WHEN parsed THEN PolicyDocumentError carries positioned problems', () => {
    let caught: unknown;
    try {
      parsePolicyDocument('policy:\n  process:\n    run_as_user: 1000\n', { file: 'x.yaml' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PolicyDocumentError);
    const error = caught as PolicyDocumentError;
    expect(error.code).toBe('POLICY_DOCUMENT_INVALID');
    expect(error.problems).toEqual([
      expect.objectContaining({ code: 'invalid_type', file: 'x.yaml', line: 3, column: 18, path: 'policy.process.run_as_user' }),
    ]);
    expect(error.message).toContain('x.yaml:3:18');
  });

  test('GIVEN a successful parse WHEN the result is serialized THEN the source text is not dumped into it', () => {
    const result = safeParsePolicyDocument(SHOREGUARD_EXPORT);
    expect(JSON.stringify(result)).not.toContain('api.github.com/');
    expect(JSON.stringify(result).length).toBeLessThan(SHOREGUARD_EXPORT.length * 2);
  });

  test('GIVEN a 5 MB policy with thousands of rules WHEN parsed and canonicalized THEN the result is correct and stable', () => {
    const text = largePolicyYaml(3500);
    expect(text.length).toBeGreaterThan(5_000_000);
    const parsed = parsePolicyDocument(text);
    expect(Object.keys(parsed.document.policy.network_policies ?? {})).toHaveLength(3500);
    expect(parsed.document.policy.network_policies?.['rule3499']?.endpoints?.[2]?.rules?.[3]?.allow?.path).toBe('/v3/**');
    const canonical = canonicalize(parsed.document);
    expect(canonicalizeText(canonical)).toBe(canonical);
    const hostLine = text.split('\n').indexOf('      - host: api2.example3499.com') + 1;
    expect(parsed.source.locate(['policy', 'network_policies', 'rule3499', 'endpoints', 2, 'port'])).toEqual({ line: hostLine + 1, column: 15 });
  });
});

describe('emitter (PyYAML safe_dump port)', () => {
  const fixture = JSON.parse(readFileSync(path.join(__dirname, 'fixtures', 'pyyaml-safe-dump.json'), 'utf8')) as {
    cases: { value: unknown; yaml: string }[];
  };

  test('GIVEN 150 documents dumped by PyYAML WHEN dumped by the bridge THEN every byte matches', () => {
    const mismatches = fixture.cases.filter((c) => safeDumpBlock(c.value, { quoteYaml12Ambiguous: false }) !== c.yaml);
    expect(mismatches.map((c) => c.yaml)).toEqual([]);
    expect(fixture.cases).toHaveLength(150);
  });

  test.each([
    ['caf\u00e9', '"caf\\xE9"'],
    ['\u{1F600}', '"\\U0001F600"'],
    ['', "''"],
    ['yes', "'yes'"],
    ['1234e5', "'1234e5'"],
    ['*.example.com', "'*.example.com'"],
    ['/repos/**', '/repos/**'],
    ["it's", "it's"],
    ['a: b', "'a: b'"],
    ['line\nbreak', "'line\n\n  break'"],
  ])('GIVEN the string %j WHEN dumped THEN it is written %s', (value, written) => {
    expect(safeDumpBlock({ k: value })).toBe(`k: ${written}\n`);
  });

  test('GIVEN a value YAML cannot hold WHEN dumped THEN CanonicalFormError names its path', () => {
    expect(() => safeDumpBlock({ policy: { when: new Date(0) } })).toThrow(CanonicalFormError);
    expect(() => safeDumpBlock({ policy: { when: new Date(0) } })).toThrow(/policy\.when/);
  });

  test('GIVEN a recursive structure WHEN dumped THEN CanonicalFormError is thrown instead of overflowing', () => {
    const loop: Record<string, unknown> = {};
    loop['self'] = loop;
    expect(() => safeDumpBlock(loop)).toThrow(/recursive structure/);
  });
});
