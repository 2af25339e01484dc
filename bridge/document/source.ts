/**
 * YAML text → plain JS value, read the way ShoreGuard's PyYAML `safe_load` reads it, plus an
 * index from document paths back to line/column.
 *
 * js-yaml's `parseEvents` does the YAML syntax (fast: a 5 MB policy parses in well under a
 * second); this module composes the events itself so it can (1) resolve plain scalars with
 * PyYAML's YAML 1.1 rules (yaml11.ts), (2) report duplicate keys, non-string keys, unsupported
 * tags and alias bombs as problems with positions instead of exceptions, and (3) keep the event
 * list so any path can be located later without building a node object per scalar.
 */
import {
  EVENT_ALIAS,
  EVENT_DOCUMENT,
  EVENT_MAPPING,
  EVENT_POP,
  EVENT_SCALAR,
  EVENT_SEQUENCE,
  SCALAR_STYLE_DOUBLE_QUOTED,
  SCALAR_STYLE_PLAIN,
  SCALAR_STYLE_SINGLE_QUOTED,
  YAMLException,
  getScalarValue,
  parseEvents,
  type Event,
  type ScalarEvent,
} from 'js-yaml';
import { formatPath, type PathSegment, type Problem, type ProblemCode } from '../core/problems';
import { constructBool11, constructFloat11, constructInt11, resolvePlain11 } from './yaml11';

export interface SourcePosition {
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
}

/** A scalar's text as written in the file, before YAML 1.1 typing. */
export interface RawScalar {
  readonly text: string;
  readonly plain: boolean;
}

/** Upper bound on nodes after alias expansion ("billion laughs" protection). */
const MAX_EXPANDED_NODES = 5_000_000;

/** Paths where a YAML 1.1 timestamp is tolerated: ShoreGuard ignores the field and the bridge drops it. */
const TIMESTAMP_TOLERATED = 'metadata.exported_at';

const YAML_TAG_PREFIX = 'tag:yaml.org,2002:';

/**
 * Locates document paths in the source. Lookups are lazy: a mapping's key table is built the
 * first time a path goes through it, so a file with no problems pays nothing.
 */
export class SourceIndex {
  // ES private fields: a logged or JSON-serialized result must not dump the whole source.
  readonly #text: string;
  readonly #events: readonly Event[];
  readonly #endIndex: Int32Array;
  readonly #rootEvent: number;
  #lineStarts: number[] | undefined;
  readonly #mappingKeys = new Map<number, Map<string, { key: number; value: number }>>();
  readonly #sequenceItems = new Map<number, number[]>();

  constructor(text: string, events: readonly Event[], endIndex: Int32Array, rootEvent: number) {
    this.#text = text;
    this.#events = events;
    this.#endIndex = endIndex;
    this.#rootEvent = rootEvent;
  }

  /**
   * Position of the value at `path` (or of its key, with `target: 'key'`). When the path does
   * not exist (a missing key), returns the position of the deepest node that does.
   */
  locate(path: readonly PathSegment[], target: 'value' | 'key' = 'value'): SourcePosition | undefined {
    const offset = this.offsetOf(path, target);
    return offset < 0 ? undefined : this.positionAt(offset);
  }

  /** The scalar at `path` as written (quoted or plain), e.g. to read a hash as a string. */
  rawScalar(path: readonly PathSegment[]): RawScalar | undefined {
    const found = this.walk(path);
    if (found === undefined || !found.complete) return undefined;
    const event = this.#events[found.node];
    if (event?.type !== EVENT_SCALAR) return undefined;
    const text = event.valueStart < 0 ? '' : getScalarValue(this.#text, event);
    return { text, plain: event.style === SCALAR_STYLE_PLAIN && event.tagStart < 0 };
  }

  positionAt(offset: number): SourcePosition {
    const starts = (this.#lineStarts ??= computeLineStarts(this.#text));
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - starts[low]! + 1 };
  }

  private offsetOf(path: readonly PathSegment[], target: 'value' | 'key'): number {
    const found = this.walk(path);
    if (found === undefined) return -1;
    if (found.complete && target === 'key' && found.keyOffset >= 0) return found.keyOffset;
    const own = eventOffset(this.#events[found.node]!);
    return own >= 0 ? own : found.keyOffset;
  }

  private walk(path: readonly PathSegment[]): { node: number; keyOffset: number; complete: boolean } | undefined {
    if (this.#rootEvent < 0) return undefined;
    let node = this.#rootEvent;
    let keyOffset = -1;
    for (const segment of path) {
      const event = this.#events[node]!;
      let next: number | undefined;
      if (event.type === EVENT_MAPPING && typeof segment === 'string') {
        const entry = this.keysOf(node).get(segment);
        if (entry !== undefined) {
          keyOffset = eventOffset(this.#events[entry.key]!);
          next = entry.value;
        }
      } else if (event.type === EVENT_SEQUENCE && typeof segment === 'number') {
        next = this.itemsOf(node)[segment];
        if (next !== undefined) keyOffset = -1;
      }
      if (next === undefined) return { node, keyOffset, complete: false };
      node = next;
    }
    return { node, keyOffset, complete: true };
  }

  private children(node: number): number[] {
    const result: number[] = [];
    const end = this.#endIndex[node]!;
    for (let i = node + 1; i < end; i = this.nextSibling(i)) result.push(i);
    return result;
  }

  private nextSibling(i: number): number {
    const type = this.#events[i]!.type;
    return type === EVENT_MAPPING || type === EVENT_SEQUENCE ? this.#endIndex[i]! + 1 : i + 1;
  }

  private keysOf(node: number): Map<string, { key: number; value: number }> {
    let keys = this.#mappingKeys.get(node);
    if (keys === undefined) {
      keys = new Map();
      const children = this.children(node);
      for (let i = 0; i + 1 < children.length; i += 2) {
        const keyEvent = this.#events[children[i]!]!;
        if (keyEvent.type !== EVENT_SCALAR) continue;
        const text = keyEvent.valueStart < 0 ? '' : getScalarValue(this.#text, keyEvent);
        if (!keys.has(text)) keys.set(text, { key: children[i]!, value: children[i + 1]! });
      }
      this.#mappingKeys.set(node, keys);
    }
    return keys;
  }

  private itemsOf(node: number): number[] {
    let items = this.#sequenceItems.get(node);
    if (items === undefined) {
      items = this.children(node);
      this.#sequenceItems.set(node, items);
    }
    return items;
  }
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** Source offset where a node starts (the opening quote for quoted scalars), -1 if empty. */
function eventOffset(event: Event): number {
  switch (event.type) {
    case EVENT_MAPPING:
    case EVENT_SEQUENCE:
      return firstNonNegative(event.anchorStart >= 0 ? event.anchorStart - 1 : -1, event.tagStart, event.start);
    case EVENT_SCALAR: {
      const quoted = event.style === SCALAR_STYLE_SINGLE_QUOTED || event.style === SCALAR_STYLE_DOUBLE_QUOTED;
      const value = event.valueStart >= 0 && quoted ? event.valueStart - 1 : event.valueStart;
      return firstNonNegative(event.anchorStart >= 0 ? event.anchorStart - 1 : -1, event.tagStart, value);
    }
    case EVENT_ALIAS:
      return event.anchorStart - 1;
    default:
      return -1;
  }
}

function firstNonNegative(...offsets: number[]): number {
  const valid = offsets.filter((o) => o >= 0);
  return valid.length === 0 ? -1 : Math.min(...valid);
}

export interface ComposeResult {
  /** The document's value; undefined when there is no document or composition had to stop. */
  readonly value: unknown;
  readonly problems: Problem[];
  /** Paths of scalars PyYAML reads as floats (JS numbers cannot tell `443.0` from `443`). */
  readonly floatPaths: PathSegment[][];
  readonly source: SourceIndex;
}

interface MappingFrame {
  readonly kind: 'mapping';
  readonly event: number;
  readonly value: Record<string, unknown>;
  /** The key whose value is being composed; undefined while a key is expected. */
  key: string | undefined;
  /** Set when the pending pair is dropped (duplicate or invalid key). */
  skipValue: boolean;
  size: number;
}

interface SequenceFrame {
  readonly kind: 'sequence';
  readonly event: number;
  readonly value: unknown[];
  size: number;
}

type Frame = MappingFrame | SequenceFrame;

class StopComposition extends Error {}

/** Composes the single YAML document in `text` (see the module comment). */
export function composeYaml(text: string, file?: string): ComposeResult {
  return new Composer(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, file).compose();
}

class Composer {
  private events: Event[] = [];
  private endIndex = new Int32Array(0);
  private rootEvent = -1;
  private readonly problems: Problem[] = [];
  /** Source offset of each problem, turned into line/column once the line table exists. */
  private readonly pendingOffsets: number[] = [];
  private readonly floatPaths: PathSegment[][] = [];
  private readonly stack: Frame[] = [];
  private readonly anchors = new Map<string, { value: unknown; size: number }>();
  private expandedNodes = 0;
  private root: unknown = undefined;
  private source: SourceIndex;

  constructor(
    private readonly text: string,
    private readonly file: string | undefined,
  ) {
    this.source = new SourceIndex(text, [], this.endIndex, -1);
  }

  compose(): ComposeResult {
    try {
      this.events = parseEvents(this.text, parserOptions(this.file));
    } catch (error) {
      if (!(error instanceof YAMLException)) throw error;
      this.report('yaml_syntax', `malformed YAML: ${error.reason}`, error.mark?.position ?? -1, []);
      this.resolveProblemPositions();
      return this.result(undefined);
    }
    this.endIndex = new Int32Array(this.events.length);
    try {
      this.composeEvents();
    } catch (error) {
      if (!(error instanceof StopComposition)) throw error;
      this.root = undefined;
    }
    this.source = new SourceIndex(this.text, this.events, this.endIndex, this.rootEvent);
    this.resolveProblemPositions();
    return this.result(this.root);
  }

  private result(value: unknown): ComposeResult {
    return { value, problems: this.problems, floatPaths: this.floatPaths, source: this.source };
  }

  private composeEvents(): void {
    const openEvents: number[] = [];
    let documents = 0;
    for (let i = 0; i < this.events.length; i++) {
      const event = this.events[i]!;
      switch (event.type) {
        case EVENT_DOCUMENT:
          documents++;
          if (documents > 1) {
            this.report('multiple_documents', 'expected a single document in the stream, found another one', -1, []);
            return;
          }
          if (event.directives.some((d) => d.kind === 'tag')) {
            this.report('unsupported_tag', '%TAG directives are not supported in policy documents', 0, []);
          }
          openEvents.push(i);
          break;
        case EVENT_MAPPING:
        case EVENT_SEQUENCE:
          if (this.stack.length === 0) this.rootEvent = i;
          this.stack.push(
            event.type === EVENT_MAPPING
              ? { kind: 'mapping', event: i, value: {}, key: undefined, skipValue: false, size: 1 }
              : { kind: 'sequence', event: i, value: [], size: 1 },
          );
          openEvents.push(i);
          break;
        case EVENT_SCALAR: {
          if (this.stack.length === 0) this.rootEvent = i;
          const value = this.scalarValue(event, i);
          this.registerAnchor(event.anchorStart, event.anchorEnd, value, 1);
          this.deliver(value, i, 1);
          break;
        }
        case EVENT_ALIAS: {
          if (this.stack.length === 0) this.rootEvent = i;
          const name = this.text.slice(event.anchorStart, event.anchorEnd);
          const anchor = this.anchors.get(name);
          if (anchor === undefined) {
            this.report('undefined_alias', `found undefined alias *${name}`, event.anchorStart - 1, this.currentPath());
            this.deliver(null, i, 1);
            break;
          }
          this.expandedNodes += anchor.size;
          if (this.expandedNodes > MAX_EXPANDED_NODES) {
            this.report(
              'alias_expansion_too_large',
              `aliases expand the document beyond ${MAX_EXPANDED_NODES} nodes`,
              event.anchorStart - 1,
              this.currentPath(),
            );
            throw new StopComposition();
          }
          this.deliver(anchor.value, i, anchor.size);
          break;
        }
        case EVENT_POP: {
          const opened = openEvents.pop()!;
          this.endIndex[opened] = i;
          const openedEvent = this.events[opened]!;
          if (openedEvent.type === EVENT_DOCUMENT) break;
          const frame = this.stack.pop()!;
          if (openedEvent.type === EVENT_MAPPING || openedEvent.type === EVENT_SEQUENCE) {
            this.registerAnchor(openedEvent.anchorStart, openedEvent.anchorEnd, frame.value, frame.size);
            this.checkCollectionTag(openedEvent.tagStart, openedEvent.tagEnd, frame.kind, opened);
          }
          this.deliver(frame.value, frame.event, frame.size);
          break;
        }
      }
    }
  }

  private registerAnchor(start: number, end: number, value: unknown, size: number): void {
    if (start >= 0) this.anchors.set(this.text.slice(start, end), { value, size });
  }

  /** Hands a finished node to its parent: a sequence item, a mapping key, or a mapping value. */
  private deliver(value: unknown, eventIndex: number, size: number): void {
    this.expandedNodes++;
    const parent = this.stack[this.stack.length - 1];
    if (parent === undefined) {
      this.root = value;
      return;
    }
    parent.size += size;
    if (parent.kind === 'sequence') {
      parent.value.push(value);
      return;
    }
    if (parent.key === undefined) {
      parent.key = this.acceptKey(parent, value, eventIndex);
      return;
    }
    if (!parent.skipValue) parent.value[parent.key] = value;
    parent.key = undefined;
    parent.skipValue = false;
  }

  private acceptKey(parent: MappingFrame, value: unknown, eventIndex: number): string {
    const event = this.events[eventIndex]!;
    const offset = eventOffset(event);
    let key: string;
    if (typeof value === 'string') {
      key = value;
    } else if (event.type === EVENT_SCALAR) {
      key = event.valueStart < 0 ? '' : getScalarValue(this.text, event);
      this.report(
        'non_string_key',
        `key ${JSON.stringify(key)} is read as ${describeValue(value)} by ShoreGuard's YAML 1.1 parser; quote it`,
        offset,
        this.currentPath(),
      );
      parent.skipValue = true;
    } else {
      key = `<complex key at event ${eventIndex}>`;
      this.report('non_string_key', 'complex (collection) keys are not supported', offset, this.currentPath());
      parent.skipValue = true;
    }
    const path = [...this.currentPath(), key];
    if (key === '__proto__') {
      this.report('reserved_key', 'the key "__proto__" is reserved', offset, path);
      parent.skipValue = true;
    } else if (!parent.skipValue && Object.hasOwn(parent.value, key)) {
      this.report('duplicate_key', `duplicate key ${JSON.stringify(key)}; ShoreGuard would silently keep only the last one`, offset, path);
      parent.skipValue = true;
    }
    return key;
  }

  private scalarValue(event: ScalarEvent, eventIndex: number): unknown {
    const text = event.valueStart < 0 ? '' : getScalarValue(this.text, event);
    const isKey = this.isKeyPosition();
    if (event.tagStart >= 0) return this.taggedValue(this.text.slice(event.tagStart, event.tagEnd), text, eventIndex);
    if (event.style !== SCALAR_STYLE_PLAIN) return text;
    const kind = resolvePlain11(text);
    switch (kind) {
      case 'str':
        return text;
      case 'null':
        return null;
      case 'bool':
        return constructBool11(text);
      case 'int':
        return constructInt11(text);
      case 'float':
        if (!isKey) this.floatPaths.push(this.currentPath());
        return constructFloat11(text);
      case 'timestamp':
        if (!isKey && formatPath(this.currentPath()) !== TIMESTAMP_TOLERATED) {
          this.report(
            'timestamp_value',
            `${JSON.stringify(text)} is read as a date by ShoreGuard's YAML 1.1 parser; quote it`,
            eventOffset(event),
            this.currentPath(),
          );
        }
        return text;
      case 'merge':
        // Reported by acceptKey for keys; as a value PyYAML cannot construct it.
        if (isKey) {
          this.report('merge_key', 'merge keys (<<) are not supported in policy documents; write the keys out', eventOffset(event), this.currentPath());
          return text;
        }
        return this.invalidPlain(text, event);
      default:
        return this.invalidPlain(text, event);
    }
  }

  private invalidPlain(text: string, event: ScalarEvent): string {
    this.report(
      'invalid_plain_scalar',
      `ShoreGuard's YAML parser cannot read the plain value ${JSON.stringify(text)}; quote it`,
      eventOffset(event),
      this.currentPath(),
    );
    return text;
  }

  private taggedValue(tag: string, text: string, eventIndex: number): unknown {
    const name = scalarTagName(tag);
    const offset = eventOffset(this.events[eventIndex]!);
    if (name === 'str') return text;
    const kind = resolvePlain11(text);
    const accepts: Record<string, () => unknown> = {
      int: () => (kind === 'int' ? constructInt11(text) : undefined),
      float: () => (kind === 'float' || kind === 'int' ? constructFloat11(text) : undefined),
      bool: () => (kind === 'bool' ? constructBool11(text) : undefined),
      null: () => (kind === 'null' ? null : undefined),
    };
    const construct = name === undefined ? undefined : accepts[name];
    if (construct === undefined) {
      this.report('unsupported_tag', `unsupported tag ${tag}; only !!str, !!int, !!float, !!bool and !!null are allowed`, offset, this.currentPath());
      return text;
    }
    const value = construct();
    if (value === undefined) {
      this.report('invalid_tagged_value', `${JSON.stringify(text)} is not a valid ${tag} value`, offset, this.currentPath());
      return text;
    }
    if (name === 'float' && !this.isKeyPosition()) this.floatPaths.push(this.currentPath());
    return value;
  }

  private checkCollectionTag(tagStart: number, tagEnd: number, kind: Frame['kind'], eventIndex: number): void {
    if (tagStart < 0) return;
    const tag = this.text.slice(tagStart, tagEnd);
    const expected = kind === 'mapping' ? 'map' : 'seq';
    if (tag === '!' || scalarTagName(tag) === expected) return;
    this.report('unsupported_tag', `unsupported tag ${tag} on a ${kind}`, eventOffset(this.events[eventIndex]!), this.currentPath());
  }

  private isKeyPosition(): boolean {
    const parent = this.stack[this.stack.length - 1];
    return parent?.kind === 'mapping' && parent.key === undefined;
  }

  /** Path of the node being composed, from the open frames. */
  private currentPath(): PathSegment[] {
    const path: PathSegment[] = [];
    for (const frame of this.stack) {
      if (frame.kind === 'sequence') path.push(frame.value.length);
      else if (frame.key !== undefined) path.push(frame.key);
    }
    return path;
  }

  private report(code: ProblemCode, message: string, offset: number, path: readonly PathSegment[]): void {
    this.problems.push({ file: this.file, path: formatPath(path), code, message, severity: 'error' });
    this.pendingOffsets.push(offset);
  }

  private resolveProblemPositions(): void {
    this.problems.forEach((problem, index) => {
      const offset = this.pendingOffsets[index]!;
      if (offset < 0) return;
      const { line, column } = this.source.positionAt(offset);
      this.problems[index] = { ...problem, line, column };
    });
  }
}

function parserOptions(name: string | undefined): { filename?: string } {
  return name === undefined ? {} : { filename: name };
}

/** `!!int` → 'int', `!<tag:yaml.org,2002:int>` → 'int', `!` → 'str' (non-specific), others undefined. */
function scalarTagName(tag: string): string | undefined {
  if (tag === '!') return 'str';
  if (tag.startsWith('!!')) return tag.slice(2);
  if (tag.startsWith(`!<${YAML_TAG_PREFIX}`) && tag.endsWith('>')) return tag.slice(YAML_TAG_PREFIX.length + 2, -1);
  return undefined;
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}
