/**
 * `yaml.safe_load` semantics (YAML 1.1 as PyYAML resolves it) on top of the `yaml` library's
 * parser: the library builds the node tree, plain scalars are then resolved with PyYAML's own
 * implicit resolvers (so `yes`/`on` are booleans, `y` is a string, `012` is octal, `1:20` is
 * sexagesimal), duplicate keys keep the last value and `<<` merges mappings.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, type Document, type Node } from 'yaml';
import { isPyDict, pyStr, type PyValue } from '../core/python';
import { resolvePlainScalarTag } from './yaml-render';

/** The document is not valid YAML; the message mimics PyYAML's `MarkedYAMLError` text. */
export class MalformedYamlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedYamlError';
  }
}

const BOOL_TRUE = new Set(['yes', 'true', 'on']);

/** PyYAML's messages for the parse problems the `yaml` library reports under other names. */
const PYYAML_PROBLEMS: Record<string, string> = {
  BLOCK_AS_IMPLICIT_KEY: 'mapping values are not allowed here',
  MULTILINE_IMPLICIT_KEY: 'mapping values are not allowed here',
  TAB_AS_INDENT: "found character '\\t' that cannot start any token",
  UNEXPECTED_TOKEN: 'expected <block end>, but found another token',
  BAD_INDENT: 'expected <block end>, but found another token',
  MISSING_CHAR: "expected ',' or ']', but got '<stream end>'",
  BAD_SCALAR_START: 'found character that cannot start any token',
  DUPLICATE_KEY: 'found duplicate key',
};

/** PyYAML `Mark.get_snippet(indent=4, max_length=75)`. */
function snippet(line: string, column: number): string {
  let head = '';
  let start = 0;
  let tail = '';
  let end = line.length;
  const half = 75 / 2 - 1;
  if (column - start > half) {
    head = ' ... ';
    start = Math.ceil(column - half + 5);
  }
  if (end - column > half) {
    tail = ' ... ';
    end = Math.floor(column + half - 5);
  }
  const text = line.slice(start, end);
  return `    ${head}${text}${tail}\n    ${' '.repeat(column - start + head.length)}^`;
}

function formatMark(source: string, line: number, column: number): string {
  const lineText = source.split(/\r\n|\r|\n/)[line - 1] ?? '';
  return `  in "<unicode string>", line ${line}, column ${column}:\n${snippet(lineText, column - 1)}`;
}

function malformed(source: string, code: string, message: string, linePos?: { line: number; col: number }): MalformedYamlError {
  const problem = PYYAML_PROBLEMS[code] ?? message.split(' at line ')[0] ?? message;
  const position = linePos ?? { line: 1, col: 1 };
  return new MalformedYamlError(`${problem}\n${formatMark(source, position.line, position.col)}`);
}

/** PyYAML `construct_yaml_int`. */
function constructInt(text: string): number {
  let value = text.replace(/_/g, '');
  let sign = 1;
  if (value.startsWith('-')) sign = -1;
  if (value.startsWith('-') || value.startsWith('+')) value = value.slice(1);
  if (value === '0') return 0;
  if (value.startsWith('0b')) return sign * parseInt(value.slice(2), 2);
  if (value.startsWith('0x')) return sign * parseInt(value.slice(2), 16);
  if (value.startsWith('0')) return sign * parseInt(value, 8);
  if (value.includes(':')) return sign * sexagesimal(value);
  return sign * Number(value);
}

/** PyYAML `construct_yaml_float`. */
function constructFloat(text: string): number {
  let value = text.replace(/_/g, '').toLowerCase();
  let sign = 1;
  if (value.startsWith('-')) sign = -1;
  if (value.startsWith('-') || value.startsWith('+')) value = value.slice(1);
  if (value === '.inf') return sign * Infinity;
  if (value === '.nan') return NaN;
  if (value.includes(':')) return sign * sexagesimal(value);
  return sign * Number(value);
}

function sexagesimal(value: string): number {
  return value
    .split(':')
    .map(Number)
    .reduce((total, digit) => total * 60 + digit, 0);
}

function constructPlain(text: string): PyValue {
  switch (resolvePlainScalarTag(text)) {
    case 'bool':
      return BOOL_TRUE.has(text.toLowerCase());
    case 'int':
      return constructInt(text);
    case 'float':
      return constructFloat(text);
    case 'null':
      return null;
    default:
      // Timestamps stay strings: the emulator has no date type to carry them.
      return text;
  }
}

const CORE_TAG = 'tag:yaml.org,2002:';

class SafeConstructor {
  constructor(
    private readonly document: Document.Parsed,
    private readonly source: string,
  ) {}

  construct(node: Node | null | undefined, depth = 0): PyValue {
    if (node === null || node === undefined) return null;
    if (depth > 500) throw new MalformedYamlError('maximum recursion depth exceeded while constructing the document');
    if (isAlias(node)) return this.construct(node.resolve(this.document) as Node | undefined, depth + 1);
    if (isScalar(node)) return this.constructScalar(node.tag, node.type, node.source ?? node.value, node.value);
    if (isSeq(node)) return node.items.map((item) => this.construct(item as Node, depth + 1));
    if (isMap(node)) return this.constructMapping(node.items, depth);
    throw new MalformedYamlError('could not determine a constructor for the node');
  }

  private constructScalar(tag: string | undefined, type: string | undefined, source: unknown, value: unknown): PyValue {
    const text = typeof source === 'string' ? source : String(value ?? '');
    if (tag !== undefined && tag !== '!') {
      switch (tag) {
        case `${CORE_TAG}str`:
          return text;
        case `${CORE_TAG}int`:
          return constructInt(text);
        case `${CORE_TAG}float`:
          return constructFloat(text);
        case `${CORE_TAG}bool`:
          return BOOL_TRUE.has(text.toLowerCase());
        case `${CORE_TAG}null`:
          return null;
        case `${CORE_TAG}timestamp`:
          return text;
        default:
          throw new MalformedYamlError(
            `could not determine a constructor for the tag '${tag}'\n${formatMark(this.source, 1, 1)}`,
          );
      }
    }
    if (type === 'PLAIN') return constructPlain(text);
    return text;
  }

  /** Mapping keys become strings (JavaScript objects have no other key type); `<<` merges. */
  private constructMapping(items: unknown[], depth: number): { [key: string]: PyValue } {
    const merged: { [key: string]: PyValue } = {};
    const own: { [key: string]: PyValue } = {};
    for (const item of items) {
      if (!isPair(item)) continue;
      const keyNode = item.key as Node | null;
      if (isScalar(keyNode) && keyNode.type === 'PLAIN' && keyNode.source === '<<' && keyNode.tag === undefined) {
        const value = this.construct(item.value as Node | null, depth + 1);
        const sources = Array.isArray(value) ? value : [value];
        for (const source of sources) {
          if (!isPyDict(source)) throw new MalformedYamlError('while constructing a mapping\nexpected a mapping for merging');
          for (const [key, mergedValue] of Object.entries(source)) if (!(key in merged)) merged[key] = mergedValue;
        }
        continue;
      }
      const key = pyStr(this.construct(keyNode, depth + 1));
      own[key] = this.construct(item.value as Node | null, depth + 1);
    }
    return { ...merged, ...own };
  }
}

/** `yaml.safe_load(text)`: null for an empty stream; throws `MalformedYamlError` otherwise. */
export function pySafeLoad(text: string): PyValue {
  const documents = parseAllDocuments(text, { version: '1.1', uniqueKeys: false, prettyErrors: true });
  if (documents.length === 0) return null;
  for (const document of documents) {
    const error = document.errors[0];
    if (error) throw malformed(text, error.code, error.message, error.linePos?.[0]);
  }
  if (documents.length > 1) {
    throw new MalformedYamlError(
      `expected a single document in the stream\n  in "<unicode string>", line 1, column 1:\nbut found another document`,
    );
  }
  const document = documents[0]!;
  return new SafeConstructor(document, text).construct(document.contents as Node | null);
}
