/** Text mutations for the fuzz tests: YAML indicators, YAML 1.1 look-alikes and structural edits. */
import fc from 'fast-check';

// Fragments that exercise YAML and the model: indicators, YAML 1.1 look-alikes, structure.
export const FRAGMENTS = [
  ':', ': ', '- ', '-', '#', '&a ', '*a', '!!int ', '!x ', '"', "'", '{', '}', '[', ']', ',', '|', '>', '?', '%', '@', '`',
  '\n', '\r\n', '\t', '  ', '    ', 'yes', 'no', 'on', '~', 'null', '0755', '1:30', '1e5', '443.0', '2024-01-01', '<<', '=',
  'policy', 'metadata', 'network_policies', 'endpoints', 'binaries', 'rules', 'allow', 'host', 'port', '*.com', 'version',
  'filesystem', 'read_only', 'landlock', 'process', 'run_as_user', '\u00e9', '\u{1F600}', '\uFEFF', '\u0000', '---', '...',
];

export type Mutation = (text: string) => string;

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.nat({ max: 40 })).map(([at, length]): Mutation => (text) => {
    const start = at % (text.length + 1);
    return text.slice(0, start) + text.slice(start + length);
  }),
  fc.tuple(fc.nat(), fc.constantFrom(...FRAGMENTS)).map(([at, fragment]): Mutation => (text) => {
    const start = at % (text.length + 1);
    return text.slice(0, start) + fragment + text.slice(start);
  }),
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]): Mutation => (text) => {
    const lines = text.split('\n');
    const i = a % lines.length;
    const j = b % lines.length;
    [lines[i], lines[j]] = [lines[j]!, lines[i]!];
    return lines.join('\n');
  }),
  fc.tuple(fc.nat(), fc.integer({ min: -4, max: 4 })).map(([a, shift]): Mutation => (text) => {
    const lines = text.split('\n');
    const i = a % lines.length;
    lines[i] = shift >= 0 ? ' '.repeat(shift) + lines[i] : lines[i]!.replace(new RegExp(`^ {0,${-shift}}`), '');
    return lines.join('\n');
  }),
  fc.nat().map((a): Mutation => (text) => {
    const lines = text.split('\n');
    const i = a % lines.length;
    lines.splice(i, 0, lines[i]!);
    return lines.join('\n');
  }),
);

/** Applies a list of mutations in order. */
export function mutate(text: string, mutations: readonly Mutation[]): string {
  return mutations.reduce<string>((current, next) => next(current), text);
}
