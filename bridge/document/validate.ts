/**
 * Offline validation of policy files, conftest-style: every problem of every file as data
 * (`{file, line, column, path, code, message, severity}`), nothing sent anywhere.
 *
 * Errors are what ShoreGuard would reject (400/500) or silently mangle; warnings are what it
 * accepts but what will surprise you later (ignored keys, no optimistic lock, rules that show
 * as changed on every diff). The table of codes with cause and fix is in bridge/README.md.
 */
import { promises as fs } from 'node:fs';
import { safeParsePolicyDocument, type ParsedPolicyDocument } from './canonical';
import { KNOWN_KEYS, type NetworkEndpoint, type NetworkPolicyRule, type Policy, type PolicyDocument } from './document';
import { explainIgnoredChanges, type PolicyLike } from './diff';
import { discoverTargets, type DiscoverOptions, type Target } from '../targets/layout';
import { formatPath, hasErrors, sortProblems, type PathSegment, type Problem, type ProblemCode, type Severity } from '../core/problems';

export interface ValidateOptions {
  /** File name for problems. */
  readonly file?: string;
  /** The target the file's location maps to; `metadata.gateway/sandbox` are checked against it. */
  readonly target?: Target;
  /**
   * A previous version of the policy (the live policy, or the file at the base commit). Changes
   * ShoreGuard's diff cannot see (landlock-only, version-only, …) are then reported.
   */
  readonly previousPolicy?: PolicyLike;
  /**
   * Severity of a `policy` section ShoreGuard does not know (it drops them silently).
   * @default 'error'
   */
  readonly unknownSections?: Severity;
  /**
   * Severity of `metadata.gateway`/`sandbox` naming another target than the file's path.
   * ShoreGuard ignores these fields, so a file copied from another sandbox applies without
   * complaint; the CLI may raise this to 'error'.
   * @default 'warning'
   */
  readonly targetMismatch?: Severity;
}

export interface ValidationResult {
  readonly file?: string;
  /** False when any problem is an error. */
  readonly ok: boolean;
  /** Sorted by position. */
  readonly problems: readonly Problem[];
  /** The parsed document, when it could be read (also when only semantic errors were found). */
  readonly parsed?: ParsedPolicyDocument;
}

/** Validates one document given as text. Never throws for bad input. */
export function validatePolicyText(text: string, options: ValidateOptions = {}): ValidationResult {
  const result = safeParsePolicyDocument(text, { file: options.file });
  if (!result.success) return finish(options.file, [...result.problems]);
  const checker = new DocumentChecker(result.parsed, options);
  checker.run();
  return finish(options.file, [...result.parsed.warnings, ...checker.problems], result.parsed);
}

/** Reads and validates one file; an unreadable file is a problem, not an exception. */
export async function validatePolicyFile(file: string, options: Omit<ValidateOptions, 'file'> = {}): Promise<ValidationResult> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return finish(file, [{ file, path: '', code: 'unreadable_file', message: `cannot read file: ${message}`, severity: 'error' }]);
  }
  return validatePolicyText(text, { ...options, file });
}

export interface TreeValidationOptions extends DiscoverOptions, Omit<ValidateOptions, 'file' | 'target' | 'previousPolicy'> {}

export interface TreeValidationResult {
  readonly ok: boolean;
  readonly files: readonly (ValidationResult & { readonly target: Target; readonly relativePath: string })[];
  /** Discovery problems (stray files, unreadable directories) and every file's problems. */
  readonly problems: readonly Problem[];
}

/** Discovers every target under `root` (layout.ts) and validates each file against its target. */
export async function validatePolicyTree(root: string, options: TreeValidationOptions = {}): Promise<TreeValidationResult> {
  const discovery = await discoverTargets(root, options);
  const files = [];
  for (const found of discovery.targets) {
    const result = await validatePolicyFile(found.file, { ...options, target: found.target });
    files.push({ ...result, target: found.target, relativePath: found.relativePath });
  }
  const problems = [...discovery.problems, ...files.flatMap((f) => f.problems)];
  return { ok: !hasErrors(problems), files, problems };
}

function finish(file: string | undefined, problems: Problem[], parsed?: ParsedPolicyDocument): ValidationResult {
  return { file, ok: !hasErrors(problems), problems: sortProblems(problems), ...(parsed === undefined ? {} : { parsed }) };
}

const SECTION_HINTS: Readonly<Record<string, string>> = {
  filesystem_policy:
    "ShoreGuard writes 'filesystem_policy' but its diff ignores it, so changes to it report up_to_date; use 'filesystem'",
  network:
    "this is the layout from ShoreGuard's docs; the server reads 'network_policies', and applying this in replace mode wipes every network rule",
  rules: "ShoreGuard reads network rules from 'network_policies'; this key is dropped and replace mode wipes the network rules",
};

/** Keys ShoreGuard's export omits when empty/false (§10.1): writing them makes a rule look changed. */
const OMITTED_WHEN_EMPTY = ['protocol', 'tls', 'enforcement', 'access', 'allow_encoded_slash', 'rules', 'deny_rules', 'allowed_ips', 'ports'] as const;

const SHOWS_CHANGED = 'so this rule shows as changed on every diff';
const MISSING_HINT = `${SHOWS_CHANGED} (start from an export, or write the key out)`;
const EMPTY_HINT = `${SHOWS_CHANGED} (remove the key)`;

class DocumentChecker {
  readonly problems: Problem[] = [];
  private readonly document: PolicyDocument;

  constructor(
    private readonly parsed: ParsedPolicyDocument,
    private readonly options: ValidateOptions,
  ) {
    this.document = parsed.document;
  }

  run(): void {
    this.checkTopLevel();
    this.checkMetadata();
    const policy = this.document.policy;
    this.checkSections(policy);
    this.checkFilesystem(policy);
    for (const [key, rule] of Object.entries(policy.network_policies ?? {})) this.checkRule(key, rule);
    if (this.options.previousPolicy !== undefined) this.checkIgnoredChanges(policy);
  }

  private checkTopLevel(): void {
    for (const key of unknownKeys(this.document, KNOWN_KEYS.document)) {
      this.warn('ignored_key', `ShoreGuard reads only 'policy' and 'metadata'; '${key}' is ignored and dropped from the canonical form`, [key], 'key');
    }
  }

  private checkMetadata(): void {
    const metadata = this.document.metadata;
    for (const key of unknownKeys(metadata ?? {}, KNOWN_KEYS.metadata)) {
      this.warn('ignored_key', `unknown metadata key '${key}' is ignored by ShoreGuard and dropped from the canonical form`, ['metadata', key], 'key');
    }
    const hash = metadata?.policy_hash;
    if (hash === undefined || hash === '') {
      this.warn(
        'missing_policy_hash',
        'metadata.policy_hash is missing, so the apply has no optimistic lock: it overwrites changes made since the file was written (export the policy to get the hash)',
        metadata === undefined ? [] : ['metadata'],
      );
    }
    const target = this.options.target;
    if (target === undefined || metadata === undefined) return;
    for (const field of ['gateway', 'sandbox'] as const) {
      const named = metadata[field];
      if (named !== undefined && named !== target[field]) {
        this.report(
          'target_mismatch',
          `metadata.${field} is '${named}' but the file's location is for ${field} '${target[field]}'; ShoreGuard ignores metadata, so this file would be applied to '${target[field]}'`,
          ['metadata', field],
          this.options.targetMismatch ?? 'warning',
        );
      }
    }
  }

  private checkSections(policy: Policy): void {
    for (const key of unknownKeys(policy, KNOWN_KEYS.policy)) {
      const hint = SECTION_HINTS[key] ?? "ShoreGuard only reads version, filesystem, process, landlock and network_policies and drops anything else silently";
      this.report('unknown_section', `unknown policy section '${key}': ${hint}`, ['policy', key], this.options.unknownSections ?? 'error', 'key');
    }
    for (const name of ['filesystem', 'process', 'landlock'] as const) {
      const section = policy[name];
      if (section === undefined) continue;
      for (const key of unknownKeys(section, KNOWN_KEYS[name])) {
        const known = [...KNOWN_KEYS[name]].join(', ');
        this.report('unknown_key', `unknown key '${key}' in ${name} (known: ${known}); ShoreGuard would drop it silently`, ['policy', name, key], 'error', 'key');
      }
    }
  }

  private checkFilesystem(policy: Policy): void {
    for (const list of ['read_only', 'read_write'] as const) {
      const paths = policy.filesystem?.[list] ?? [];
      const seen = new Set<string>();
      paths.forEach((entry, index) => {
        if (seen.has(entry)) {
          this.warn('duplicate_path', `'${entry}' is listed twice in filesystem.${list}; ShoreGuard compares these lists as sets`, ['policy', 'filesystem', list, index]);
        }
        seen.add(entry);
      });
    }
  }

  private checkRule(key: string, rule: NetworkPolicyRule): void {
    const at = ['policy', 'network_policies', key];
    this.tolerateUnknown(rule, KNOWN_KEYS.networkRule, at, 'network rule');
    if (rule.name === undefined) this.missingDefault(at, 'name', `name: ${key}`);
    else if (rule.name !== key) {
      this.warn('rule_name_mismatch', `network rule '${key}' has name '${rule.name}'; ShoreGuard's exports use the key as the name`, [...at, 'name']);
    }
    if (rule.endpoints === undefined) this.missingDefault(at, 'endpoints', 'endpoints: []');
    if (rule.binaries === undefined) this.missingDefault(at, 'binaries', 'binaries: []');
    rule.endpoints?.forEach((endpoint, index) => this.checkEndpoint(endpoint, [...at, 'endpoints', index]));
    rule.binaries?.forEach((binary, index) => {
      const here = [...at, 'binaries', index];
      this.tolerateUnknown(binary, KNOWN_KEYS.binary, here, 'binary');
      if (binary.path === undefined) this.missingDefault(here, 'path', "path: ''");
    });
  }

  private checkEndpoint(endpoint: NetworkEndpoint, at: PathSegment[]): void {
    this.tolerateUnknown(endpoint, KNOWN_KEYS.endpoint, at, 'endpoint');
    if (endpoint.host === undefined) this.missingDefault(at, 'host', "host: ''");
    else checkHostPattern(endpoint.host, (message) => this.report('tld_wildcard', message, [...at, 'host'], 'error'));
    if (endpoint.port === undefined) this.missingDefault(at, 'port', 'port: 0');
    for (const key of OMITTED_WHEN_EMPTY) {
      const value = endpoint[key];
      if (value === '' || value === false || (Array.isArray(value) && value.length === 0)) {
        this.warn('non_canonical_empty_value', `ShoreGuard's export omits an empty '${key}', ${EMPTY_HINT}`, [...at, key], 'key');
      }
    }
    endpoint.rules?.forEach((rule, index) => {
      const here = [...at, 'rules', index];
      this.tolerateUnknown(rule, KNOWN_KEYS.l7Rule, here, 'L7 rule');
      if (rule.allow === undefined) this.missingDefault(here, 'allow', "allow: {method: '', path: '', command: ''}");
      else this.checkMatch(rule.allow, [...here, 'allow']);
    });
    endpoint.deny_rules?.forEach((rule, index) => this.checkMatch(rule, [...at, 'deny_rules', index]));
  }

  private checkMatch(match: NonNullable<NetworkEndpoint['deny_rules']>[number], at: PathSegment[]): void {
    this.tolerateUnknown(match, KNOWN_KEYS.l7Match, at, 'L7 match');
    for (const key of ['method', 'path', 'command'] as const) {
      if (match[key] === undefined) this.missingDefault(at, key, `${key}: ''`);
    }
    if (match.query === undefined) return;
    if (Object.keys(match.query).length === 0) {
      this.warn('non_canonical_empty_value', `ShoreGuard's export omits an empty 'query', ${EMPTY_HINT}`, [...at, 'query'], 'key');
    }
    for (const [param, matcher] of Object.entries(match.query)) {
      const here = [...at, 'query', param];
      this.tolerateUnknown(matcher, KNOWN_KEYS.queryMatcher, here, 'query matcher');
      if (matcher.glob === '' || (matcher.any !== undefined && matcher.any.length === 0)) {
        const key = matcher.glob === '' ? 'glob' : 'any';
        this.warn('non_canonical_empty_value', `ShoreGuard's export omits an empty '${key}', ${EMPTY_HINT}`, [...here, key], 'key');
      }
    }
  }

  private checkIgnoredChanges(policy: Policy): void {
    for (const change of explainIgnoredChanges(this.options.previousPolicy, policy)) {
      this.warn('ignored_change', change.message, ['policy', change.section], 'key');
    }
  }

  private tolerateUnknown(value: object, known: ReadonlySet<string>, at: PathSegment[], what: string): void {
    for (const key of unknownKeys(value, known)) {
      this.warn(
        'unknown_key_tolerated',
        `'${key}' is not a ${what} field of ShoreGuard 0.34; kept for newer versions (e.g. GraphQL fields), but an older server drops it and the rule then shows as changed`,
        [...at, key],
        'key',
      );
    }
  }

  private missingDefault(at: PathSegment[], key: string, example: string): void {
    this.warn('missing_default_key', `'${key}' is missing (ShoreGuard's export always writes \`${example}\`), ${MISSING_HINT}`, at);
  }

  private warn(code: ProblemCode, message: string, path: PathSegment[], target: 'value' | 'key' = 'value'): void {
    this.report(code, message, path, 'warning', target);
  }

  private report(code: ProblemCode, message: string, path: PathSegment[], severity: Severity, target: 'value' | 'key' = 'value'): void {
    const position = this.parsed.source.locate(path, target);
    this.problems.push({
      file: this.options.file,
      line: position?.line,
      column: position?.column,
      path: formatPath(path),
      code,
      message,
      severity,
    });
  }
}

function unknownKeys(value: object, known: ReadonlySet<string>): string[] {
  return Object.keys(value).filter((key) => !known.has(key));
}

/** ShoreGuard's `_validate_host_pattern`: `*.` followed by a single label (`*.com`) is rejected. */
export function checkHostPattern(host: string, onError: (message: string) => void): void {
  if (!host.startsWith('*.')) return;
  const suffix = host.slice(2);
  if (!suffix.includes('.')) {
    onError(
      `host pattern '${host}' wildcards at the TLD level; ShoreGuard rejects it (HTTP 500 on apply). Use a more specific suffix like '*.example.${suffix}'`,
    );
  }
}
