/**
 * Input validation shared by the handlers: zod building blocks with messages that name the rule
 * and the limit, and the conversion of zod issues into per-attribute problems (issues as data).
 * Rules mirror ShoreGuard's own checks (contract §4.1, §5, §6.2, §7, §8) so a bad value fails at
 * plan time with a clear message instead of a 400/422/500 at apply time.
 */
import { z } from 'zod';
import { isShoreGuardTime, parseShoreGuardTime } from '../../sdk';
import type { AttributeProblem, CheckResult } from './types';

/** ShoreGuard's gateway name rule (also used for the `{gw}` path segment). */
export const GATEWAY_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,252}$/;
const LABEL_KEY_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/;
const MAX_LABELS = 20;
const MAX_LABEL_VALUE = 253;
export const MAX_DESCRIPTION = 1000;
export const ROLES = ['admin', 'operator', 'viewer'] as const;
export type RoleName = (typeof ROLES)[number];

/** `undefined` and `null` both mean "not set"; the validated value is `null` then. */
export function optional<T extends z.ZodType>(schema: T) {
  return schema.nullish().transform((value): z.output<T> | null => value ?? null);
}

/** An optional value with the server's default filled in, so state read back shows no diff. */
export function withDefault<T extends z.ZodType>(schema: T, fallback: z.output<T>) {
  return schema.nullish().transform((value): z.output<T> => value ?? fallback);
}

export const gatewayName = z
  .string({ error: 'must be a string' })
  .regex(GATEWAY_NAME_PATTERN, { error: 'must match ^[a-zA-Z0-9][a-zA-Z0-9._-]{0,252}$ (letters, digits, ".", "_", "-"; 1 to 253 characters)' });

/**
 * Sandbox names become one path segment and one part of a `/`-separated id, so they must be
 * non-empty and free of `/` and whitespace.
 */
export const sandboxName = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'must not be empty' })
  .max(253, { error: 'must be at most 253 characters' })
  .refine((value) => !/[/\s]/.test(value) && value !== '.' && value !== '..', { error: 'must not contain "/" or whitespace, and must not be "." or ".."' });

/** A numeric ShoreGuard id given as a string (Terraform and Pulumi pass ids as strings). */
export const numericId = z
  .union([z.string(), z.number()], { error: 'must be a numeric id' })
  .transform((value) => String(value))
  .refine((value) => /^[0-9]{1,15}$/.test(value), { error: 'must be a numeric id such as "42"' });

export const role = z.enum(ROLES, { error: 'must be one of admin, operator, viewer' });

export const description = z.string({ error: 'must be a string' }).max(MAX_DESCRIPTION, { error: `must be at most ${MAX_DESCRIPTION} characters` });

export const stringMap = z.record(z.string(), z.string({ error: 'values must be strings' }), { error: 'must be a map of strings' });

export const labels = stringMap.superRefine((value, ctx) => {
  const keys = Object.keys(value);
  if (keys.length > MAX_LABELS) ctx.addIssue({ code: 'custom', message: `at most ${MAX_LABELS} labels are allowed (got ${keys.length})` });
  for (const key of keys) {
    if (!LABEL_KEY_PATTERN.test(key)) ctx.addIssue({ code: 'custom', message: `label key ${JSON.stringify(key)} must match ^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$` });
    const text = value[key] ?? '';
    if (text.length > MAX_LABEL_VALUE) ctx.addIssue({ code: 'custom', message: `label ${JSON.stringify(key)} has a value longer than ${MAX_LABEL_VALUE} characters` });
  }
});

/** An integer in a closed range; accepts numeric strings (Terraform numbers may arrive as text). */
export function intInRange(min: number, max: number) {
  return z.coerce
    .number({ error: `must be a whole number from ${min} to ${max}` })
    .int({ error: `must be a whole number from ${min} to ${max}` })
    .min(min, { error: `must be a whole number from ${min} to ${max}` })
    .max(max, { error: `must be a whole number from ${min} to ${max}` });
}

export const bool = z.boolean({ error: 'must be true or false' });

/** An ISO-8601 date-time as ShoreGuard parses it (`2026-05-01T12:00:00Z`, offsets allowed). */
export const timestamp = z
  .string({ error: 'must be an ISO-8601 date-time string' })
  .refine((value) => isShoreGuardTime(value), { error: 'must be an ISO-8601 date-time such as 2026-05-01T12:00:00Z' });

/** Parses raw attributes with a zod object schema into a {@link CheckResult}. */
export function parseAttributes<T>(schema: z.ZodType<T>, raw: unknown): CheckResult<T> {
  const result = schema.safeParse(raw ?? {});
  if (result.success) return { ok: true, inputs: result.data };
  return { ok: false, problems: toProblems(result.error.issues, raw) };
}

/** One problem per attribute and message, attribute = the first path element. */
export function toProblems(issues: readonly z.core.$ZodIssue[], raw: unknown): AttributeProblem[] {
  const given = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const seen = new Set<string>();
  const problems: AttributeProblem[] = [];
  for (const issue of issues) {
    const attribute = issue.path.length > 0 ? String(issue.path[0]) : '(resource)';
    const missing = issue.path.length === 1 && (given[attribute] === undefined || given[attribute] === null);
    const message = missing && issue.code === 'invalid_type' ? 'is required' : issue.message;
    const key = `${attribute}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ attribute, message });
  }
  return problems;
}

/** Milliseconds since the epoch of a ShoreGuard timestamp (offset-less = UTC). */
export function instant(text: string): number {
  return parseShoreGuardTime(text).getTime();
}
