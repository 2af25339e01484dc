/**
 * A port of the parts of PyYAML's emitter that `yaml.safe_dump(doc, sort_keys=True,
 * default_flow_style=False)` uses, so the canonical form of an exported policy is byte for byte
 * what ShoreGuard itself writes (minus `exported_at`): keys sorted by code point, block style,
 * `{}`/`[]` for empty collections, sequences not indented under their key, width-80 folding of
 * long scalars, non-ASCII escaped in double quotes, strings that would read as another type
 * single-quoted.
 *
 * One deliberate difference: strings that only a YAML 1.2 parser would read as a number or
 * boolean (`1234e5`, `0o17`) are quoted too, so the file means the same to every tool (trap 21).
 *
 * The state machine mirrors `yaml/emitter.py` (column, whitespace, indention, indent stack);
 * comments name the Python method each part comes from.
 */
import { CanonicalFormError } from '../core/errors';
import { compareCodePoints, plainReadsAsString, resolvePlain11 } from './yaml11';
import { formatPath, type PathSegment } from '../core/problems';

const BEST_WIDTH = 80;
const BEST_INDENT = 2;
const STR_TAG_LENGTH = '!!str'.length;
const LINE_BREAKS = new Set(['\n', '\x85', '\u2028', '\u2029']);
const WHITESPACE_OR_END = new Set(['\0', ' ', '\t', '\r', '\n', '\x85', '\u2028', '\u2029']);
const ESCAPES: Record<string, string> = {
  '\0': '0',
  '\x07': 'a',
  '\x08': 'b',
  '\x09': 't',
  '\x0A': 'n',
  '\x0B': 'v',
  '\x0C': 'f',
  '\x0D': 'r',
  '\x1B': 'e',
  '"': '"',
  '\\': '\\',
  '\x85': 'N',
  '\xA0': '_',
  '\u2028': 'L',
  '\u2029': 'P',
};

interface ScalarAnalysis {
  readonly chars: readonly string[];
  readonly empty: boolean;
  readonly multiline: boolean;
  readonly allowBlockPlain: boolean;
  readonly allowSingleQuoted: boolean;
}

type ScalarStyle = 'plain' | 'single' | 'double';

/** `Emitter.analyze_scalar` with allow_unicode=False, reduced to the flags block style reads. */
function analyzeScalar(text: string): ScalarAnalysis {
  const chars = Array.from(text);
  if (chars.length === 0) {
    return { chars, empty: true, multiline: false, allowBlockPlain: true, allowSingleQuoted: true };
  }
  let blockIndicators = false;
  let lineBreaks = false;
  let specialCharacters = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;

  if (text.startsWith('---') || text.startsWith('...')) blockIndicators = true;

  let precededByWhitespace = true;
  let followedByWhitespace = chars.length === 1 || WHITESPACE_OR_END.has(chars[1]!);
  let previousSpace = false;
  let previousBreak = false;

  for (let index = 0; index < chars.length; index++) {
    const ch = chars[index]!;
    if (index === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) blockIndicators = true;
      if ((ch === '?' || ch === ':') && followedByWhitespace) blockIndicators = true;
      if (ch === '-' && followedByWhitespace) blockIndicators = true;
    } else {
      if (ch === ':' && followedByWhitespace) blockIndicators = true;
      if (ch === '#' && precededByWhitespace) blockIndicators = true;
    }

    if (LINE_BREAKS.has(ch)) lineBreaks = true;
    const code = ch.codePointAt(0)!;
    // allow_unicode=False: anything outside printable ASCII (except \n) needs double quotes.
    if (!(ch === '\n' || (code >= 0x20 && code <= 0x7e))) specialCharacters = true;

    if (ch === ' ') {
      if (index === 0) leadingSpace = true;
      if (index === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (LINE_BREAKS.has(ch)) {
      if (index === 0) leadingBreak = true;
      if (index === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }

    precededByWhitespace = WHITESPACE_OR_END.has(ch);
    followedByWhitespace = index + 2 >= chars.length || WHITESPACE_OR_END.has(chars[index + 2]!);
  }

  let allowBlockPlain = true;
  let allowSingleQuoted = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) allowBlockPlain = false;
  if (breakSpace) allowBlockPlain = allowSingleQuoted = false;
  if (spaceBreak || specialCharacters) allowBlockPlain = allowSingleQuoted = false;
  if (lineBreaks) allowBlockPlain = false;
  if (blockIndicators) allowBlockPlain = false;
  return { chars, empty: false, multiline: lineBreaks, allowBlockPlain, allowSingleQuoted };
}

interface NodeContext {
  readonly root?: boolean;
  readonly mapping?: boolean;
  readonly simpleKey?: boolean;
}

export interface DumpOptions {
  /**
   * Also quote strings that only YAML 1.2 parsers read as numbers/booleans (`1234e5`). Off
   * reproduces PyYAML exactly.
   * @default true
   */
  readonly quoteYaml12Ambiguous?: boolean;
}

class BlockEmitter {
  private readonly out: string[] = [];
  private column = 0;
  private whitespace = true;
  private indention = true;
  private indent: number | null = null;
  private readonly indents: (number | null)[] = [];
  private readonly path: PathSegment[] = [];
  private readonly active = new Set<object>();

  constructor(private readonly isPlainString: (text: string) => boolean) {}

  emitDocument(value: unknown): string {
    this.expectNode(value, { root: true });
    this.writeIndent(); // expect_document_end
    return this.out.join('');
  }

  private expectNode(value: unknown, context: NodeContext): void {
    if (Array.isArray(value)) {
      if (value.length === 0) this.writeEmptyFlow('[', ']');
      else this.guardCycle(value, () => this.expectBlockSequence(value, context));
    } else if (isPlainObject(value)) {
      // Like JSON.stringify, an undefined value means "no such key".
      const keys = Object.keys(value).filter((key) => value[key] !== undefined);
      if (keys.length === 0) this.writeEmptyFlow('{', '}');
      else this.guardCycle(value, () => this.expectBlockMapping(value, keys));
    } else {
      const [text, isString] = scalarText(value, this.path);
      this.expectScalar(text, isString, undefined, context);
    }
  }

  private guardCycle(value: object, emit: () => void): void {
    if (this.active.has(value)) throw new CanonicalFormError('recursive structure', formatPath(this.path));
    this.active.add(value);
    emit();
    this.active.delete(value);
  }

  // expect_flow_sequence / expect_flow_mapping for an empty collection.
  private writeEmptyFlow(open: string, close: string): void {
    this.writeIndicator(open, true, true);
    this.writeIndicator(close, false);
  }

  private expectBlockSequence(items: readonly unknown[], context: NodeContext): void {
    const indentless = context.mapping === true && !this.indention;
    this.increaseIndent(false, indentless);
    items.forEach((item, index) => {
      this.writeIndent();
      this.writeIndicator('-', true, false, true);
      this.path.push(index);
      this.expectNode(item, {});
      this.path.pop();
    });
    this.indent = this.indents.pop()!;
  }

  private expectBlockMapping(mapping: Readonly<Record<string, unknown>>, keys: string[]): void {
    this.increaseIndent(false, false);
    keys.sort(compareCodePoints);
    for (const key of keys) {
      this.writeIndent();
      this.path.push(key);
      if (key.length + STR_TAG_LENGTH < 128 && isSimpleAscii(key)) {
        this.expectScalar(key, true, undefined, { mapping: true, simpleKey: true });
        this.writeIndicator(':', false);
        this.expectNode(mapping[key], { mapping: true });
        this.path.pop();
        continue;
      }
      const keyAnalysis = analyzeScalar(key);
      // check_simple_key: short single-line keys are written `key:`, others as `? key`. PyYAML
      // counts the (unwritten) `!!str` tag into the 128-character limit.
      if (keyAnalysis.chars.length + STR_TAG_LENGTH < 128 && !keyAnalysis.empty && !keyAnalysis.multiline) {
        this.expectScalar(key, true, keyAnalysis, { mapping: true, simpleKey: true });
        this.writeIndicator(':', false);
      } else {
        this.writeIndicator('?', true, false, true);
        this.expectScalar(key, true, keyAnalysis, { mapping: true });
        this.writeIndent();
        this.writeIndicator(':', true, false, true);
      }
      this.expectNode(mapping[key], { mapping: true });
      this.path.pop();
    }
    this.indent = this.indents.pop()!;
  }

  private expectScalar(text: string, isString: boolean, analysis: ScalarAnalysis | undefined, context: NodeContext): void {
    const implicitPlain = isString ? this.isPlainString(text) : true;
    if (analysis === undefined && isSimpleAscii(text)) {
      // Fast path for the common `api.github.com`, `/usr/bin/git`, `443`: no spaces, breaks or
      // indicators, so PyYAML writes the text as is, plain or in single quotes.
      if (implicitPlain) {
        if (!this.whitespace) this.write(' ', 1);
        this.write(text, text.length);
        this.whitespace = false;
        this.indention = false;
      } else {
        this.writeIndicator(`'${text}'`, true);
      }
      return;
    }
    analysis ??= analyzeScalar(text);
    this.increaseIndent(true, false);
    const style = chooseScalarStyle(analysis, implicitPlain, context);
    const split = context.simpleKey !== true;
    if (style === 'plain') this.writePlain(analysis.chars, split);
    else if (style === 'single') this.writeSingleQuoted(analysis.chars, split);
    else this.writeDoubleQuoted(analysis.chars, split);
    this.indent = this.indents.pop()!;
  }

  private increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent === null) this.indent = flow ? BEST_INDENT : 0;
    else if (!indentless) this.indent += BEST_INDENT;
  }

  private write(data: string, width: number): void {
    this.out.push(data);
    this.column += width;
  }

  private writeIndicator(indicator: string, needWhitespace: boolean, whitespace = false, indention = false): void {
    const data = this.whitespace || !needWhitespace ? indicator : ` ${indicator}`;
    this.whitespace = whitespace;
    this.indention = this.indention && indention;
    this.write(data, data.length);
  }

  private writeIndent(): void {
    const indent = this.indent ?? 0;
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) {
      this.writeLineBreak();
    }
    if (this.column < indent) {
      this.whitespace = true;
      this.write(' '.repeat(indent - this.column), indent - this.column);
    }
  }

  private writeLineBreak(data = '\n'): void {
    this.whitespace = true;
    this.indention = true;
    this.out.push(data);
    this.column = 0;
  }

  private writeChars(chars: readonly string[], start: number, end: number): void {
    this.write(chars.slice(start, end).join(''), end - start);
  }

  private writeBreaks(chars: readonly string[], start: number, end: number): void {
    if (chars[start] === '\n') this.writeLineBreak();
    for (let i = start; i < end; i++) this.writeLineBreak(chars[i]);
  }

  // write_plain
  private writePlain(chars: readonly string[], split: boolean): void {
    if (chars.length === 0) return;
    if (!this.whitespace) this.write(' ', 1);
    this.whitespace = false;
    this.indention = false;
    let spaces = false;
    let breaks = false;
    let start = 0;
    for (let end = 0; end <= chars.length; end++) {
      const ch = end < chars.length ? chars[end]! : null;
      if (spaces) {
        if (ch !== ' ') {
          if (start + 1 === end && this.column > BEST_WIDTH && split) {
            this.writeIndent();
            this.whitespace = false;
            this.indention = false;
          } else {
            this.writeChars(chars, start, end);
          }
          start = end;
        }
      } else if (breaks) {
        if (ch === null || !LINE_BREAKS.has(ch)) {
          this.writeBreaks(chars, start, end);
          this.writeIndent();
          this.whitespace = false;
          this.indention = false;
          start = end;
        }
      } else if (ch === null || ch === ' ' || LINE_BREAKS.has(ch)) {
        this.writeChars(chars, start, end);
        start = end;
      }
      if (ch !== null) {
        spaces = ch === ' ';
        breaks = LINE_BREAKS.has(ch);
      }
    }
  }

  // write_single_quoted
  private writeSingleQuoted(chars: readonly string[], split: boolean): void {
    this.writeIndicator("'", true);
    let spaces = false;
    let breaks = false;
    let start = 0;
    for (let end = 0; end <= chars.length; end++) {
      const ch = end < chars.length ? chars[end]! : null;
      if (spaces) {
        if (ch === null || ch !== ' ') {
          if (start + 1 === end && this.column > BEST_WIDTH && split && start !== 0 && end !== chars.length) {
            this.writeIndent();
          } else {
            this.writeChars(chars, start, end);
          }
          start = end;
        }
      } else if (breaks) {
        if (ch === null || !LINE_BREAKS.has(ch)) {
          this.writeBreaks(chars, start, end);
          this.writeIndent();
          start = end;
        }
      } else if (ch === null || ch === ' ' || LINE_BREAKS.has(ch) || ch === "'") {
        if (start < end) {
          this.writeChars(chars, start, end);
          start = end;
        }
      }
      if (ch === "'") {
        this.write("''", 2);
        start = end + 1;
      }
      if (ch !== null) {
        spaces = ch === ' ';
        breaks = LINE_BREAKS.has(ch);
      }
    }
    this.writeIndicator("'", false);
  }

  // write_double_quoted
  private writeDoubleQuoted(chars: readonly string[], split: boolean): void {
    this.writeIndicator('"', true);
    let start = 0;
    for (let end = 0; end <= chars.length; end++) {
      const ch = end < chars.length ? chars[end]! : null;
      if (ch === null || '"\\\x85\u2028\u2029\uFEFF'.includes(ch) || !isPrintableAscii(ch)) {
        if (start < end) {
          this.writeChars(chars, start, end);
          start = end;
        }
        if (ch !== null) {
          const escaped = `\\${ESCAPES[ch] ?? hexEscape(ch)}`;
          this.write(escaped, escaped.length);
          start = end + 1;
        }
      }
      if (
        end > 0 &&
        end < chars.length - 1 &&
        (ch === ' ' || start >= end) &&
        this.column + (end - start) > BEST_WIDTH &&
        split
      ) {
        const data = `${chars.slice(start, end).join('')}\\`;
        const width = Math.max(end - start, 0) + 1;
        if (start < end) start = end;
        this.write(data, width);
        this.writeIndent();
        this.whitespace = false;
        this.indention = false;
        if (chars[start] === ' ') this.write('\\', 1);
      }
    }
    this.writeIndicator('"', false);
  }
}

const SIMPLE_ASCII = /^[A-Za-z0-9_./][A-Za-z0-9_./*-]*$/;

/** Strings PyYAML's analysis finds free of spaces, breaks, special characters and indicators. */
function isSimpleAscii(text: string): boolean {
  return SIMPLE_ASCII.test(text) && !text.startsWith('...');
}

function isPrintableAscii(ch: string): boolean {
  const code = ch.codePointAt(0)!;
  return code >= 0x20 && code <= 0x7e;
}

function hexEscape(ch: string): string {
  const code = ch.codePointAt(0)!;
  if (code <= 0xff) return `x${code.toString(16).toUpperCase().padStart(2, '0')}`;
  if (code <= 0xffff) return `u${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `U${code.toString(16).toUpperCase().padStart(8, '0')}`;
}

// Emitter.choose_scalar_style for block context and representer-default styles.
function chooseScalarStyle(analysis: ScalarAnalysis, implicitPlain: boolean, context: NodeContext): ScalarStyle {
  const simpleKey = context.simpleKey === true;
  if (implicitPlain && !(simpleKey && (analysis.empty || analysis.multiline)) && analysis.allowBlockPlain) {
    return 'plain';
  }
  if (analysis.allowSingleQuoted && !(simpleKey && analysis.multiline)) return 'single';
  return 'double';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** SafeRepresenter's text for a scalar, and whether it is a string (strings may need quotes). */
function scalarText(value: unknown, path: readonly PathSegment[]): [string, boolean] {
  if (typeof value === 'string') return [value, true];
  if (typeof value === 'boolean') return [value ? 'true' : 'false', false];
  if (value === null) return ['null', false];
  if (typeof value === 'bigint') return [value.toString(), false];
  if (typeof value === 'number') return [representNumber(value), false];
  throw new CanonicalFormError(`cannot write a ${describe(value)} as YAML`, formatPath(path));
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined value';
  if (typeof value === 'object' && value !== null) return (value.constructor as { name?: string } | undefined)?.name ?? 'object';
  return typeof value;
}

/**
 * Integers as Python's `str(int)`; other numbers as `represent_float` (Python `repr`, then
 * `.0` inserted before an exponent that has no dot). JavaScript cannot tell `2.0` from `2`, so
 * an integral float is written as an int; ShoreGuard's policy fields never hold floats.
 */
function representNumber(value: number): string {
  if (Number.isNaN(value)) return '.nan';
  if (value === Infinity) return '.inf';
  if (value === -Infinity) return '-.inf';
  if (Number.isInteger(value)) return Math.abs(value) < 1e21 ? String(value) : BigInt(value).toString();
  const repr = pythonFloatRepr(value);
  return !repr.includes('.') && repr.includes('e') ? repr.replace('e', '.0e') : repr;
}

function pythonFloatRepr(value: number): string {
  // Both languages print the shortest round-tripping digits; they differ only in when they
  // switch to exponent notation (Python: exponent < -4 or >= 16) and how they write it.
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  let text: string;
  if (exponent < 0) text = `0.${'0'.repeat(-exponent - 1)}${digits}`;
  else if (digits.length > exponent + 1) text = `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
  else text = `${digits}${'0'.repeat(exponent + 1 - digits.length)}.0`;
  return negative ? `-${text}` : text;
}

/** `yaml.safe_dump(value, sort_keys=True, default_flow_style=False)` (see the module comment). */
export function safeDumpBlock(value: unknown, options: DumpOptions = {}): string {
  const isPlainString = options.quoteYaml12Ambiguous === false ? (text: string) => resolvePlain11(text) === 'str' : plainReadsAsString;
  return new BlockEmitter(isPlainString).emitDocument(value);
}
