/**
 * Terraform's value model (cty) as far as this provider needs it: the types schema.json uses, and
 * the msgpack wire format of tfplugin6 `DynamicValue`s, including unknown values.
 *
 * Wire rules (Terraform `docs/plugin-protocol/object-wire-format.md`):
 * - an object is a msgpack map holding every attribute of its type (null when unset);
 * - an unknown value is msgpack extension type 0; a *refined* unknown (Terraform ≥1.6 / cty ≥1.13,
 *   e.g. "unknown but not null") is extension type 12 and decodes to a plain unknown here;
 * - numbers are ints or float64, or a decimal string when neither fits.
 */
import { decode, encode, ExtensionCodec } from '@msgpack/msgpack';

/** A cty type, parsed from its JSON form (`"string"`, `["map","string"]`, `["object",{…}]`). */
export type CtyType =
  | { readonly kind: 'string' }
  | { readonly kind: 'number' }
  | { readonly kind: 'bool' }
  | { readonly kind: 'list' | 'set' | 'map'; readonly element: CtyType }
  | { readonly kind: 'object'; readonly attributes: Readonly<Record<string, CtyType>> };

/** The one unknown value ("known after apply"). Compare with `=== UNKNOWN` or {@link isUnknown}. */
export const UNKNOWN: unique symbol = Symbol('cty.unknown');
export type Unknown = typeof UNKNOWN;

/** A decoded cty value. Objects and maps are both plain records; the type tells them apart. */
export type CtyValue = null | string | number | boolean | Unknown | readonly CtyValue[] | { readonly [key: string]: CtyValue };

/** An object value keyed by attribute name. */
export type CtyObject = Readonly<Record<string, CtyValue>>;

/** A value whose type does not match the schema, with the path where it went wrong. */
export class CtyTypeError extends Error {
  override readonly name = 'CtyTypeError';
  constructor(
    readonly path: readonly (string | number)[],
    message: string,
  ) {
    super(`${path.length ? `${formatPath(path)}: ` : ''}${message}`);
  }
}

function formatPath(path: readonly (string | number)[]): string {
  return path.map((step, i) => (typeof step === 'number' ? `[${step}]` : i === 0 ? step : `.${step}`)).join('');
}

const PRIMITIVES = new Set(['string', 'number', 'bool']);

/** Parses a cty type from its JSON form. Throws for types this provider does not model (dynamic, tuple). */
export function parseCtyType(json: unknown): CtyType {
  if (typeof json === 'string' && PRIMITIVES.has(json)) return { kind: json as 'string' | 'number' | 'bool' };
  if (Array.isArray(json) && json.length === 2) {
    const [kind, arg] = json as [unknown, unknown];
    if (kind === 'list' || kind === 'set' || kind === 'map') return { kind, element: parseCtyType(arg) };
    if (kind === 'object' && typeof arg === 'object' && arg !== null && !Array.isArray(arg)) {
      const attributes: Record<string, CtyType> = {};
      for (const [name, type] of Object.entries(arg)) attributes[name] = parseCtyType(type);
      return { kind: 'object', attributes };
    }
  }
  throw new Error(`unsupported cty type ${JSON.stringify(json)} (this provider models string, number, bool, list, set, map and object)`);
}

export function isUnknown(value: unknown): value is Unknown {
  return value === UNKNOWN;
}

/** True when the value is known all the way down (no unknown element or attribute). */
export function isWhollyKnown(value: CtyValue): boolean {
  if (value === UNKNOWN) return false;
  if (value === null || typeof value !== 'object') return true;
  return (Array.isArray(value) ? value : Object.values(value)).every(isWhollyKnown);
}

/** Structural equality of two values (unknown equals only unknown; map/object key order ignored). */
export function ctyEqual(a: CtyValue | undefined, b: CtyValue | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bs = b as readonly CtyValue[];
    return a.length === bs.length && a.every((item: CtyValue, i) => ctyEqual(item, bs[i]));
  }
  const ao = a as CtyObject;
  const bo = b as CtyObject;
  const keys = Object.keys(ao);
  return keys.length === Object.keys(bo).length && keys.every((key) => Object.hasOwn(bo, key) && ctyEqual(ao[key], bo[key]));
}

const EXT_UNKNOWN = 0;
const EXT_REFINED_UNKNOWN = 12;
// cty writes an unknown as fixext1 type 0 with one zero byte; Terraform accepts exactly that.
const UNKNOWN_PAYLOAD = new Uint8Array([0]);

const codec = new ExtensionCodec();
codec.register({
  type: EXT_UNKNOWN,
  encode: (input) => (input === UNKNOWN ? UNKNOWN_PAYLOAD : null),
  decode: () => UNKNOWN,
});
codec.register({ type: EXT_REFINED_UNKNOWN, encode: () => null, decode: () => UNKNOWN });

/**
 * Conforms a loosely typed JS value (decoded msgpack or JSON, or a resource handler's output) to a
 * cty type: numbers from decimal strings, strings from numbers/bools (cty's own safe conversions),
 * every object attribute present. Throws {@link CtyTypeError} naming the path on a mismatch, and
 * for attributes the type does not declare.
 */
export function conform(type: CtyType, value: unknown, path: (string | number)[] = []): CtyValue {
  if (value === null || value === undefined) return null;
  if (value === UNKNOWN) return UNKNOWN;
  switch (type.kind) {
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      break;
    case 'number':
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      if (typeof value === 'bigint') return Number(value);
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
      break;
    case 'bool':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      break;
    case 'list':
    case 'set':
      if (Array.isArray(value)) return value.map((item: unknown, i) => conform(type.element, item, [...path, i]));
      break;
    case 'map':
      if (isRecord(value)) {
        const out: Record<string, CtyValue> = {};
        for (const [key, item] of Object.entries(value)) out[key] = conform(type.element, item, [...path, key]);
        return out;
      }
      break;
    case 'object':
      if (isRecord(value)) return conformObject(type.attributes, value, path);
      break;
  }
  throw new CtyTypeError(path, `expected ${describeType(type)}, got ${describeValue(value)}`);
}

function conformObject(attributes: Readonly<Record<string, CtyType>>, value: Record<string, unknown>, path: (string | number)[]): CtyObject {
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(attributes, key)) throw new CtyTypeError([...path, key], 'unsupported attribute');
  }
  const out: Record<string, CtyValue> = {};
  for (const [name, attrType] of Object.entries(attributes)) out[name] = conform(attrType, value[name], [...path, name]);
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function describeType(type: CtyType): string {
  return type.kind === 'list' || type.kind === 'set' || type.kind === 'map' ? `${type.kind} of ${describeType(type.element)}` : type.kind;
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Decodes a msgpack `DynamicValue` payload of the given type. An empty payload is null. */
export function decodeMsgpack(type: CtyType, bytes: Uint8Array): CtyValue {
  if (bytes.length === 0) return null;
  return conform(type, decode(bytes, { extensionCodec: codec }));
}

/** Decodes a JSON `DynamicValue` / raw state payload of the given type. */
export function decodeJson(type: CtyType, bytes: Uint8Array | string): CtyValue {
  const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8');
  if (text.trim() === '') return null;
  return conform(type, JSON.parse(text) as unknown);
}

/** Encodes a value of the given type as msgpack, with unknowns as extension 0. */
export function encodeMsgpack(type: CtyType, value: CtyValue): Uint8Array {
  // Conform first: it orders and completes object attributes, and fails loudly on a bad value.
  return encode(conform(type, value), { extensionCodec: codec, forceFloat32: false, ignoreUndefined: false });
}
