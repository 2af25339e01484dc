/**
 * The local side of plan/apply/sync: which files are in play, which target each belongs to, and
 * whether each is fit to send. Nothing here talks to a server; a file that fails these checks is
 * never sent (a pinned sandbox answers 423 even for malformed YAML, hiding the 400).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { canonicalize } from '../document/canonical';
import type { PolicyDocument } from '../document/document';
import type { PolicyLike } from '../document/diff';
import { thrownText } from '../core/errors';
import { discoverTargets, isValidTargetName, PolicyLayout, type DiscoverOptions, type Target } from './layout';
import { hasErrors, sortProblems, type Problem, type Severity } from '../core/problems';
import type { SourceIndex } from '../document/source';
import { validatePolicyText } from '../document/validate';
import { evaluateGates } from '../gates/evaluate';
import type { RuleSet } from '../gates/ruleset';
import type { GateSummary } from '../report/gates';

/** A policy file and, when known from its location or the command line, its target. */
export interface PolicySource {
  /** Path as the user gave it (kept relative for CI annotations); `-` reads `text` from stdin. */
  readonly file: string;
  readonly target?: Target;
  /** The file's content when already read (stdin, tests). */
  readonly text?: string;
}

/** A file that passed the checks and is ready to send. */
export interface PreparedPolicy {
  readonly target: Target;
  readonly file: string | null;
  readonly document: PolicyDocument;
  /** The one canonical byte form: what is sent, so every voter lands in the same vote pool. */
  readonly canonical: string;
  /** Warnings found (errors make the file unusable). */
  readonly problems: readonly Problem[];
  /** Locates fields of the file, for problems found later (e.g. ignored changes). */
  readonly source?: SourceIndex;
  /** What the policy gates found, when a rule set was given. */
  readonly gates?: GateSummary;
}

export type LoadedPolicy =
  | ({ readonly ok: true } & PreparedPolicy)
  | {
      readonly ok: false;
      readonly target: Target | null;
      readonly file: string;
      readonly problems: readonly Problem[];
      /** The file's text, when it could be read (receipts attest these bytes). */
      readonly text?: string;
      readonly gates?: GateSummary;
    };

export interface LoadOptions {
  /**
   * Severity of `metadata.gateway/sandbox` naming another target than the file's location.
   * @default 'error' (a file for the wrong sandbox must not be applied; `validate` warns instead)
   */
  readonly targetMismatch?: Severity;
  /** @default 'error' */
  readonly unknownSections?: Severity;
  /** Treat warnings as errors. @default false */
  readonly failOnWarn?: boolean;
  /**
   * Require an optimistic lock (`metadata.policy_hash`, or `expectedVersion`): `apply` refuses a
   * document without one unless forced. @default false
   */
  readonly requireLock?: boolean;
  /** The lock given on the command line (`--expected-version`); satisfies `requireLock`. */
  readonly expectedVersion?: string;
  /** The previous version of a file's policy (e.g. at the base commit), to warn about ignored changes. */
  readonly previousPolicy?: (source: PolicySource) => Promise<PolicyLike | undefined>;
  /** The policy gates (`--rules`): an error-severity finding keeps the file from being sent. */
  readonly gates?: RuleSet;
}

/** Reads, validates and canonicalizes one file. Never throws for bad input. */
export async function loadPolicy(source: PolicySource, options: LoadOptions = {}): Promise<LoadedPolicy> {
  const file = source.file;
  let text = source.text;
  if (text === undefined) {
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      return failed(source, [{ file, path: '', code: 'unreadable_file', message: `cannot read file: ${thrownText(error)}`, severity: 'error' }]);
    }
  }
  const previousPolicy = options.previousPolicy ? await options.previousPolicy(source) : undefined;
  const validation = validatePolicyText(text, {
    file,
    ...(source.target === undefined ? {} : { target: source.target }),
    ...(previousPolicy === undefined ? {} : { previousPolicy }),
    targetMismatch: options.targetMismatch ?? 'error',
    unknownSections: options.unknownSections ?? 'error',
  });
  const problems = [...validation.problems];
  const parsed = validation.parsed;
  if (parsed === undefined) return failed(source, problems, undefined, text);

  const metadata = parsed.document.metadata;
  const target = source.target ?? targetFromMetadata(metadata);
  const gates =
    options.gates === undefined
      ? undefined
      : evaluateGates(options.gates, { document: parsed.document, source: parsed.source, text, target: { gateway: target?.gateway ?? null, sandbox: target?.sandbox ?? null, file } });
  if (gates !== undefined) problems.push(...gates.problems);
  const gateSummary = gates === undefined ? {} : { gates: gates.summary };
  if (target === undefined) {
    problems.push({
      file,
      path: 'metadata',
      code: 'missing_target',
      message:
        'cannot tell which sandbox this file is for: pass -g/-s, keep the file under --dir in the layout, or set metadata.gateway and metadata.sandbox',
      severity: 'error',
    });
  }
  if (options.requireLock && !nonEmpty(options.expectedVersion) && !nonEmpty(metadata?.policy_hash)) {
    // The warning becomes a refusal; keep one problem, not two.
    const index = problems.findIndex((p) => p.code === 'missing_policy_hash');
    const position = index >= 0 ? problems.splice(index, 1)[0] : undefined;
    problems.push({
      file,
      ...(position?.line === undefined ? {} : { line: position.line, column: position.column }),
      path: 'metadata.policy_hash',
      code: 'missing_lock',
      message:
        'apply refuses a document without an optimistic lock: export the policy to get metadata.policy_hash, pass --expected-version, or --force-unlocked to overwrite whatever is live',
      severity: 'error',
    });
  }
  const blocking = hasErrors(problems) || (options.failOnWarn === true && problems.length > 0);
  if (blocking || target === undefined) return { ...failed(source, problems, target, text), ...gateSummary };
  return {
    ...gateSummary,
    ok: true,
    target,
    file: source.file,
    document: parsed.document,
    canonical: canonicalize(parsed.document),
    problems: sortProblems(problems),
    source: parsed.source,
  };
}

/** A document given as text (library use): throws nothing, like `loadPolicy`. */
export async function preparePolicyText(text: string, target: Target, options: LoadOptions & { readonly file?: string } = {}): Promise<LoadedPolicy> {
  return loadPolicy({ file: options.file ?? '<input>', target, text }, options);
}

function failed(source: PolicySource, problems: readonly Problem[], target?: Target, text?: string): LoadedPolicy {
  return { ok: false, target: target ?? source.target ?? null, file: source.file, problems: sortProblems(problems), ...(text === undefined ? {} : { text }) };
}

function targetFromMetadata(metadata: PolicyDocument['metadata']): Target | undefined {
  const gateway = metadata?.gateway;
  const sandbox = metadata?.sandbox;
  if (typeof gateway !== 'string' || typeof sandbox !== 'string') return undefined;
  if (!isValidTargetName(gateway) || !isValidTargetName(sandbox)) return undefined;
  return { gateway, sandbox };
}

export interface TreeSelection extends DiscoverOptions {
  /** The policy root (`--dir`). */
  readonly root: string;
  /** Only these files (e.g. the ones a pull request changed); each must lie under `root`. @default every file */
  readonly files?: readonly string[];
}

export interface SourceList {
  readonly sources: readonly PolicySource[];
  /** Stray files, unreadable directories, an empty selection. */
  readonly problems: readonly Problem[];
}

/**
 * The files of a policy tree with their targets from the layout (the layout maps paths to
 * targets one to one). An empty selection is an error: it usually means a wrong --dir.
 */
export async function selectTreeSources(selection: TreeSelection): Promise<SourceList> {
  const problems: Problem[] = [];
  const sources: PolicySource[] = [];
  if (selection.files === undefined) {
    const discovery = await discoverTargets(selection.root, selection);
    problems.push(...discovery.problems);
    for (const found of discovery.targets) sources.push({ file: found.file, target: found.target });
  } else {
    const layout = new PolicyLayout(selection);
    const given = new Set<string>();
    for (const file of selection.files) {
      // The same file named twice (e.g. by a glob and a diff list) is one target.
      if (given.has(path.resolve(file))) continue;
      given.add(path.resolve(file));
      const relative = path.relative(selection.root, file);
      if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
        problems.push({ file, path: '', code: 'stray_file', message: `${file} is not inside the policy root ${selection.root}`, severity: 'error' });
        continue;
      }
      const match = layout.match(relative);
      if (match.matched) sources.push({ file, target: match.target });
      else {
        const code = match.reason === 'invalid_name' ? 'invalid_target_name' : 'stray_file';
        problems.push({ file, path: '', code, message: `${relative} ${match.message}`, severity: 'error' });
      }
    }
  }
  if (sources.length === 0 && !hasErrors(problems)) {
    problems.push({
      file: selection.root,
      path: '',
      code: 'no_targets',
      message: `no policy files found under ${selection.root} matching the layout ${JSON.stringify(selection.pattern ?? '{gateway}/{sandbox}.yaml')}`,
      severity: 'error',
    });
  }
  return { sources, problems };
}

function nonEmpty(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}

