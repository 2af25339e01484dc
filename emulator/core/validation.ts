/**
 * Request validation with pydantic v2's lax-mode rules and error objects, so 422 bodies match
 * FastAPI's (`{type, loc, msg, input}`, `loc` starting with "body", "path" or "query").
 */
import { isPyDict, parsePyIsoDatetime, type EpochMicros, type PyValue } from './python';
import type { PydanticError } from './http';

export type FieldSpec =
  | { kind: 'str'; minLength?: number; maxLength?: number; pattern?: string }
  | { kind: 'int'; ge?: number; le?: number }
  | { kind: 'bool' }
  | { kind: 'literal'; values: readonly string[] }
  | { kind: 'list'; item: FieldSpec; minLength?: number }
  | { kind: 'dict'; value?: FieldSpec }
  | { kind: 'datetime' }
  | { kind: 'any' };

export interface FieldRule {
  spec: FieldSpec;
  nullable?: boolean;
  required?: boolean;
  default?: PyValue;
  /** A `field_validator` that raises ValueError → `Value error, <message>`. */
  check?: (value: PyValue) => string | null;
  /** A `field_validator` that normalises the value (e.g. strip, lower-case). */
  transform?: (value: PyValue) => PyValue;
}

export type ModelSpec = Record<string, FieldRule>;

export interface ValidatedModel {
  values: Record<string, PyValue>;
  /** pydantic's `model_fields_set`: keys the client actually sent. */
  fieldsSet: Set<string>;
}

type Loc = Array<string | number>;

const TRUE_STRINGS = new Set(['1', 'on', 't', 'true', 'y', 'yes']);
const FALSE_STRINGS = new Set(['0', 'off', 'f', 'false', 'n', 'no']);

function error(type: string, loc: Loc, msg: string, input: unknown): PydanticError {
  return { type, loc, msg, input };
}

function literalMessage(values: readonly string[]): string {
  const quoted = values.map((value) => `'${value}'`);
  if (quoted.length === 1) return `Input should be ${quoted[0]}`;
  return `Input should be ${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

function nullTypeError(spec: FieldSpec, loc: Loc): PydanticError {
  switch (spec.kind) {
    case 'str':
      return error('string_type', loc, 'Input should be a valid string', null);
    case 'int':
      return error('int_type', loc, 'Input should be a valid integer', null);
    case 'bool':
      return error('bool_type', loc, 'Input should be a valid boolean', null);
    case 'literal':
      return error('literal_error', loc, literalMessage(spec.values), null);
    case 'list':
      return error('list_type', loc, 'Input should be a valid list', null);
    case 'dict':
      return error('dict_type', loc, 'Input should be a valid dictionary', null);
    case 'datetime':
      return error('datetime_type', loc, 'Input should be a valid datetime', null);
    default:
      return error('missing', loc, 'Field required', null);
  }
}

/** Validates one value; pushes errors and returns the coerced value (or undefined on error). */
function validateValue(spec: FieldSpec, input: PyValue, loc: Loc, errors: PydanticError[]): PyValue | undefined {
  if (input === null && spec.kind !== 'any') {
    errors.push(nullTypeError(spec, loc));
    return undefined;
  }
  switch (spec.kind) {
    case 'any':
      return input;
    case 'str': {
      if (typeof input !== 'string') {
        errors.push(error('string_type', loc, 'Input should be a valid string', input));
        return undefined;
      }
      const length = Array.from(input).length;
      if (spec.minLength !== undefined && length < spec.minLength) {
        const unit = spec.minLength === 1 ? 'character' : 'characters';
        errors.push(error('string_too_short', loc, `String should have at least ${spec.minLength} ${unit}`, input));
        return undefined;
      }
      if (spec.maxLength !== undefined && length > spec.maxLength) {
        const unit = spec.maxLength === 1 ? 'character' : 'characters';
        errors.push(error('string_too_long', loc, `String should have at most ${spec.maxLength} ${unit}`, input));
        return undefined;
      }
      if (spec.pattern !== undefined && !new RegExp(spec.pattern).test(input)) {
        errors.push(error('string_pattern_mismatch', loc, `String should match pattern '${spec.pattern}'`, input));
        return undefined;
      }
      return input;
    }
    case 'int': {
      const value = coerceInt(input, loc, errors);
      if (value === undefined) return undefined;
      if (spec.ge !== undefined && value < spec.ge) {
        errors.push(error('greater_than_equal', loc, `Input should be greater than or equal to ${spec.ge}`, input));
        return undefined;
      }
      if (spec.le !== undefined && value > spec.le) {
        errors.push(error('less_than_equal', loc, `Input should be less than or equal to ${spec.le}`, input));
        return undefined;
      }
      return value;
    }
    case 'bool':
      return coerceBool(input, loc, errors);
    case 'literal':
      if (typeof input === 'string' && spec.values.includes(input)) return input;
      errors.push(error('literal_error', loc, literalMessage(spec.values), input));
      return undefined;
    case 'list': {
      if (!Array.isArray(input)) {
        errors.push(error('list_type', loc, 'Input should be a valid list', input));
        return undefined;
      }
      const before = errors.length;
      const items = input.map((item, index) => validateValue(spec.item, item, [...loc, index], errors));
      return errors.length === before ? (items as PyValue[]) : undefined;
    }
    case 'dict': {
      if (!isPyDict(input)) {
        errors.push(error('dict_type', loc, 'Input should be a valid dictionary', input));
        return undefined;
      }
      if (spec.value === undefined) return input;
      const before = errors.length;
      const result: Record<string, PyValue> = {};
      for (const [key, item] of Object.entries(input)) {
        const value = validateValue(spec.value, item, [...loc, key], errors);
        if (value !== undefined) result[key] = value;
      }
      return errors.length === before ? result : undefined;
    }
    case 'datetime':
      return coerceDatetime(input, loc, errors);
  }
}

function coerceInt(input: PyValue, loc: Loc, errors: PydanticError[]): number | undefined {
  if (typeof input === 'boolean') return Number(input);
  if (typeof input === 'number') {
    if (Number.isInteger(input)) return input;
    errors.push(error('int_from_float', loc, 'Input should be a valid integer, got a number with a fractional part', input));
    return undefined;
  }
  if (typeof input === 'string') {
    if (/^\s*[+-]?\d+\s*$/.test(input)) return Number(input.trim());
    errors.push(error('int_parsing', loc, 'Input should be a valid integer, unable to parse string as an integer', input));
    return undefined;
  }
  errors.push(error('int_type', loc, 'Input should be a valid integer', input));
  return undefined;
}

function coerceBool(input: PyValue, loc: Loc, errors: PydanticError[]): boolean | undefined {
  if (typeof input === 'boolean') return input;
  if (typeof input === 'number' && (input === 0 || input === 1)) return input === 1;
  if (typeof input === 'string') {
    const lowered = input.toLowerCase();
    if (TRUE_STRINGS.has(lowered)) return true;
    if (FALSE_STRINGS.has(lowered)) return false;
  }
  if (typeof input === 'number' || typeof input === 'string') {
    errors.push(error('bool_parsing', loc, 'Input should be a valid boolean, unable to interpret input', input));
    return undefined;
  }
  errors.push(error('bool_type', loc, 'Input should be a valid boolean', input));
  return undefined;
}

/** A datetime accepted by pydantic: ISO 8601 text (date-only allowed) or Unix seconds. */
export interface ValidatedDatetime {
  /** UTC instant in microseconds. */
  instant: EpochMicros;
  /** The wall clock as written (what SQLite keeps), in microseconds. */
  wallClockMicros: EpochMicros;
  /** True when the input carried an offset or `Z`. */
  aware: boolean;
}

/** Parses a datetime input that passed validation (ISO 8601 text, date-only allowed, or Unix seconds). */
export function toValidatedDatetime(input: PyValue): ValidatedDatetime | null {
  if (typeof input === 'number' && Number.isFinite(input)) {
    const seconds = Math.abs(input) > 2e10 ? input / 1000 : input;
    const micros = Math.round(seconds * 1_000_000);
    return { instant: micros, wallClockMicros: micros, aware: true };
  }
  if (typeof input !== 'string') return null;
  const parsed = parsePyIsoDatetime(input.length === 10 ? `${input}T00:00:00` : input);
  if (!parsed) return null;
  return {
    instant: parsed.wallClockMicros - (parsed.offsetMicros ?? 0),
    wallClockMicros: parsed.wallClockMicros,
    aware: parsed.offsetMicros !== null,
  };
}

function coerceDatetime(input: PyValue, loc: Loc, errors: PydanticError[]): PyValue | undefined {
  if (toValidatedDatetime(input) !== null) return input;
  if (typeof input === 'string') {
    const reason = input.length < 10 ? 'input is too short' : 'invalid datetime format';
    errors.push(error('datetime_from_date_parsing', loc, `Input should be a valid datetime or date, ${reason}`, input));
    return undefined;
  }
  errors.push(error('datetime_type', loc, 'Input should be a valid datetime', input));
  return undefined;
}

/**
 * Validates a JSON body against a model (FastAPI's single-body-parameter behaviour): a missing body
 * is `missing` at `["body"]`, a non-object is `model_attributes_type`, fields are `["body", name]`.
 * On errors the returned model is incomplete; the pipeline answers 422 before any handler sees it.
 */
export function validateBody(
  spec: ModelSpec,
  body: PyValue | undefined,
  errors: PydanticError[],
  options: { optional?: boolean } = {},
): ValidatedModel {
  const invalid: ValidatedModel = { values: {}, fieldsSet: new Set() };
  if (body === undefined || (body === null && options.optional)) {
    if (options.optional) return { values: defaults(spec), fieldsSet: new Set() };
    errors.push(error('missing', ['body'], 'Field required', null));
    return invalid;
  }
  if (!isPyDict(body)) {
    errors.push(
      error('model_attributes_type', ['body'], 'Input should be a valid dictionary or object to extract fields from', body),
    );
    return invalid;
  }
  const values: Record<string, PyValue> = {};
  const fieldsSet = new Set<string>();
  const before = errors.length;
  for (const [name, rule] of Object.entries(spec)) {
    const loc: Loc = ['body', name];
    if (!Object.prototype.hasOwnProperty.call(body, name)) {
      if (rule.required) errors.push(error('missing', loc, 'Field required', body));
      else values[name] = rule.default === undefined ? null : structuredClone(rule.default);
      continue;
    }
    fieldsSet.add(name);
    const raw = body[name] as PyValue;
    if (raw === null && rule.nullable) {
      values[name] = null;
      continue;
    }
    const errorCount = errors.length;
    let value = validateValue(rule.spec, raw, loc, errors);
    if (errors.length !== errorCount || value === undefined) continue;
    if (rule.transform) value = rule.transform(value);
    const problem = rule.check?.(value);
    if (problem) {
      errors.push(error('value_error', loc, `Value error, ${problem}`, raw));
      continue;
    }
    values[name] = value;
  }
  return errors.length === before ? { values, fieldsSet } : invalid;
}

function defaults(spec: ModelSpec): Record<string, PyValue> {
  const values: Record<string, PyValue> = {};
  for (const [name, rule] of Object.entries(spec)) values[name] = rule.default === undefined ? null : structuredClone(rule.default);
  return values;
}

/** Path and query parameters: same rules, `loc` starts with "path"/"query". */
export function validateParam(
  where: 'path' | 'query',
  name: string,
  spec: FieldSpec,
  raw: string | undefined,
  errors: PydanticError[],
  fallback?: PyValue,
): PyValue | undefined {
  if (raw === undefined) {
    if (fallback !== undefined) return fallback;
    errors.push(error('missing', [where, name], 'Field required', null));
    return undefined;
  }
  return validateValue(spec, raw, [where, name], errors);
}
