/**
 * Building blocks of the response models. Every model accepts unknown extra keys (newer servers
 * add fields), turns missing optional keys and explicit nulls into `null`, and maps snake_case
 * wire names to camelCase. Timestamps stay strings exactly as sent; see {@link parseShoreGuardTime}.
 */
import { z } from 'zod';

/** A string that may be absent or null on the wire; `null` in the SDK. */
export const nullableString = z.string().nullish().transform((value) => value ?? null);
/** A number that may be absent or null on the wire; `null` in the SDK. */
export const nullableNumber = z.number().nullish().transform((value) => value ?? null);
/** A boolean that may be absent or null on the wire; `null` in the SDK. */
export const nullableBoolean = z.boolean().nullish().transform((value) => value ?? null);
/** A boolean that defaults to false when absent or null. */
export const flag = z.boolean().nullish().transform((value) => value ?? false);
/** A string map, `{}` when absent or null. */
export const stringMap = z.record(z.string(), z.string()).nullish().transform((value) => value ?? {});
/** A JSON object, `{}` when absent or null. */
export const jsonObject = z.record(z.string(), z.unknown()).nullish().transform((value) => value ?? {});
/** A string list, `[]` when absent or null. */
export const stringList = z.array(z.string()).nullish().transform((value) => value ?? []);

/** ShoreGuard's `{"ok": true}` acknowledgement. */
export const okSchema = z.object({ ok: z.boolean() }).loose();

/** An ISO-8601 timestamp as ShoreGuard sends it (Python `isoformat()`), with or without offset. */
export type ShoreGuardTime = string;

const ISO_DATETIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses a ShoreGuard timestamp. Values without an offset (read back from SQLite) are UTC, as the
 * contract says (§1.7); JavaScript's own parser would take them as local time. Fractions beyond
 * milliseconds are truncated.
 * @throws RangeError when the text is not an ISO-8601 date-time.
 */
export function parseShoreGuardTime(text: ShoreGuardTime): Date {
  const match = ISO_DATETIME.exec(text.trim());
  if (!match) throw new RangeError(`not an ISO-8601 date-time: ${JSON.stringify(text)}`);
  const [, year, month, day, hour, minute, second = '00', fraction = '', offset = 'Z'] = match;
  const millis = fraction ? fraction.slice(1, 4).padEnd(3, '0') : '000';
  const zone = offset.toUpperCase() === 'Z' ? 'Z' : offset.length === 5 ? `${offset.slice(0, 3)}:${offset.slice(3)}` : offset;
  const date = new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}.${millis}${zone}`);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a valid date-time: ${JSON.stringify(text)}`);
  return date;
}

/** True when {@link parseShoreGuardTime} would accept the text. */
export function isShoreGuardTime(text: string): boolean {
  try {
    parseShoreGuardTime(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Copies the keys of `input` that are present (not undefined) into a wire object under their
 * snake_case names. Used for PATCH-like bodies where "absent" and "null" mean different things.
 */
export function toWire<T extends object>(input: T, names: { readonly [K in keyof T]-?: string }): Record<string, unknown> {
  const wire: Record<string, unknown> = {};
  for (const key of Object.keys(names) as (keyof T)[]) {
    const value = input[key];
    if (value !== undefined) wire[names[key]] = value;
  }
  return wire;
}
