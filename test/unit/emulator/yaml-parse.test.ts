import { parsePolicyDocument, PolicyYamlError } from '../../../emulator/policy/document';
import { pySafeLoad } from '../../../emulator/policy/yaml-parse';
import { vectors } from './vectors';

function detailOf(text: string): string {
  try {
    parsePolicyDocument(text);
  } catch (error) {
    if (error instanceof PolicyYamlError) return error.message;
    throw error;
  }
  throw new Error('expected a PolicyYamlError');
}

describe('YAML 1.1 loading with PyYAML safe_load semantics (§10.5 step 4)', () => {
  it.each(vectors.load.map((vector) => [JSON.stringify(vector.text), vector] as const))(
    'GIVEN %s WHEN loaded THEN the value equals yaml.safe_load',
    (_label, vector) => {
      expect(pySafeLoad(vector.text)).toEqual(vector.value);
    },
  );

  it('GIVEN "key: : :" WHEN applied THEN the detail reproduces the PyYAML message and mark from §10.5', () => {
    expect(detailOf('key: : :')).toBe(
      'Malformed YAML: mapping values are not allowed here\n  in "<unicode string>", line 1, column 6:\n    key: : :\n         ^',
    );
  });

  it.each([
    ['', 'Top-level YAML must be a mapping'],
    ['- a\n', 'Top-level YAML must be a mapping'],
    ['metadata: {}\n', "Missing required 'policy' key"],
    ['policy:\n', "'policy' must be a mapping"],
    ['policy: [1]\n', "'policy' must be a mapping"],
    ['metadata: x\npolicy: {}\n', "'metadata' must be a mapping"],
  ])('GIVEN %j WHEN parsed THEN the 400 detail is %j', (text, detail) => {
    expect(detailOf(text)).toBe(detail);
  });

  it('GIVEN metadata: null WHEN parsed THEN it counts as an empty mapping', () => {
    expect(parsePolicyDocument('metadata:\npolicy: {}\n')).toEqual({ policy: {}, metadata: {} });
  });

  it('GIVEN an unknown tag WHEN loaded THEN it is malformed like PyYAML safe_load', () => {
    expect(detailOf('policy: !custom x\n')).toMatch(/^Malformed YAML: could not determine a constructor for the tag '!custom'/);
  });

  it('GIVEN two documents WHEN loaded THEN it is malformed', () => {
    expect(detailOf('policy: {}\n---\npolicy: {}\n')).toMatch(/^Malformed YAML: expected a single document in the stream/);
  });
});
