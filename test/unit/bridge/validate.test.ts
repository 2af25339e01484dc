import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { validatePolicyFile, validatePolicyText, validatePolicyTree, type ValidateOptions } from '../../../bridge/document/validate';
import type { Problem } from '../../../bridge/core/problems';
import { CLEAN_DOCUMENT, SHOREGUARD_EXPORT } from './examples';

const FILE = 'policies/prod-gw/agent-1.yaml';

function validate(text: string, options: Omit<ValidateOptions, 'file'> = {}) {
  return validatePolicyText(text, { file: FILE, ...options });
}

/** Replaces one line of the clean document (matched exactly) with other lines. */
function edit(find: string, ...replacement: string[]): string {
  const lines = CLEAN_DOCUMENT.split('\n');
  const index = lines.indexOf(find);
  if (index < 0) throw new Error(`line not found: ${find}`);
  lines.splice(index, 1, ...replacement);
  return lines.join('\n');
}

/** 1-based number of the line equal to `content` (the last one when it repeats). */
function lineOf(text: string, content: string): number {
  const index = text.split('\n').lastIndexOf(content);
  if (index < 0) throw new Error(`line not found: ${content}`);
  return index + 1;
}

function only(problems: readonly Problem[]): Problem {
  expect(problems).toHaveLength(1);
  return problems[0]!;
}

describe('validatePolicyText: clean input', () => {
  test('GIVEN a complete hand-written document WHEN validated THEN there are no problems', () => {
    const result = validate(CLEAN_DOCUMENT, { target: { gateway: 'prod-gw', sandbox: 'agent-1' } });
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.parsed?.document.metadata?.sandbox).toBe('agent-1');
  });

  test('GIVEN ShoreGuard’s own export WHEN validated THEN there are no problems', () => {
    expect(validate(SHOREGUARD_EXPORT).problems).toEqual([]);
  });
});

describe('validatePolicyText: errors', () => {
  test.each<[string, string, number, number, string, string]>([
    ['malformed YAML', 'yaml_syntax', 2, 1, '', 'policy: [\n'],
    ['a top level that is a list', 'not_a_mapping', 0, 0, '', '- policy\n'],
    ['an empty file', 'not_a_mapping', 0, 0, '', ''],
    ['no policy key', 'missing_policy', 0, 0, '', 'metadata: {}\n'],
    ['a null policy', 'invalid_type', 1, 1, 'policy', 'policy:\nmetadata: {}\n'],
    ['a metadata list', 'invalid_type', 1, 11, 'metadata', 'metadata: []\npolicy: {}\n'],
  ])('GIVEN %s WHEN validated THEN %s (line %i, column %i)', (_what, code, line, column, field, text) => {
    const problem = only(validate(text).problems);
    expect(problem).toMatchObject({ code, severity: 'error', file: FILE, path: field });
    // Whole-document problems carry the document's first position, when there is one.
    if (line > 0) expect(problem).toMatchObject({ line, column });
  });

  test('GIVEN ShoreGuard’s 400 messages WHEN the shape is wrong THEN the same words are used', () => {
    expect(only(validate('metadata: {}\n').problems).message).toBe("Missing required 'policy' key");
    expect(only(validate('[]\n').problems).message).toMatch(/^Top-level YAML must be a mapping/);
    expect(only(validate('policy: 3\n').problems).message).toMatch(/^'policy' must be a mapping/);
  });

  test('GIVEN a number where a string belongs WHEN validated THEN invalid_type says to quote it', () => {
    const text = edit('    run_as_user: sandbox', '    run_as_user: 1000');
    const problem = only(validate(text).problems);
    expect(problem).toMatchObject({ code: 'invalid_type', file: FILE, line: lineOf(text, '    run_as_user: 1000'), column: 18, path: 'policy.process.run_as_user' });
    expect(problem.message).toContain('quote the value');
  });

  test('GIVEN yes/no where a string belongs WHEN validated THEN invalid_type names the boolean', () => {
    const text = edit('            method: GET', '            method: yes');
    const problem = only(validate(text).problems);
    expect(problem).toMatchObject({ code: 'invalid_type', line: lineOf(text, '            method: yes'), column: 21, path: 'policy.network_policies.github.endpoints[0].rules[0].allow.method' });
    expect(problem.message).toContain('boolean true');
  });

  test('GIVEN a port out of range WHEN validated THEN out_of_range with the field', () => {
    const text = edit('        port: 443', '        port: 70000');
    const problem = only(validate(text).problems);
    expect(problem).toMatchObject({ code: 'out_of_range', line: lineOf(text, '        port: 70000'), column: 15, path: 'policy.network_policies.github.endpoints[0].port' });
  });

  test('GIVEN a float port WHEN validated THEN float_not_int', () => {
    const text = edit('        port: 443', '        port: 443.0');
    const problem = only(validate(text).problems);
    expect(problem).toMatchObject({ code: 'float_not_int', line: lineOf(text, '        port: 443.0'), column: 15 });
  });

  test('GIVEN a null section WHEN validated THEN invalid_type suggests {}', () => {
    const text = CLEAN_DOCUMENT.replace('  process:\n    run_as_group: sandbox\n    run_as_user: sandbox\n', '  process:\n');
    const problem = only(validate(text).problems);
    expect(problem).toMatchObject({ code: 'invalid_type', path: 'policy.process' });
    expect(problem.message).toContain('write {} or remove the key');
  });

  test('GIVEN a duplicate key WHEN validated THEN duplicate_key at the second occurrence', () => {
    const text = edit('  version: 1', '  version: 1', '  version: 2');
    const problem = only(validate(text).problems);
    expect(problem).toMatchObject({ code: 'duplicate_key', line: lineOf(text, '  version: 2'), column: 3, path: 'policy.version' });
  });

  test('GIVEN the docs’ `network` layout WHEN validated THEN unknown_section warns that replace wipes the rules', () => {
    const text = edit('  version: 1', '  version: 1', '  network:', '    rules: []');
    const problem = only(validate(text).problems);
    expect(problem).toMatchObject({ code: 'unknown_section', severity: 'error', line: lineOf(text, '  network:'), column: 3, path: 'policy.network' });
    expect(problem.message).toContain('wipes every network rule');
  });

  test('GIVEN filesystem_policy WHEN validated THEN unknown_section explains the diff ignores it', () => {
    const problem = only(validate(edit('  version: 1', '  version: 1', '  filesystem_policy: {}')).problems);
    expect(problem).toMatchObject({ code: 'unknown_section', path: 'policy.filesystem_policy' });
    expect(problem.message).toContain("use 'filesystem'");
  });

  test('GIVEN unknownSections: warning WHEN an unknown section is present THEN it is only a warning', () => {
    const problem = only(validate(edit('  version: 1', '  version: 1', '  inference: {}'), { unknownSections: 'warning' }).problems);
    expect(problem).toMatchObject({ code: 'unknown_section', severity: 'warning' });
  });

  test('GIVEN an unknown key in filesystem WHEN validated THEN unknown_key is an error', () => {
    const text = edit('    include_workdir: true', '    include_workdir: true', '    paths: [/x]');
    const problem = only(validate(text).problems);
    expect(problem).toMatchObject({ code: 'unknown_key', severity: 'error', line: lineOf(text, '    paths: [/x]'), column: 5, path: 'policy.filesystem.paths' });
  });

  test('GIVEN a TLD-level host wildcard WHEN validated THEN tld_wildcard is an error (ShoreGuard 500s)', () => {
    const text = edit('      - host: api.github.com', "      - host: '*.com'");
    const problem = only(validate(text).problems);
    expect(problem).toMatchObject({ code: 'tld_wildcard', severity: 'error', line: lineOf(text, "      - host: '*.com'"), column: 15, path: 'policy.network_policies.github.endpoints[0].host' });
    expect(problem.message).toContain("'*.example.com'");
  });

  test('GIVEN a multi-label host wildcard WHEN validated THEN it is accepted', () => {
    expect(validate(edit('      - host: api.github.com', "      - host: '*.github.com'")).problems).toEqual([]);
  });

  test('GIVEN targetMismatch: error WHEN metadata names another sandbox THEN it is an error', () => {
    const problem = only(validate(CLEAN_DOCUMENT, { target: { gateway: 'prod-gw', sandbox: 'agent-2' }, targetMismatch: 'error' }).problems);
    expect(problem).toMatchObject({ code: 'target_mismatch', severity: 'error', line: 5, column: 12, path: 'metadata.sandbox' });
  });
});

describe('validatePolicyText: warnings', () => {
  test('GIVEN metadata naming another target than the path WHEN validated THEN target_mismatch is a warning by default', () => {
    const problem = only(validate(CLEAN_DOCUMENT, { target: { gateway: 'stage-gw', sandbox: 'agent-1' } }).problems);
    expect(problem).toMatchObject({ code: 'target_mismatch', severity: 'warning', line: 3, column: 12, path: 'metadata.gateway' });
    expect(problem.message).toContain("would be applied to 'stage-gw'");
  });

  test('GIVEN no policy_hash WHEN validated THEN missing_policy_hash warns about the missing lock', () => {
    const result = validate(edit('  policy_hash: a1b2c3'));
    expect(result.ok).toBe(true);
    expect(only(result.problems)).toMatchObject({ code: 'missing_policy_hash', severity: 'warning', line: 3, path: 'metadata' });
  });

  test('GIVEN an unquoted all-digit hash WHEN validated THEN policy_hash_not_string', () => {
    expect(only(validate(edit('  policy_hash: a1b2c3', '  policy_hash: 123456')).problems)).toMatchObject({
      code: 'policy_hash_not_string',
      line: 4,
      column: 16,
    });
  });

  test('GIVEN keys outside metadata and policy WHEN validated THEN ignored_key warnings point at the keys', () => {
    const text = `${CLEAN_DOCUMENT}notes: hello\n`;
    expect(only(validate(text).problems)).toMatchObject({ code: 'ignored_key', severity: 'warning', line: lineOf(text, 'notes: hello'), column: 1, path: 'notes' });
  });

  test('GIVEN an unknown metadata key WHEN validated THEN ignored_key', () => {
    const text = edit('  version: 7', '  version: 7', '  owner: team-a');
    expect(only(validate(text).problems)).toMatchObject({ code: 'ignored_key', path: 'metadata.owner', line: lineOf(text, '  owner: team-a') });
  });

  test('GIVEN a rule whose name differs from its key WHEN validated THEN rule_name_mismatch', () => {
    const text = edit('      name: github', '      name: gh');
    expect(only(validate(text).problems)).toMatchObject({
      code: 'rule_name_mismatch',
      line: lineOf(text, '      name: gh'),
      column: 13,
      path: 'policy.network_policies.github.name',
    });
  });

  test.each<[string, string, string, string]>([
    ['binaries', '      binaries:\n      - path: /usr/bin/git\n', 'policy.network_policies.github', '      endpoints:'],
    ['command', "            command: ''\n", 'policy.network_policies.github.endpoints[0].rules[0].allow', '            method: GET'],
    ['name', '      name: github\n', 'policy.network_policies.github', '      binaries:'],
  ])('GIVEN a rule without %s WHEN validated THEN missing_default_key (trap 9)', (key, removed, field, firstLineOfParent) => {
    const text = CLEAN_DOCUMENT.replace(removed, '');
    const missing = validate(text).problems.filter((p) => p.code === 'missing_default_key');
    expect(only(missing)).toMatchObject({ severity: 'warning', path: field, line: lineOf(text, firstLineOfParent), file: FILE });
    expect(missing[0]?.message).toContain(`'${key}' is missing`);
  });

  test('GIVEN an empty protocol or allow_encoded_slash: false WHEN validated THEN non_canonical_empty_value', () => {
    const text = edit('        protocol: rest', "        protocol: ''", '        allow_encoded_slash: false');
    expect(validate(text).problems.map((p) => [p.code, p.path, p.line])).toEqual([
      ['non_canonical_empty_value', 'policy.network_policies.github.endpoints[0].protocol', lineOf(text, "        protocol: ''")],
      ['non_canonical_empty_value', 'policy.network_policies.github.endpoints[0].allow_encoded_slash', lineOf(text, '        allow_encoded_slash: false')],
    ]);
  });

  test('GIVEN GraphQL fields of a newer ShoreGuard WHEN validated THEN unknown_key_tolerated warnings, not errors', () => {
    const text = edit('        protocol: rest', '        protocol: graphql', '        persisted_queries: allow_registered');
    const result = validate(text);
    expect(result.ok).toBe(true);
    expect(only(result.problems)).toMatchObject({
      code: 'unknown_key_tolerated',
      severity: 'warning',
      line: lineOf(text, '        persisted_queries: allow_registered'),
      column: 9,
      path: 'policy.network_policies.github.endpoints[0].persisted_queries',
    });
  });

  test('GIVEN a path listed twice WHEN validated THEN duplicate_path', () => {
    const text = edit('    - /usr', '    - /usr', '    - /usr');
    expect(only(validate(text).problems)).toMatchObject({
      code: 'duplicate_path',
      path: 'policy.filesystem.read_only[1]',
      line: lineOf(text, '    - /usr'),
      column: 7,
    });
  });

  test('GIVEN a landlock-only edit against the previous policy WHEN validated THEN ignored_change says it is never written', () => {
    const before = validate(CLEAN_DOCUMENT).parsed!.document.policy;
    const after = edit('  version: 1', '  version: 1', '  landlock:', '    compatibility: hard_requirement');
    const problem = only(validate(after, { previousPolicy: before }).problems);
    expect(problem).toMatchObject({ code: 'ignored_change', severity: 'warning', path: 'policy.landlock', line: lineOf(after, '  landlock:'), column: 3 });
    expect(problem.message).toContain('never writes it');
  });
});

describe('validatePolicyFile and validatePolicyTree', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'bridge-validate-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('GIVEN a missing file WHEN validated THEN unreadable_file is reported, not thrown', async () => {
    const result = await validatePolicyFile(path.join(root, 'nope.yaml'));
    expect(only(result.problems)).toMatchObject({ code: 'unreadable_file', severity: 'error' });
    expect(result.ok).toBe(false);
  });

  test('GIVEN a tree with a good file, a wrong-sandbox file and a stray file WHEN validated THEN every problem names its file', async () => {
    await mkdir(path.join(root, 'prod-gw'));
    await writeFile(path.join(root, 'prod-gw', 'agent-1.yaml'), CLEAN_DOCUMENT);
    await writeFile(path.join(root, 'prod-gw', 'agent-2.yaml'), CLEAN_DOCUMENT);
    await writeFile(path.join(root, 'stray.yaml'), 'policy: {}\n');
    const result = await validatePolicyTree(root, { targetMismatch: 'error' });
    expect(result.ok).toBe(false);
    expect(result.files.map((f) => [f.relativePath, f.ok])).toEqual([
      ['prod-gw/agent-1.yaml', true],
      ['prod-gw/agent-2.yaml', false],
    ]);
    expect(result.problems.map((p) => [path.relative(root, p.file ?? ''), p.code, p.line])).toEqual([
      ['stray.yaml', 'stray_file', undefined],
      ['prod-gw/agent-2.yaml', 'target_mismatch', 5],
    ]);
  });
});
