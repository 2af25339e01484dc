/**
 * A port of the parts of PyYAML's emitter that `yaml.safe_dump(data, sort_keys=True,
 * default_flow_style=False)` exercises, so exports match ShoreGuard byte for byte (§10.3): block
 * style, `{}`/`[]` for empty collections, sequences not indented under their key, width-80
 * folding, single quotes for strings a YAML 1.1 resolver would read as another type, double
 * quotes with escapes for non-printable and non-ASCII text (`allow_unicode=False`).
 */
import { compareCodePoints, isPyDict, type PyValue } from '../core/python';

const BREAKS = '\n\x85\u2028\u2029';
const SPACE_OR_BREAK = `\0 \t\r${BREAKS}`;

/** PyYAML `Resolver` implicit resolvers for plain scalars (YAML 1.1), keyed by first character. */
const IMPLICIT_RESOLVERS: Array<{ tag: string; first: string; pattern: RegExp }> = [
  {
    tag: 'bool',
    first: 'yYnNtTfFoO',
    pattern: /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  },
  {
    tag: 'float',
    first: '-+0123456789.',
    pattern:
      /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  },
  {
    tag: 'int',
    first: '-+0123456789',
    pattern: /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  },
  { tag: 'merge', first: '<', pattern: /^(?:<<)$/ },
  { tag: 'null', first: '~nN', pattern: /^(?:~|null|Null|NULL|)$/ },
  {
    tag: 'timestamp',
    first: '0123456789',
    pattern:
      /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
  },
  { tag: 'value', first: '=', pattern: /^(?:=)$/ },
];

/**
 * The tag a YAML 1.1 loader gives a plain scalar, or 'str'. Python's `re.match(...$)` also matches
 * before one trailing newline, which the `(?:\n)?$` check reproduces.
 */
export function resolvePlainScalarTag(value: string): string {
  const first = value.length === 0 ? '' : value[0]!;
  for (const resolver of IMPLICIT_RESOLVERS) {
    const applies = value.length === 0 ? resolver.tag === 'null' : resolver.first.includes(first);
    if (!applies) continue;
    const candidate = value.endsWith('\n') ? value.slice(0, -1) : value;
    if (resolver.pattern.test(value) || resolver.pattern.test(candidate)) return resolver.tag;
  }
  return 'str';
}

interface ScalarAnalysis {
  scalar: string[];
  empty: boolean;
  multiline: boolean;
  allowBlockPlain: boolean;
  allowSingleQuoted: boolean;
}

/** Printable ASCII or a newline; everything else needs escapes because allow_unicode=False. */
function isPrintableAscii(ch: string): boolean {
  const code = ch.codePointAt(0) ?? 0;
  return ch === '\n' || (code >= 0x20 && code <= 0x7e);
}

/** `Emitter.analyze_scalar` reduced to the flags block-context emission needs. */
function analyzeScalar(text: string): ScalarAnalysis {
  const chars = Array.from(text);
  if (chars.length === 0) {
    return { scalar: chars, empty: true, multiline: false, allowBlockPlain: true, allowSingleQuoted: true };
  }
  let blockIndicators = text.startsWith('---') || text.startsWith('...');
  let lineBreaks = false;
  let specialCharacters = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let precededByWhitespace = true;
  let followedByWhitespace = chars.length === 1 || SPACE_OR_BREAK.includes(chars[1]!);
  let previousSpace = false;
  let previousBreak = false;
  for (let index = 0; index < chars.length; index += 1) {
    const ch = chars[index]!;
    if (index === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) blockIndicators = true;
      if ('?:'.includes(ch) && followedByWhitespace) blockIndicators = true;
      if (ch === '-' && followedByWhitespace) blockIndicators = true;
    } else {
      if (ch === ':' && followedByWhitespace) blockIndicators = true;
      if (ch === '#' && precededByWhitespace) blockIndicators = true;
    }
    if (BREAKS.includes(ch)) lineBreaks = true;
    if (!isPrintableAscii(ch)) specialCharacters = true;
    if (ch === ' ') {
      if (index === 0) leadingSpace = true;
      if (index === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (BREAKS.includes(ch)) {
      if (index === 0) leadingBreak = true;
      if (index === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = SPACE_OR_BREAK.includes(ch);
    followedByWhitespace = index + 2 >= chars.length || SPACE_OR_BREAK.includes(chars[index + 2]!);
  }
  let allowBlockPlain = true;
  let allowSingleQuoted = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) allowBlockPlain = false;
  if (breakSpace) allowBlockPlain = allowSingleQuoted = false;
  if (spaceBreak || specialCharacters) allowBlockPlain = allowSingleQuoted = false;
  if (lineBreaks) allowBlockPlain = false;
  if (blockIndicators) allowBlockPlain = false;
  return { scalar: chars, empty: false, multiline: lineBreaks, allowBlockPlain, allowSingleQuoted };
}

const ESCAPE_REPLACEMENTS: Record<string, string> = {
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

interface ScalarNode {
  value: string;
  /** True when a plain scalar would resolve back to this node's type (PyYAML's implicit[0]). */
  plainImplicit: boolean;
}

/** PyYAML's expect_node flags; root/sequence contexts do not change block-style output. */
interface NodeContext {
  root?: boolean;
  sequence?: boolean;
  mapping?: boolean;
  simpleKey?: boolean;
}

/** Python's representer: the scalar text and whether it may be written plain. */
function representScalar(value: PyValue): ScalarNode {
  if (value === null) return { value: 'null', plainImplicit: true };
  if (typeof value === 'boolean') return { value: value ? 'true' : 'false', plainImplicit: true };
  if (typeof value === 'number') return { value: representNumber(value), plainImplicit: true };
  const text = String(value);
  return { value: text, plainImplicit: resolvePlainScalarTag(text) === 'str' };
}

function representNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return String(value);
  if (Number.isNaN(value)) return '.nan';
  if (!Number.isFinite(value)) return value > 0 ? '.inf' : '-.inf';
  const text = String(value).toLowerCase();
  return !text.includes('.') && text.includes('e') ? text.replace('e', '.0e') : text;
}

class PyYamlEmitter {
  private output = '';
  private column = 0;
  private whitespace = true;
  private indention = true;
  private indent: number | null = null;
  private readonly indents: Array<number | null> = [];
  private flowLevel = 0;
  private mappingContext = false;
  private simpleKeyContext = false;
  private readonly bestIndent = 2;
  private readonly bestWidth = 80;

  emitDocument(root: PyValue): string {
    this.expectNode(root, { root: true });
    this.writeIndent();
    return this.output;
  }

  private expectNode(node: PyValue, context: NodeContext): void {
    this.mappingContext = context.mapping ?? false;
    this.simpleKeyContext = context.simpleKey ?? false;
    if (Array.isArray(node)) {
      if (this.flowLevel > 0 || node.length === 0) this.emitEmptyFlow('[', ']');
      else this.emitBlockSequence(node);
    } else if (isPyDict(node)) {
      if (this.flowLevel > 0 || Object.keys(node).length === 0) this.emitEmptyFlow('{', '}');
      else this.emitBlockMapping(node);
    } else {
      this.increaseIndent(true, false);
      this.processScalar(representScalar(node));
      this.indent = this.indents.pop() ?? null;
    }
  }

  /** Only empty collections are written in flow style under default_flow_style=False. */
  private emitEmptyFlow(open: string, close: string): void {
    this.writeIndicator(open, true, true);
    this.flowLevel += 1;
    this.increaseIndent(true, false);
    this.indent = this.indents.pop() ?? null;
    this.flowLevel -= 1;
    this.writeIndicator(close, false);
  }

  private emitBlockSequence(items: PyValue[]): void {
    const indentless = this.mappingContext && !this.indention;
    this.increaseIndent(false, indentless);
    for (const item of items) {
      this.writeIndent();
      this.writeIndicator('-', true, false, true);
      this.expectNode(item, { sequence: true });
    }
    this.indent = this.indents.pop() ?? null;
  }

  private emitBlockMapping(mapping: { [key: string]: PyValue }): void {
    this.increaseIndent(false, false);
    const keys = Object.keys(mapping).sort(compareCodePoints);
    for (const key of keys) {
      this.writeIndent();
      const analysis = analyzeScalar(key);
      const simpleKey = analysis.scalar.length < 128 && !analysis.empty && !analysis.multiline;
      if (simpleKey) {
        this.expectNode(key, { mapping: true, simpleKey: true });
        this.writeIndicator(':', false);
      } else {
        this.writeIndicator('?', true, false, true);
        this.expectNode(key, { mapping: true });
        this.writeIndent();
        this.writeIndicator(':', true, false, true);
      }
      this.expectNode(mapping[key] as PyValue, { mapping: true });
    }
    this.indent = this.indents.pop() ?? null;
  }

  private increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent === null) this.indent = flow ? this.bestIndent : 0;
    else if (!indentless) this.indent += this.bestIndent;
  }

  private processScalar(node: ScalarNode): void {
    const analysis = analyzeScalar(node.value);
    const split = !this.simpleKeyContext;
    const style = this.chooseScalarStyle(node, analysis);
    if (style === '"') this.writeDoubleQuoted(analysis.scalar, split);
    else if (style === "'") this.writeSingleQuoted(analysis.scalar, split);
    else this.writePlain(analysis.scalar, split);
  }

  private chooseScalarStyle(node: ScalarNode, analysis: ScalarAnalysis): '' | "'" | '"' {
    if (
      node.plainImplicit &&
      !(this.simpleKeyContext && (analysis.empty || analysis.multiline)) &&
      this.flowLevel === 0 &&
      analysis.allowBlockPlain
    ) {
      return '';
    }
    if (analysis.allowSingleQuoted && !(this.simpleKeyContext && analysis.multiline)) return "'";
    return '"';
  }

  private write(data: string): void {
    this.output += data;
    this.column += Array.from(data).length;
  }

  private writeIndicator(indicator: string, needWhitespace: boolean, whitespace = false, indention = false): void {
    const data = this.whitespace || !needWhitespace ? indicator : ` ${indicator}`;
    this.whitespace = whitespace;
    this.indention = this.indention && indention;
    this.write(data);
  }

  private writeIndent(): void {
    const indent = this.indent ?? 0;
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) {
      this.writeLineBreak();
    }
    if (this.column < indent) {
      this.whitespace = true;
      this.write(' '.repeat(indent - this.column));
    }
  }

  private writeLineBreak(data = '\n'): void {
    this.whitespace = true;
    this.indention = true;
    this.output += data;
    this.column = 0;
  }

  private writeBreaks(text: string[], start: number, end: number): void {
    if (text[start] === '\n') this.writeLineBreak();
    for (const br of text.slice(start, end)) this.writeLineBreak(br === '\n' ? '\n' : br);
    this.writeIndent();
  }

  private writePlain(text: string[], split: boolean): void {
    if (text.length === 0) return;
    if (!this.whitespace) this.write(' ');
    this.whitespace = false;
    this.indention = false;
    let spaces = false;
    let breaks = false;
    let start = 0;
    for (let end = 0; end <= text.length; end += 1) {
      const ch = end < text.length ? text[end]! : null;
      if (spaces) {
        if (ch !== ' ') {
          if (start + 1 === end && this.column > this.bestWidth && split) {
            this.writeIndent();
            this.whitespace = false;
            this.indention = false;
          } else {
            this.write(text.slice(start, end).join(''));
          }
          start = end;
        }
      } else if (breaks) {
        if (ch === null || !BREAKS.includes(ch)) {
          this.writeBreaks(text, start, end);
          this.whitespace = false;
          this.indention = false;
          start = end;
        }
      } else if (ch === null || ` ${BREAKS}`.includes(ch)) {
        this.write(text.slice(start, end).join(''));
        start = end;
      }
      if (ch !== null) {
        spaces = ch === ' ';
        breaks = BREAKS.includes(ch);
      }
    }
  }

  private writeSingleQuoted(text: string[], split: boolean): void {
    this.writeIndicator("'", true);
    let spaces = false;
    let breaks = false;
    let start = 0;
    for (let end = 0; end <= text.length; end += 1) {
      const ch = end < text.length ? text[end]! : null;
      if (spaces) {
        if (ch === null || ch !== ' ') {
          if (start + 1 === end && this.column > this.bestWidth && split && start !== 0 && end !== text.length) {
            this.writeIndent();
          } else {
            this.write(text.slice(start, end).join(''));
          }
          start = end;
        }
      } else if (breaks) {
        if (ch === null || !BREAKS.includes(ch)) {
          this.writeBreaks(text, start, end);
          start = end;
        }
      } else if (ch === null || ` ${BREAKS}`.includes(ch) || ch === "'") {
        if (start < end) {
          this.write(text.slice(start, end).join(''));
          start = end;
        }
      }
      if (ch === "'") {
        this.write("''");
        start = end + 1;
      }
      if (ch !== null) {
        spaces = ch === ' ';
        breaks = BREAKS.includes(ch);
      }
    }
    this.writeIndicator("'", false);
  }

  private writeDoubleQuoted(text: string[], split: boolean): void {
    this.writeIndicator('"', true);
    let start = 0;
    for (let end = 0; end <= text.length; end += 1) {
      const ch = end < text.length ? text[end]! : null;
      const code = ch === null ? 0 : (ch.codePointAt(0) ?? 0);
      if (ch === null || '"\\\x85\u2028\u2029\uFEFF'.includes(ch) || !(code >= 0x20 && code <= 0x7e)) {
        if (start < end) {
          this.write(text.slice(start, end).join(''));
          start = end;
        }
        if (ch !== null) {
          const replacement = ESCAPE_REPLACEMENTS[ch];
          let data: string;
          if (replacement !== undefined) data = `\\${replacement}`;
          else if (code <= 0xff) data = `\\x${code.toString(16).toUpperCase().padStart(2, '0')}`;
          else if (code <= 0xffff) data = `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
          else data = `\\U${code.toString(16).toUpperCase().padStart(8, '0')}`;
          this.write(data);
          start = end + 1;
        }
      }
      if (0 < end && end < text.length - 1 && (ch === ' ' || start >= end) && this.column + (end - start) > this.bestWidth && split) {
        const data = `${text.slice(start, end).join('')}\\`;
        if (start < end) start = end;
        this.write(data);
        this.writeIndent();
        this.whitespace = false;
        this.indention = false;
        if (text[start] === ' ') this.write('\\');
      }
    }
    this.writeIndicator('"', false);
  }
}

/** `yaml.safe_dump(data, sort_keys=True, default_flow_style=False)` with PyYAML's other defaults. */
export function pyYamlSafeDump(data: PyValue): string {
  return new PyYamlEmitter().emitDocument(data);
}
