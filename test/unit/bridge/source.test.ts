import { composeYaml } from '../../../bridge/document/source';
import { compareCodePoints, plainReadsAsString, resolvePlain11 } from '../../../bridge/document/yaml11';

describe('YAML 1.1 reading, as ShoreGuard’s PyYAML does it', () => {
  test.each([
    ['yes', true],
    ['Off', false],
    ['on', true],
    ['y', 'y'],
    ['0755', 493],
    ['0x1F', 31],
    ['0b101', 5],
    ['1_000', 1000],
    ['1:30', 90],
    ['-1:30', -90],
    ['1.5', 1.5],
    ['1e5', '1e5'],
    ['1.0e+5', 100000],
    ['.inf', Infinity],
    ['~', null],
    ['Null', null],
    ['0o17', '0o17'],
    ['+12', 12],
  ])('GIVEN the plain scalar %s WHEN read THEN the value is %p', (text, expected) => {
    expect(composeYaml(`v: ${text}\n`).value).toEqual({ v: expected });
  });

  test.each(['yes', '1.5', '0755', '2024-01-01', '~', '1e5', '0o17', 'True', '<<', '='])(
    'GIVEN the string %s WHEN checked for plain writing THEN it needs quotes',
    (text) => {
      expect(plainReadsAsString(text)).toBe(false);
    },
  );

  test('GIVEN a quoted scalar WHEN read THEN it is a string whatever it looks like', () => {
    expect(composeYaml("a: 'yes'\nb: \"0755\"\n").value).toEqual({ a: 'yes', b: '0755' });
  });

  test('GIVEN an explicit !!str / !!int tag WHEN read THEN the tag decides', () => {
    expect(composeYaml('a: !!str 0755\nb: !!int "12"\n').value).toEqual({ a: '0755', b: 12 });
  });

  test('GIVEN a timestamp-looking plain value WHEN read THEN it is an error with its position', () => {
    const result = composeYaml('policy:\n  process:\n    run_as_user: 2024-01-01\n', 'p.yaml');
    expect(result.problems).toEqual([
      expect.objectContaining({ code: 'timestamp_value', file: 'p.yaml', line: 3, column: 18, path: 'policy.process.run_as_user' }),
    ]);
  });

  test('GIVEN an unquoted exported_at timestamp WHEN read THEN it is tolerated as text', () => {
    const result = composeYaml('metadata:\n  exported_at: 2026-04-20 12:00:00\n');
    expect(result.problems).toEqual([]);
    expect(result.value).toEqual({ metadata: { exported_at: '2026-04-20 12:00:00' } });
  });

  test('GIVEN the resolvers WHEN asked about an ordinary word THEN it is a string', () => {
    expect(resolvePlain11('api.github.com')).toBe('str');
  });

  test('GIVEN an astral character and a U+FFxx character WHEN compared THEN code-point order puts the astral one last', () => {
    expect(compareCodePoints('\u{1F600}', '\uFF01')).toBeGreaterThan(0);
    expect(['b', '\u{1F600}', '\uFF01', 'a'].sort(compareCodePoints)).toEqual(['a', 'b', '\uFF01', '\u{1F600}']);
  });
});

describe('YAML problems are data with positions', () => {
  test('GIVEN malformed YAML WHEN composed THEN a yaml_syntax error has line and column', () => {
    const result = composeYaml('policy:\n  filesystem:\n    read_only: [/usr\n  process: {}\n', 'bad.yaml');
    expect(result.value).toBeUndefined();
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ code: 'yaml_syntax', severity: 'error', file: 'bad.yaml', line: 4 });
    expect(result.problems[0]?.message).toMatch(/^malformed YAML: /);
  });

  test('GIVEN a duplicate key WHEN composed THEN duplicate_key points at the second key', () => {
    const result = composeYaml('policy:\n  version: 1\n  version: 2\n');
    expect(result.problems).toEqual([
      expect.objectContaining({ code: 'duplicate_key', line: 3, column: 3, path: 'policy.version', severity: 'error' }),
    ]);
  });

  test('GIVEN a key YAML 1.1 reads as a boolean WHEN composed THEN non_string_key says to quote it', () => {
    const result = composeYaml('policy:\n  network_policies:\n    on:\n      name: on\n');
    expect(result.problems).toEqual([expect.objectContaining({ code: 'non_string_key', line: 3, column: 5, path: 'policy.network_policies' })]);
    expect(result.problems[0]?.message).toContain('boolean true');
  });

  test('GIVEN a merge key WHEN composed THEN merge_key is reported', () => {
    const result = composeYaml('base: &b {a: 1}\nother:\n  <<: *b\n');
    expect(result.problems.map((p) => p.code)).toContain('merge_key');
  });

  test('GIVEN an unknown tag WHEN composed THEN unsupported_tag is reported', () => {
    expect(composeYaml('a: !secret x\n').problems.map((p) => p.code)).toEqual(['unsupported_tag']);
  });

  test('GIVEN a tag whose value does not fit WHEN composed THEN invalid_tagged_value is reported', () => {
    expect(composeYaml('a: !!int x\n').problems.map((p) => p.code)).toEqual(['invalid_tagged_value']);
  });

  test('GIVEN an alias to an anchor WHEN composed THEN the value is shared', () => {
    expect(composeYaml('a: &x [1, 2]\nb: *x\n').value).toEqual({ a: [1, 2], b: [1, 2] });
  });

  test('GIVEN an undefined alias WHEN composed THEN undefined_alias is reported', () => {
    expect(composeYaml('a: *nope\n').problems.map((p) => p.code)).toEqual(['undefined_alias']);
  });

  test('GIVEN an alias bomb WHEN composed THEN composition stops with alias_expansion_too_large', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) levels.push(`l${i}: &l${i} [${Array(10).fill(i === 1 ? '*a' : `*l${i - 1}`).join(', ')}]`);
    const result = composeYaml(`${levels.join('\n')}\n`);
    expect(result.value).toBeUndefined();
    expect(result.problems.map((p) => p.code)).toEqual(['alias_expansion_too_large']);
  });

  test('GIVEN two documents WHEN composed THEN multiple_documents is reported', () => {
    expect(composeYaml('policy: {}\n---\npolicy: {}\n').problems.map((p) => p.code)).toEqual(['multiple_documents']);
  });

  test('GIVEN a __proto__ key WHEN composed THEN it is refused and the prototype is untouched', () => {
    const result = composeYaml('__proto__:\n  polluted: true\n');
    expect(result.problems.map((p) => p.code)).toEqual(['reserved_key']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  test('GIVEN `=` as a plain value WHEN composed THEN invalid_plain_scalar is reported (PyYAML cannot construct it)', () => {
    expect(composeYaml('a: =\n').problems.map((p) => p.code)).toEqual(['invalid_plain_scalar']);
  });
});

describe('SourceIndex', () => {
  const text = 'metadata:\n  gateway: g\npolicy:\n  network_policies:\n    "api.x":\n      endpoints:\n      - host: h\n        port: 1\n      - {host: k, port: 2}\n';

  test('GIVEN a path WHEN located THEN value and key positions are 1-based line/column', () => {
    const { source } = composeYaml(text);
    expect(source.locate(['policy', 'network_policies', 'api.x', 'endpoints', 1, 'port'])).toEqual({ line: 9, column: 25 });
    expect(source.locate(['policy', 'network_policies', 'api.x', 'endpoints', 0, 'port'], 'key')).toEqual({ line: 8, column: 9 });
    expect(source.locate(['policy', 'network_policies', 'api.x'], 'key')).toEqual({ line: 5, column: 5 });
  });

  test('GIVEN a path that does not exist WHEN located THEN the deepest existing node is returned', () => {
    const { source } = composeYaml(text);
    expect(source.locate(['policy', 'network_policies', 'api.x', 'binaries'])).toEqual({ line: 6, column: 7 });
  });

  test('GIVEN a quoted scalar WHEN read raw THEN the text and style are reported', () => {
    const { source } = composeYaml("a: '12'\nb: 12\n");
    expect(source.rawScalar(['a'])).toEqual({ text: '12', plain: false });
    expect(source.rawScalar(['b'])).toEqual({ text: '12', plain: true });
  });
});
