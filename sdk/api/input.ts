import { ValidationError } from '../errors';
import { isShoreGuardTime } from '../models/common';

/**
 * Turns a Date into ISO-8601 and checks a string is one, so a typo fails here with a clear message
 * instead of a server 500 (pins) or 422.
 */
export function normaliseTimestamp(value: string | Date | null | undefined, field: string): string | null | undefined {
  if (value === undefined || value === null) return value;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw invalidTimestamp(field, 'Invalid Date');
    return value.toISOString();
  }
  if (!isShoreGuardTime(value)) throw invalidTimestamp(field, JSON.stringify(value));
  return value;
}

function invalidTimestamp(field: string, shown: string): ValidationError {
  return new ValidationError({
    code: 'validation',
    summary: `${field} ${shown} is not an ISO-8601 date-time.`,
    hint: 'Use a Date or a string like 2026-05-01T12:00:00Z.',
    issues: [{ type: 'datetime', loc: [field], msg: 'expected an ISO-8601 date-time' }],
  });
}
