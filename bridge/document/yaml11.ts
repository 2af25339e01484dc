/**
 * ShoreGuard parses policy YAML with PyYAML's `safe_load`, a YAML 1.1 resolver. The bridge
 * must read plain scalars exactly the way the server will (`yes` is a boolean, `0755` an octal
 * int, `1:30` the int 90, `2024-01-01` a date), otherwise a file that looks fine locally is
 * rejected or misread on apply. The regular expressions below are PyYAML's implicit resolvers
 * (`yaml/resolver.py`), translated from Python's verbose syntax.
 */

export type PlainScalarKind = 'str' | 'bool' | 'int' | 'float' | 'null' | 'timestamp' | 'merge' | 'value' | 'indicator';

const BOOL_11 = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const FLOAT_11 =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const INT_11 =
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const MERGE_11 = /^<<$/;
const NULL_11 = /^(?:~|null|Null|NULL|)$/;
const TIMESTAMP_11 =
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/;
const VALUE_11 = /^=$/;
// PyYAML registers this one "for documentation"; it still makes the emitter quote these.
const INDICATOR_11 = /^(?:!|&|\*)$/;

/** The tag PyYAML's implicit resolver gives a plain scalar with this text. */
export function resolvePlain11(text: string): PlainScalarKind {
  // Same order as PyYAML registers them; the patterns do not overlap, so order only matters for speed.
  if (BOOL_11.test(text)) return 'bool';
  if (FLOAT_11.test(text)) return 'float';
  if (INT_11.test(text)) return 'int';
  if (MERGE_11.test(text)) return 'merge';
  if (NULL_11.test(text)) return 'null';
  if (TIMESTAMP_11.test(text)) return 'timestamp';
  if (VALUE_11.test(text)) return 'value';
  if (INDICATOR_11.test(text)) return 'indicator';
  return 'str';
}

// YAML 1.2 core schema (the default of the `yaml` and js-yaml libraries, Go's yaml.v3, …).
const NON_STRING_12 = [
  /^(?:~|null|Null|NULL)?$/,
  /^(?:true|True|TRUE|false|False|FALSE)$/,
  /^[-+]?[0-9]+$/,
  /^0o[0-7]+$/,
  /^0x[0-9a-fA-F]+$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/,
  /^[-+]?\.(?:inf|Inf|INF)$/,
  /^\.(?:nan|NaN|NAN)$/,
];

/**
 * True when a string may be written as a plain scalar and still read back as a string both by
 * PyYAML (YAML 1.1, the server) and by YAML 1.2 parsers (trap 21: a hex `policy_hash` such as
 * `1234e5` is a string to PyYAML but a float to a 1.2 parser).
 */
export function plainReadsAsString(text: string): boolean {
  return resolvePlain11(text) === 'str' && !NON_STRING_12.some((re) => re.test(text));
}

/** Python's `int(...)` for a YAML 1.1 int (`construct_yaml_int`). */
export function constructInt11(text: string): number {
  let value = text.replace(/_/g, '');
  let sign = 1;
  if (value[0] === '-') sign = -1;
  if (value[0] === '-' || value[0] === '+') value = value.slice(1);
  if (value === '0') return 0;
  if (value.startsWith('0b')) return sign * parseInt(value.slice(2), 2);
  if (value.startsWith('0x')) return sign * parseInt(value.slice(2), 16);
  if (value[0] === '0') return sign * parseInt(value, 8);
  if (value.includes(':')) return sign * sexagesimal(value);
  return sign * Number(value);
}

/** Python's `float(...)` for a YAML 1.1 float (`construct_yaml_float`). */
export function constructFloat11(text: string): number {
  let value = text.replace(/_/g, '').toLowerCase();
  let sign = 1;
  if (value[0] === '-') sign = -1;
  if (value[0] === '-' || value[0] === '+') value = value.slice(1);
  if (value === '.inf') return sign * Infinity;
  if (value === '.nan') return NaN;
  if (value.includes(':')) return sign * sexagesimal(value);
  return sign * Number(value);
}

function sexagesimal(value: string): number {
  let base = 1;
  let result = 0;
  for (const digit of value.split(':').reverse()) {
    result += Number(digit) * base;
    base *= 60;
  }
  return result;
}

export function constructBool11(text: string): boolean {
  return ['yes', 'true', 'on'].includes(text.toLowerCase());
}

/**
 * Python orders strings by code point; JavaScript's `<` compares UTF-16 code units, which
 * differs when a surrogate pair meets a character in U+E000–U+FFFF. Key order in the canonical
 * form must match PyYAML's `sort_keys=True`.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    let ca = a.charCodeAt(i);
    let cb = b.charCodeAt(i);
    if (ca === cb) continue;
    if (ca >= 0xd800 && ca <= 0xdfff) ca += 0x10000;
    if (cb >= 0xd800 && cb <= 0xdfff) cb += 0x10000;
    return ca - cb;
  }
  return a.length - b.length;
}
