import { formatProblem, type Problem } from './problems';

/**
 * Errors of the offline bridge core. Each carries a stable `code` to branch on; message text
 * is for humans. Only real failures throw: validation results are returned as Problem data.
 */
export type BridgeErrorCode =
  | 'POLICY_DOCUMENT_INVALID'
  | 'CANONICAL_FORM_UNSUPPORTED_VALUE'
  | 'LAYOUT_INVALID'
  | 'GIT_REVISION_UNREADABLE'
  | 'GIT_STATUS_UNREADABLE'
  | 'RECEIPT_KEY_INVALID'
  | 'RECEIPT_WRITE_FAILED'
  | 'GATE_RULES_INVALID';

export abstract class BridgeError extends Error {
  abstract readonly code: BridgeErrorCode;
}

/** A policy document that cannot be used: malformed YAML, wrong types, missing `policy`. */
export class PolicyDocumentError extends BridgeError {
  readonly code = 'POLICY_DOCUMENT_INVALID' as const;
  override readonly name = 'PolicyDocumentError';

  constructor(
    readonly problems: readonly Problem[],
    readonly file?: string,
  ) {
    const errors = problems.filter((p) => p.severity === 'error');
    const shown = errors.slice(0, 5).map(formatProblem);
    const more = errors.length > shown.length ? `\n  … and ${errors.length - shown.length} more` : '';
    super(`invalid policy document ${file ?? '<input>'}:\n  ${shown.join('\n  ')}${more}`);
  }
}

/** A value the canonical YAML form cannot represent (a function, a Date, a cycle, …). */
export class CanonicalFormError extends BridgeError {
  readonly code = 'CANONICAL_FORM_UNSUPPORTED_VALUE' as const;
  override readonly name = 'CanonicalFormError';

  constructor(
    message: string,
    readonly path: string,
  ) {
    super(`${message} at ${path === '' ? 'document root' : path}`);
  }
}

/** A layout pattern that cannot map targets to paths, or a target name ShoreGuard would reject. */
export class LayoutError extends BridgeError {
  readonly code = 'LAYOUT_INVALID' as const;
  override readonly name = 'LayoutError';
}

/**
 * The message and errno-style code of anything thrown. Duck-typed rather than `instanceof Error`:
 * Node's own errors can come from another realm (vm contexts, test runners) and fail that check.
 */
export function describeThrown(error: unknown): { readonly message: string; readonly code?: string } {
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    const { message, code } = error as { message: string; code?: unknown };
    return typeof code === 'string' ? { message, code } : { message };
  }
  return { message: String(error) };
}

/** `ENOENT: no such file …` for errno errors (the message usually starts with the code already). */
export function thrownText(error: unknown): string {
  const { message, code } = describeThrown(error);
  return code === undefined || message.startsWith(code) ? message : `${code}: ${message}`;
}
