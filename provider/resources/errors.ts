/**
 * Errors raised by the resource handlers themselves (as opposed to the SDK's ShoreGuardError, which
 * the handlers let through unchanged). Each says which object, what is wrong and what to do; none
 * carries a certificate, key or API key.
 */
import type { AttributeProblem } from './types';

/** Stable codes: branch on these, never on message text. */
export type ResourceErrorCode =
  /** Inputs failed validation (the problems are listed). */
  | 'invalid_input'
  /** Creating would overwrite an object that already exists and `adopt` is not set. */
  | 'already_exists'
  /** `adopt` found the object, but an identity field differs and cannot be changed in place. */
  | 'adopt_mismatch'
  /** An import id does not have the documented shape. */
  | 'invalid_import_id'
  /** A lookup or an update found nothing. */
  | 'not_found';

const BRAND = Symbol.for('shoreguard-iac.resource-error');

export interface ResourceErrorOptions {
  readonly code: ResourceErrorCode;
  /** schema.json type, e.g. `shoreguard_policy_pin`. */
  readonly resourceType: string;
  /** What happened, with the object's natural key. */
  readonly summary: string;
  /** What to do about it. */
  readonly hint?: string;
  readonly problems?: readonly AttributeProblem[];
  readonly cause?: unknown;
}

export class ResourceError extends Error {
  override readonly name = 'ResourceError';
  readonly code: ResourceErrorCode;
  readonly resourceType: string;
  readonly hint: string | undefined;
  /** Per-attribute problems (for `invalid_input`). */
  readonly problems: readonly AttributeProblem[];
  readonly [BRAND] = true;

  constructor(options: ResourceErrorOptions) {
    super(`${options.resourceType}: ${options.summary}${options.hint ? ` ${options.hint}` : ''}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.resourceType = options.resourceType;
    this.hint = options.hint;
    this.problems = options.problems ?? [];
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, resourceType: this.resourceType, message: this.message, problems: this.problems };
  }
}

/** True for a {@link ResourceError}, even from another copy of this package. */
export function isResourceError(value: unknown): value is ResourceError {
  return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
}

/** An `invalid_input` error listing every problem, one per line. */
export function invalidInput(resourceType: string, problems: readonly AttributeProblem[]): ResourceError {
  const lines = problems.map((p) => `${p.attribute}: ${p.message}`).join('; ');
  return new ResourceError({ code: 'invalid_input', resourceType, summary: `invalid input: ${lines}.`, problems });
}

/** An `invalid_import_id` error that shows the accepted shapes. */
export function invalidImportId(resourceType: string, importId: string, shapes: readonly string[]): ResourceError {
  return new ResourceError({
    code: 'invalid_import_id',
    resourceType,
    summary: `import id ${JSON.stringify(importId)} is not valid.`,
    hint: `Use ${shapes.join(' or ')}.`,
  });
}
