/**
 * Reading a policy document (`parsePolicyDocument`) and writing its one canonical byte form
 * (`canonicalize`, `fromExport`).
 *
 * The canonical form is what the bridge writes to Git and sends to ShoreGuard: the banner line,
 * then `metadata` (gateway, policy_hash, sandbox, version — no `exported_at`) and `policy`,
 * serialized like ShoreGuard's own `render_yaml` (emitter.ts). Consequences:
 * - re-exporting an unchanged policy gives identical bytes;
 * - CRLF/LF, key order, comments, quoting style and indentation of the input do not matter, so
 *   two voters on different machines send the same bytes and land in the same vote pool (§10.7);
 * - a ShoreGuard export with its `exported_at` line removed is already canonical.
 */
import type { z } from 'zod';
import { safeDumpBlock } from './emitter';
import { PolicyDocumentError } from '../core/errors';
import { PolicyDocumentSchema, type Policy, type PolicyDocument, type PolicyMetadata } from './document';
import { formatPath, type PathSegment, type Problem, type ProblemCode } from '../core/problems';
import { composeYaml, describeValue, type ComposeResult, type SourceIndex } from './source';
import { isMapping } from '../core/json';

export const MANAGED_BY_BANNER = '# managed-by: shoreguard-gitops';

/** Metadata fields kept in the canonical form, in the order ShoreGuard sorts them. */
const CANONICAL_METADATA_KEYS = ['gateway', 'policy_hash', 'sandbox', 'version'] as const;

/** Metadata fields read from their source text when YAML 1.1 would type them (trap 21). */
const STRING_METADATA_KEYS = ['gateway', 'sandbox', 'policy_hash'] as const;

/** Integer fields where a YAML float (`443.0`) would reach protobuf as a float and fail. */
function isIntegerField(path: readonly PathSegment[]): boolean {
  const [root, section, , list, index, field, item] = path;
  if (path.length === 2) return (root === 'policy' || root === 'metadata') && section === 'version';
  const inEndpoint = root === 'policy' && section === 'network_policies' && list === 'endpoints' && typeof index === 'number';
  if (path.length === 6) return inEndpoint && field === 'port';
  return path.length === 7 && inEndpoint && field === 'ports' && typeof item === 'number';
}

export interface ParseOptions {
  /** File name used in problems and errors. */
  readonly file?: string;
}

export interface ParsedPolicyDocument {
  readonly document: PolicyDocument;
  /** Locates any path of the document in the source text. */
  readonly source: SourceIndex;
  readonly file?: string;
  /** Warnings found while reading (e.g. an unquoted numeric `policy_hash`); validate.ts adds more. */
  readonly warnings: readonly Problem[];
}

export type SafeParseResult =
  | { readonly success: true; readonly parsed: ParsedPolicyDocument }
  | { readonly success: false; readonly problems: readonly Problem[]; readonly source?: SourceIndex };

/**
 * Parses and type-checks a policy document. Never throws for bad input: malformed YAML, wrong
 * types and missing sections come back as problems with file, line, column and path.
 */
export function safeParsePolicyDocument(text: string, options: ParseOptions = {}): SafeParseResult {
  const composed = composeYaml(text, options.file);
  const reader = new ProblemCollector(composed.source, options.file);
  reader.add(composed.problems);
  if (reader.hasErrors()) return { success: false, problems: reader.problems, source: composed.source };

  const shapeError = checkDocumentShape(composed.value);
  if (shapeError !== undefined) {
    reader.report(shapeError.code, shapeError.message, shapeError.path);
    return { success: false, problems: reader.problems, source: composed.source };
  }
  const raw = composed.value as Record<string, unknown>;
  const warnings = restoreStringMetadata(raw, composed, reader);

  const result = PolicyDocumentSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    for (const issue of result.error.issues) reader.reportIssue(issue);
  }
  reportFloatsInIntegerFields(composed.floatPaths, reader);
  if (!result.success || reader.hasErrors()) {
    return { success: false, problems: reader.problems, source: composed.source };
  }
  return {
    success: true,
    parsed: { document: result.data, source: composed.source, file: options.file, warnings },
  };
}

/** Like `safeParsePolicyDocument`, but throws `PolicyDocumentError` (carrying the problems). */
export function parsePolicyDocument(text: string, options: ParseOptions = {}): ParsedPolicyDocument {
  const result = safeParsePolicyDocument(text, options);
  if (!result.success) throw new PolicyDocumentError(result.problems, options.file);
  return result.parsed;
}

/** The one canonical byte form of a document (see the module comment). */
export function canonicalize(document: PolicyDocument): string {
  return render(document.metadata, document.policy);
}

/** Parse + canonicalize in one step; throws `PolicyDocumentError` for unusable input. */
export function canonicalizeText(text: string, options: ParseOptions = {}): string {
  return canonicalize(parsePolicyDocument(text, options).document);
}

/** The fields of ShoreGuard's `GET …/policy/export` response (§10.2). */
export interface PolicyExport {
  readonly yaml: string;
  readonly gateway: string;
  readonly sandbox: string;
  /** The OpenShell revision number (`active_version`), 0 if none. */
  readonly version: number;
  /** The JSON `policy_hash` ("" when the sandbox has no revision). */
  readonly policyHash: string;
}

export interface CanonicalDocument {
  readonly text: string;
  readonly document: PolicyDocument;
}

/**
 * Builds the canonical document from an export response. The metadata comes from the JSON
 * fields — the JSON `policy_hash` is a string by construction, whereas the one inside the YAML
 * may have been typed by a parser (trap 21). Only the `policy` block is taken from the YAML.
 */
export function fromExport(exported: PolicyExport): CanonicalDocument {
  const file = `export of ${exported.gateway}/${exported.sandbox}`;
  const composed = composeYaml(exported.yaml, file);
  const reader = new ProblemCollector(composed.source, file);
  reader.add(composed.problems);
  const shapeError = reader.hasErrors() ? undefined : checkDocumentShape(composed.value);
  if (shapeError !== undefined) reader.report(shapeError.code, shapeError.message, shapeError.path);
  if (reader.hasErrors()) throw new PolicyDocumentError(reader.problems, file);

  const metadata: PolicyMetadata = {
    gateway: exported.gateway,
    sandbox: exported.sandbox,
    version: exported.version,
    ...(exported.policyHash === '' ? {} : { policy_hash: exported.policyHash }),
  };
  const policy = (composed.value as Record<string, unknown>)['policy'];
  const result = PolicyDocumentSchema.safeParse({ metadata, policy }, { reportInput: true });
  if (!result.success) {
    for (const issue of result.error.issues) reader.reportIssue(issue);
    throw new PolicyDocumentError(reader.problems, file);
  }
  return { text: canonicalize(result.data), document: result.data };
}

function render(metadata: PolicyMetadata | undefined, policy: Policy): string {
  const document: Record<string, unknown> = { policy };
  if (metadata !== undefined) {
    const kept: Record<string, unknown> = {};
    for (const key of CANONICAL_METADATA_KEYS) {
      const value = metadata[key];
      // ShoreGuard omits an empty hash; an empty hash means "no lock" anyway (§10.5 step 5).
      if (value !== undefined && !(key === 'policy_hash' && value === '')) kept[key] = value;
    }
    if (Object.keys(kept).length > 0) document['metadata'] = kept;
  }
  return `${MANAGED_BY_BANNER}\n${safeDumpBlock(document)}`;
}

/** The checks ShoreGuard's `parse_yaml` makes, with its messages (§10.5 step 4). */
function checkDocumentShape(value: unknown): { code: ProblemCode; message: string; path: PathSegment[] } | undefined {
  if (!isMapping(value)) {
    return { code: 'not_a_mapping', message: `Top-level YAML must be a mapping (got ${describeValue(value ?? null)})`, path: [] };
  }
  if (!Object.hasOwn(value, 'policy')) return { code: 'missing_policy', message: "Missing required 'policy' key", path: [] };
  if (!isMapping(value['policy'])) {
    return { code: 'invalid_type', message: `'policy' must be a mapping (got ${describeValue(value['policy'])})`, path: ['policy'] };
  }
  const metadata = value['metadata'];
  // ShoreGuard reads `metadata:` with no value as {}.
  if (metadata === null) delete value['metadata'];
  else if (metadata !== undefined && !isMapping(metadata)) {
    return { code: 'invalid_type', message: `'metadata' must be a mapping (got ${describeValue(metadata)})`, path: ['metadata'] };
  }
  return undefined;
}

/**
 * Trap 21: an unquoted hash such as `123456` is a number to YAML parsers. ShoreGuard compares
 * the hash as a string, so the bridge reads these fields from their source text. A hash that
 * PyYAML itself types is a real hazard (the server's lock would compare int to str and 409
 * forever), which the warning says; the canonical form quotes it.
 */
function restoreStringMetadata(raw: Record<string, unknown>, composed: ComposeResult, reader: ProblemCollector): Problem[] {
  const metadata = raw['metadata'];
  const warnings: Problem[] = [];
  if (!isMapping(metadata)) return warnings;
  for (const key of STRING_METADATA_KEYS) {
    const value = metadata[key];
    if (typeof value !== 'number' && typeof value !== 'boolean') continue;
    const scalar = composed.source.rawScalar(['metadata', key]);
    if (scalar === undefined) continue;
    metadata[key] = scalar.text;
    if (key === 'policy_hash') {
      warnings.push(
        reader.problem(
          'policy_hash_not_string',
          `policy_hash ${scalar.text} is unquoted and ShoreGuard's YAML parser reads it as ${describeValue(value)}, ` +
            `so its optimistic lock would never match (409); quote it: '${scalar.text}' (the canonical form does)`,
          ['metadata', key],
          'warning',
        ),
      );
    }
  }
  return warnings;
}

function reportFloatsInIntegerFields(floatPaths: readonly PathSegment[][], reader: ProblemCollector): void {
  for (const path of floatPaths) {
    if (isIntegerField(path)) {
      reader.report('float_not_int', 'expected an integer, got a float; write it without a decimal point', path);
    }
  }
}


/** Builds positioned problems for one file. */
class ProblemCollector {
  readonly problems: Problem[] = [];

  constructor(
    private readonly source: SourceIndex,
    private readonly file: string | undefined,
  ) {}

  add(problems: readonly Problem[]): void {
    this.problems.push(...problems);
  }

  hasErrors(): boolean {
    return this.problems.some((p) => p.severity === 'error');
  }

  problem(code: ProblemCode, message: string, path: readonly PathSegment[], severity: 'error' | 'warning' = 'error', target: 'value' | 'key' = 'value'): Problem {
    const position = this.source.locate(path, target);
    return { file: this.file, line: position?.line, column: position?.column, path: formatPath(path), code, message, severity };
  }

  report(code: ProblemCode, message: string, path: readonly PathSegment[]): void {
    this.problems.push(this.problem(code, message, path));
  }

  reportIssue(issue: z.core.$ZodIssue): void {
    const path = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
    const [code, message] = describeIssue(issue);
    this.report(code, message, path);
  }
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  int: 'an integer',
  number: 'a number',
  boolean: 'a boolean (true/false)',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

function describeIssue(issue: z.core.$ZodIssue): [ProblemCode, string] {
  const got = 'input' in issue ? describeValue(issue.input ?? null) : 'another value';
  switch (issue.code) {
    case 'invalid_type': {
      const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
      return ['invalid_type', `expected ${expected}, got ${got}${typeHint(issue.expected, issue.input)}`];
    }
    case 'too_big':
      return ['out_of_range', `must be at most ${String(issue.maximum)}, got ${got}`];
    case 'too_small':
      return ['out_of_range', `must be at least ${String(issue.minimum)}, got ${got}`];
    default:
      return ['invalid_type', issue.message];
  }
}

function typeHint(expected: string, input: unknown): string {
  if (expected === 'string' && (typeof input === 'number' || typeof input === 'boolean' || input === null)) {
    return " (ShoreGuard's YAML 1.1 parser reads digits as numbers and yes/no/on/off as booleans: quote the value)";
  }
  if ((expected === 'object' || expected === 'record' || expected === 'array') && input === null) {
    return expected === 'array' ? ' (write [] or remove the key)' : ' (write {} or remove the key)';
  }
  return '';
}
