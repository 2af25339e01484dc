import fc from 'fast-check';
import { canonicalize, parsePolicyDocument } from '../../../bridge/document/canonical';
import { safeDumpBlock } from '../../../bridge/document/emitter';
import type { Problem } from '../../../bridge/core/problems';
import { composeYaml } from '../../../bridge/document/source';
import { validatePolicyText } from '../../../bridge/document/validate';
import { CLEAN_DOCUMENT, SHOREGUARD_EXPORT } from './examples';
import { FRAGMENTS, mutation } from './mutations';

const CODES_ARE_SNAKE_CASE = /^[a-z0-9_]+$/;

function expectWellFormed(problems: readonly Problem[]): void {
  for (const problem of problems) {
    expect(['error', 'warning']).toContain(problem.severity);
    expect(problem.code).toMatch(CODES_ARE_SNAKE_CASE);
    expect(typeof problem.message).toBe('string');
    expect(problem.message.length).toBeGreaterThan(0);
    expect(typeof problem.path).toBe('string');
    if (problem.line !== undefined) expect(problem.line).toBeGreaterThanOrEqual(1);
    if (problem.column !== undefined) expect(problem.column).toBeGreaterThanOrEqual(1);
  }
}

describe('fuzz: parse and validate never throw', () => {
  test('GIVEN thousands of mutated policy documents WHEN validated THEN only structured problems come back', () => {
    fc.assert(
      fc.property(fc.constantFrom(CLEAN_DOCUMENT, SHOREGUARD_EXPORT), fc.array(mutation, { minLength: 1, maxLength: 6 }), (base, mutations) => {
        const text = mutations.reduce<string>((current, mutate) => mutate(current), base);
        const result = validatePolicyText(text, { file: 'fuzz.yaml', target: { gateway: 'prod-gw', sandbox: 'agent-1' } });
        expectWellFormed(result.problems);
        expect(result.ok).toBe(!result.problems.some((p) => p.severity === 'error'));
        if (result.parsed !== undefined) {
          // Whatever parsed has one canonical form, which reads back to the same document.
          const canonical = canonicalize(result.parsed.document);
          expect(canonicalize(parsePolicyDocument(canonical).document)).toBe(canonical);
        }
      }),
      { numRuns: 3000, seed: 20260420 },
    );
  });

  test('GIVEN arbitrary text WHEN validated THEN it never throws', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        expectWellFormed(validatePolicyText(text).problems);
      }),
      { numRuns: 1500, seed: 7 },
    );
  });
});

describe('fuzz: emitter and reader agree', () => {
  const key = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((k) => k !== '__proto__');
  const scalar = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 30 }),
    fc.constantFrom(...FRAGMENTS),
    fc.integer({ min: -1e9, max: 1e9 }),
    fc.boolean(),
    fc.constant(null),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (Object.is(d, -0) ? 0 : d)),
  );
  const value = fc.letrec<{ node: unknown }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      scalar,
      fc.array(tie('node'), { maxLength: 4 }),
      fc.dictionary(key, tie('node'), { maxKeys: 4 }),
    ),
  })).node;

  test('GIVEN arbitrary JSON-like values WHEN dumped and read back THEN the value is unchanged', () => {
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 5 }), (document) => {
        const yaml = safeDumpBlock(document);
        const read = composeYaml(yaml);
        expect(read.problems).toEqual([]);
        expect(read.value).toEqual(document);
        expect(safeDumpBlock(read.value)).toBe(yaml);
      }),
      { numRuns: 1000, seed: 42 },
    );
  });
});
