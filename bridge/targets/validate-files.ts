/**
 * `validate` over many files, offline: every problem of every file, as a run report. The checks
 * themselves are validate.ts; this adds targets from the layout, the base-commit comparison and
 * the report.
 */
import { promises as fs } from 'node:fs';
import { DEFAULT_CONCURRENCY, mapConcurrent } from '../core/concurrency';
import { thrownText } from '../core/errors';
import type { PolicyLike } from '../document/diff';
import type { PolicySource } from './local';
import { formatProblem, hasErrors, sortProblems, type Problem, type Severity } from '../core/problems';
import { buildRunReport, targetReport, type ExitCodeStyle, type RunReport, type TargetReport } from '../report/report';
import { validatePolicyText } from '../document/validate';
import { evaluateGates } from '../gates/evaluate';
import type { RuleSet } from '../gates/ruleset';

export interface ValidateRunOptions {
  /**
   * Severity of metadata naming another gateway/sandbox than the file's location.
   * @default 'warning' (plan and apply refuse such a file)
   */
  readonly targetMismatch?: Severity;
  /** @default 'error' */
  readonly unknownSections?: Severity;
  /** Count warnings as failures. @default false */
  readonly failOnWarn?: boolean;
  /** The previous version of a file's policy, to warn about changes ShoreGuard would ignore. */
  readonly previousPolicy?: (source: PolicySource) => Promise<PolicyLike | undefined>;
  /** @default 'shoreguard' */
  readonly exitCodeStyle?: ExitCodeStyle;
  /** The policy gates (`--rules`): their findings are problems of the file, and the report's `gates`. */
  readonly gates?: RuleSet;
}

export async function validateSources(sources: readonly PolicySource[], options: ValidateRunOptions = {}, problems: readonly Problem[] = []): Promise<RunReport> {
  const targets = await mapConcurrent(sources, DEFAULT_CONCURRENCY, (source) => validateSource(source, options));
  return buildRunReport({
    command: 'validate',
    targets,
    problems,
    ...(options.exitCodeStyle === undefined ? {} : { exitCodeStyle: options.exitCodeStyle }),
  });
}

async function validateSource(source: PolicySource, options: ValidateRunOptions): Promise<TargetReport> {
  const base = { gateway: source.target?.gateway ?? null, sandbox: source.target?.sandbox ?? null, file: source.file };
  let text = source.text;
  if (text === undefined) {
    try {
      text = await fs.readFile(source.file, 'utf8');
    } catch (error) {
      const message = `cannot read file: ${thrownText(error)}`;
      const problem: Problem = { file: source.file, path: '', code: 'unreadable_file', message, severity: 'error' };
      return targetReport({ ...base, status: 'invalid', summary: message, problems: [problem] });
    }
  }
  const previousPolicy = options.previousPolicy ? await options.previousPolicy(source) : undefined;
  const result = validatePolicyText(text, {
    file: source.file,
    ...(source.target === undefined ? {} : { target: source.target }),
    ...(previousPolicy === undefined ? {} : { previousPolicy }),
    targetMismatch: options.targetMismatch ?? 'warning',
    unknownSections: options.unknownSections ?? 'error',
  });
  const metadata = result.parsed?.document.metadata;
  const gateway = base.gateway ?? (typeof metadata?.gateway === 'string' ? metadata.gateway : null);
  const sandbox = base.sandbox ?? (typeof metadata?.sandbox === 'string' ? metadata.sandbox : null);
  const gates =
    options.gates === undefined || result.parsed === undefined
      ? undefined
      : evaluateGates(options.gates, { document: result.parsed.document, source: result.parsed.source, text, target: { gateway, sandbox, file: source.file } });
  const problems = gates === undefined ? result.problems : sortProblems([...result.problems, ...gates.problems]);
  const errors = problems.filter((p) => p.severity === 'error');
  const warnings = problems.length - errors.length;
  const failed = hasErrors(problems) || (options.failOnWarn === true && warnings > 0);
  const first = errors[0] ?? problems[0];
  const summary = failed
    ? `${errors.length} error(s), ${warnings} warning(s)${first === undefined ? '' : `; first: ${formatProblem(first)}`}`
    : warnings > 0
      ? `valid, with ${warnings} warning(s)`
      : 'valid';
  return targetReport({
    gateway,
    sandbox,
    file: source.file,
    status: failed ? 'invalid' : 'valid',
    summary,
    problems,
    ...(gates === undefined ? {} : { gates: gates.summary }),
  });
}
