/**
 * Small re-implementations of Python built-ins whose exact output ShoreGuard puts on the wire:
 * `repr()`, `str.title()`, truthiness, `==` between JSON-like values, `sorted()` on strings and
 * `datetime.isoformat()` / `datetime.fromisoformat()`.
 */

/** A JSON-like value as produced by `JSON.parse` or the YAML loader. */
export type PyValue = null | boolean | number | string | PyValue[] | { [key: string]: PyValue };

export function isPyDict(value: unknown): value is { [key: string]: PyValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Python's `repr()` of a `str`: single quotes unless the text holds `'` but no `"`. */
export function pyStrRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code >= 0x80 && code < 0xa0) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

/** Python's `repr()` of a JSON-like value (dict, list, str, int, float, bool, None). */
export function pyRepr(value: PyValue | undefined): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return pyNumberRepr(value);
  if (typeof value === 'string') return pyStrRepr(value);
  if (Array.isArray(value)) return `[${value.map((item) => pyRepr(item)).join(', ')}]`;
  const entries = Object.entries(value).map(([key, item]) => `${pyStrRepr(key)}: ${pyRepr(item)}`);
  return `{${entries.join(', ')}}`;
}

function pyNumberRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  return String(value);
}

/** Python's `str()` (used where ShoreGuard formats a value into a message with `%s`/f-strings). */
export function pyStr(value: PyValue | undefined): string {
  return typeof value === 'string' ? value : pyRepr(value);
}

/** Python's `str.title()`: upper-case the first letter of every run of letters, lower-case the rest. */
export function pyTitle(text: string): string {
  let out = '';
  let previousIsLetter = false;
  for (const ch of text) {
    const isLetter = ch.toLowerCase() !== ch.toUpperCase();
    out += isLetter ? (previousIsLetter ? ch.toLowerCase() : ch.toUpperCase()) : ch;
    previousIsLetter = isLetter;
  }
  return out;
}

/** Python truthiness of a JSON-like value. */
export function pyTruthy(value: PyValue | undefined): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return value.length > 0;
  if (Array.isArray(value)) return value.length > 0;
  return Object.keys(value).length > 0;
}

/** Python `==` between JSON-like values (`True == 1`, dict order ignored, list order kept). */
export function pyEquals(a: PyValue | undefined, b: PyValue | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const numericA = typeof a === 'boolean' ? Number(a) : a;
  const numericB = typeof b === 'boolean' ? Number(b) : b;
  if (typeof numericA === 'number' && typeof numericB === 'number') return numericA === numericB;
  if (a === null || b === null) return a === b;
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, index) => pyEquals(item, b[index]));
  }
  if (!isPyDict(a) || !isPyDict(b)) return false;
  const keysA = Object.keys(a);
  if (keysA.length !== Object.keys(b).length) return false;
  return keysA.every((key) => Object.prototype.hasOwnProperty.call(b, key) && pyEquals(a[key], b[key]));
}

/** Orders strings by Unicode code point, like Python's `sorted()` (JS sorts by UTF-16 unit). */
export function compareCodePoints(a: string, b: string): number {
  const left = Array.from(a);
  const right = Array.from(b);
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index += 1) {
    const difference = (left[index]?.codePointAt(0) ?? 0) - (right[index]?.codePointAt(0) ?? 0);
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}

/** Thrown where the Python code would raise `TypeError`/`AttributeError` on an unexpected type. */
export class PythonTypeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PythonTypeError';
  }
}

/** Python `sorted()` of hashable scalars; mixing strings and numbers raises `TypeError`. */
export function pySorted(values: PyValue[]): PyValue[] {
  const strings = values.filter((value) => typeof value === 'string');
  if (strings.length !== 0 && strings.length !== values.length) {
    throw new PythonTypeError("'<' not supported between instances of 'str' and another type");
  }
  if (strings.length === values.length) return [...(values as string[])].sort(compareCodePoints);
  return [...values].sort((a, b) => Number(a) - Number(b));
}

/** Python `set(value)` for what a YAML document can hold: list items, dict keys or a string's characters. */
export function pySet(value: PyValue | undefined): PyValue[] {
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') {
    throw new PythonTypeError(`'${pyTypeName(value)}' object is not iterable`);
  }
  const items: PyValue[] = typeof value === 'string' ? Array.from(value) : Array.isArray(value) ? value : Object.keys(value);
  const unique: PyValue[] = [];
  for (const item of items) {
    if (Array.isArray(item) || isPyDict(item)) throw new PythonTypeError(`unhashable type: '${pyTypeName(item)}'`);
    if (!unique.some((seen) => pyEquals(seen, item))) unique.push(item);
  }
  return unique;
}

export function pyTypeName(value: PyValue | undefined): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'string') return 'str';
  return Array.isArray(value) ? 'list' : 'dict';
}

/** `value.get(key, fallback)` on something that must be a dict (else Python raises AttributeError). */
export function pyGet(container: PyValue | undefined, key: string, fallback: PyValue): PyValue {
  if (!isPyDict(container)) {
    throw new PythonTypeError(`'${pyTypeName(container)}' object has no attribute 'get'`);
  }
  return Object.prototype.hasOwnProperty.call(container, key) ? (container[key] as PyValue) : fallback;
}

// ─── Timestamps ────────────────────────────────────────────────────────────────

/** Microseconds since the Unix epoch (Python datetimes carry microseconds). */
export type EpochMicros = number;

export function toEpochMicros(date: Date): EpochMicros {
  return date.getTime() * 1000;
}

/**
 * Python `datetime.isoformat()` of a UTC instant: `YYYY-MM-DDTHH:MM:SS[.ffffff]` and `+00:00` only
 * for an aware datetime. The fraction is dropped when the microseconds are exactly zero.
 */
export function pyIsoFormat(micros: EpochMicros, withUtcOffset: boolean): string {
  const wholeMillis = Math.floor(micros / 1000);
  const date = new Date(wholeMillis);
  const microsecond = ((micros % 1_000_000) + 1_000_000) % 1_000_000;
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  const base =
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  const fraction = microsecond === 0 ? '' : `.${pad(microsecond, 6)}`;
  return base + fraction + (withUtcOffset ? '+00:00' : '');
}

/** A value parsed by `datetime.fromisoformat`: its wall clock (as if UTC) and its offset, if any. */
export interface ParsedIsoDatetime {
  /** The wall-clock fields read as UTC, in microseconds. */
  wallClockMicros: EpochMicros;
  /** Offset from UTC in microseconds, or null for a naive value. */
  offsetMicros: number | null;
}

const ISO_DATE = /^(\d{4})(?:-(\d{2})-(\d{2})|(\d{2})(\d{2}))/;
const ISO_TIME_EXTENDED = /^(\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?/;
const ISO_TIME_BASIC = /^(\d{2})(?:(\d{2})(?:(\d{2})(?:[.,](\d+))?)?)?/;
const ISO_OFFSET = /^(?:(Z)|([+-])(\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d{1,6}))?)?)?)$/;

/**
 * Python 3.11+ `datetime.fromisoformat`: `YYYY-MM-DD` or `YYYYMMDD`, optionally followed by any one
 * separator character and a time (`HH[:MM[:SS[.f…]]]` or the basic form) with an optional `Z` or
 * `±HH[:MM[:SS[.ffffff]]]` offset. Returns null where Python raises ValueError.
 */
export function parsePyIsoDatetime(text: string): ParsedIsoDatetime | null {
  const dateMatch = ISO_DATE.exec(text);
  if (!dateMatch) return null;
  const year = Number(dateMatch[1]);
  const month = Number(dateMatch[2] ?? dateMatch[4]);
  const day = Number(dateMatch[3] ?? dateMatch[5]);
  if (!isValidDate(year, month, day)) return null;
  let rest = text.slice(dateMatch[0].length);
  let hour = 0;
  let minute = 0;
  let second = 0;
  let microsecond = 0;
  let offsetMicros: number | null = null;
  if (rest.length > 0) {
    rest = Array.from(rest).slice(1).join('');
    const timeMatch = (rest.includes(':') ? ISO_TIME_EXTENDED : ISO_TIME_BASIC).exec(rest);
    if (!timeMatch) return null;
    hour = Number(timeMatch[1]);
    minute = Number(timeMatch[2] ?? 0);
    second = Number(timeMatch[3] ?? 0);
    microsecond = timeMatch[4] === undefined ? 0 : Number(timeMatch[4].slice(0, 6).padEnd(6, '0'));
    if (hour > 23 || minute > 59 || second > 59) return null;
    const offsetText = rest.slice(timeMatch[0].length);
    if (offsetText.length > 0) {
      const offsetMatch = ISO_OFFSET.exec(offsetText);
      if (!offsetMatch) return null;
      if (offsetMatch[1]) {
        offsetMicros = 0;
      } else {
        const sign = offsetMatch[2] === '-' ? -1 : 1;
        const offsetHours = Number(offsetMatch[3]);
        const offsetMinutes = Number(offsetMatch[4] ?? 0);
        const offsetSeconds = Number(offsetMatch[5] ?? 0);
        if (offsetHours > 23 || offsetMinutes > 59 || offsetSeconds > 59) return null;
        const fraction = Number((offsetMatch[6] ?? '').padEnd(6, '0') || 0);
        offsetMicros = sign * (((offsetHours * 60 + offsetMinutes) * 60 + offsetSeconds) * 1_000_000 + fraction);
      }
    }
  }
  const wallClockMillis = Date.UTC(year, month - 1, day, hour, minute, second);
  return { wallClockMicros: wallClockMillis * 1000 + microsecond, offsetMicros };
}

function isValidDate(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth;
}

/** Python `json.dumps(value)` with its defaults (`', '`/`': '` separators, `ensure_ascii=True`). */
export function pyJsonDumps(value: PyValue): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : pyNumberRepr(value);
  if (typeof value === 'string') {
    return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  if (Array.isArray(value)) return `[${value.map(pyJsonDumps).join(', ')}]`;
  return `{${Object.entries(value)
    .map(([key, item]) => `${pyJsonDumps(key)}: ${pyJsonDumps(item)}`)
    .join(', ')}}`;
}

/**
 * Python `base64.b64decode(text)` without `validate=True`: characters outside the alphabet are
 * discarded, then the padding must be right. Returns the decoded byte length or the binascii message.
 */
export function pyB64DecodedLength(text: string): { length: number } | { error: string } {
  const data = text.replace(/[^A-Za-z0-9+/=]/g, '');
  const firstPad = data.indexOf('=');
  const dataChars = (firstPad === -1 ? data : data.slice(0, firstPad)).length;
  if (dataChars % 4 === 1) {
    return { error: `Invalid base64-encoded string: number of data characters (${dataChars}) cannot be 1 more than a multiple of 4` };
  }
  const needed = (4 - (dataChars % 4)) % 4;
  const padding = firstPad === -1 ? 0 : data.length - firstPad;
  if (padding < needed) return { error: 'Incorrect padding' };
  return { length: Math.floor((dataChars * 3) / 4) };
}
