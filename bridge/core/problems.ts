/**
 * Problems are data (zod's issues-as-data style): every check in the bridge reports
 * `{file, line, column, path, code, message, severity}` instead of throwing, so one run can
 * show every problem of every file and reporters (text, JSON, CI annotations) render the same
 * objects.
 */

/** One step of a path into a document: a mapping key or a sequence index. */
export type PathSegment = string | number;
export type DocumentPath = readonly PathSegment[];

export type Severity = 'error' | 'warning';

/**
 * Stable problem codes. Reporters and tests branch on these, never on message text. The table
 * with cause and fix for each code is in bridge/README.md.
 */
export type ProblemCode =
  // YAML level
  | 'yaml_syntax'
  | 'multiple_documents'
  | 'duplicate_key'
  | 'non_string_key'
  | 'reserved_key'
  | 'merge_key'
  | 'unsupported_tag'
  | 'invalid_tagged_value'
  | 'invalid_plain_scalar'
  | 'undefined_alias'
  | 'alias_expansion_too_large'
  | 'timestamp_value'
  // document shape (mirrors ShoreGuard's 400 messages)
  | 'not_a_mapping'
  | 'missing_policy'
  | 'invalid_type'
  | 'out_of_range'
  | 'float_not_int'
  // semantic errors
  | 'unknown_section'
  | 'unknown_key'
  | 'tld_wildcard'
  // warnings
  | 'ignored_key'
  | 'unknown_key_tolerated'
  | 'target_mismatch'
  | 'missing_policy_hash'
  | 'policy_hash_not_string'
  | 'rule_name_mismatch'
  | 'missing_default_key'
  | 'non_canonical_empty_value'
  | 'duplicate_path'
  | 'ignored_change'
  // layout / discovery
  | 'invalid_target_name'
  | 'missing_target'
  | 'no_targets'
  // networked commands
  | 'missing_lock'
  | 'stray_file'
  | 'unreadable_path'
  | 'unreadable_file'
  // proposals / pull
  | 'unknown_chunk'
  // evidence receipts (verify-receipt)
  | 'receipt_malformed'
  | 'receipt_unsigned'
  | 'signature_invalid'
  | 'signature_not_checked'
  | 'key_mismatch'
  | 'statement_invalid'
  | 'receipt_inconsistent'
  | 'file_changed'
  | 'commit_not_recorded'
  // policy gates (--rules): the rule id is in `rule`
  | 'gate_finding';

export interface Problem {
  /** File the problem is in, as given by the caller (undefined for in-memory text). */
  readonly file?: string;
  /** 1-based line, when the problem has a position in the file. */
  readonly line?: number;
  /** 1-based column (UTF-16 code units), when the problem has a position. */
  readonly column?: number;
  /** Dotted path of the field, e.g. `policy.network_policies.github.endpoints[0].port`; '' for the whole file. */
  readonly path: string;
  readonly code: ProblemCode;
  readonly message: string;
  readonly severity: Severity;
  /** For `gate_finding`: the id of the rule that found it (`SG003`, or a rule file's id). */
  readonly rule?: string;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Renders a path the way users read it: `a.b[0].c`; keys that are not identifier-like are
 * bracketed and JSON-quoted (`network_policies["api.github.com"]`) so the path stays unambiguous.
 */
export function formatPath(path: DocumentPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

/** Orders problems by file, then position, then path, so output is stable across runs. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) =>
      (a.file ?? '').localeCompare(b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      a.path.localeCompare(b.path) ||
      a.code.localeCompare(b.code),
  );
}

/** `file:line:column: severity code: message (at path)`, the format compilers and CI matchers expect. */
export function formatProblem(problem: Problem): string {
  const where = [problem.file ?? '<input>', problem.line, problem.column].filter((x) => x !== undefined).join(':');
  const at = problem.path === '' ? '' : ` (at ${problem.path})`;
  return `${where}: ${problem.severity} ${problem.code}: ${problem.message}${at}`;
}
