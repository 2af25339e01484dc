/**
 * GitHub Actions workflow commands for a run report: `::error file=…,line=…::` annotations on the
 * policy files (validation problems, pins, conflicts, failures) and `::notice` for drift and
 * recorded votes. GitHub shows at most 10 annotations of each kind per step, so beyond that the
 * last slot says how many were left out (the step summary has them all).
 */
import type { Problem } from '../core/problems';
import { targetLabel, type RunReport } from './report';

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface Annotation {
  readonly level: AnnotationLevel;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly title?: string;
}

/** GitHub's per-step display limit for each annotation level. */
export const ANNOTATIONS_PER_LEVEL = 10;

/** Every annotation the report calls for, before limits. */
export function collectAnnotations(report: RunReport): Annotation[] {
  const annotations: Annotation[] = report.problems.map((p) => problemAnnotation(p));
  for (const target of report.targets) {
    const title = `shoreguard-gitops ${report.command}: ${targetLabel(target)}`;
    const file = target.file ?? undefined;
    // Validation problems point at their line; the target's own outcome points at the file.
    annotations.push(...target.problems.map((p) => problemAnnotation(p, title)));
    for (const proposal of target.proposals ?? []) {
      if (proposal.securityFlagged) annotations.push({ level: 'warning', message: `security-flagged proposal ${proposal.chunkId} (${proposal.ruleName}): ${proposal.securityNotes}`, title, ...(file === undefined ? {} : { file }) });
    }
    if (target.status === 'invalid') continue;
    const message = `${target.status}: ${target.summary}${target.next === undefined ? '' : `\nNext: ${target.next}`}`;
    if (target.result === 'error') annotations.push({ level: 'error', message, title, ...(file === undefined ? {} : { file }) });
    else if (target.result === 'changes') annotations.push({ level: 'notice', message, title, ...(file === undefined ? {} : { file }) });
  }
  return annotations;
}

/** The workflow-command lines, at most `perLevel` per level. */
export function renderGithubAnnotations(report: RunReport, perLevel: number = ANNOTATIONS_PER_LEVEL): string[] {
  const byLevel = new Map<AnnotationLevel, Annotation[]>();
  for (const annotation of collectAnnotations(report)) {
    const list = byLevel.get(annotation.level) ?? [];
    list.push(annotation);
    byLevel.set(annotation.level, list);
  }
  const lines: string[] = [];
  for (const level of ['error', 'warning', 'notice'] as const) {
    const list = byLevel.get(level) ?? [];
    const shown = list.length > perLevel ? list.slice(0, perLevel - 1) : list;
    lines.push(...shown.map(formatAnnotation));
    if (shown.length < list.length) {
      lines.push(formatAnnotation({ level, message: `${list.length - shown.length} more ${level} annotation(s) not shown (GitHub displays ${perLevel} per step); see the step summary` }));
    }
  }
  return lines;
}

export function formatAnnotation(annotation: Annotation): string {
  const properties = [
    annotation.file === undefined ? undefined : `file=${escapeProperty(annotation.file)}`,
    annotation.line === undefined ? undefined : `line=${annotation.line}`,
    annotation.column === undefined ? undefined : `col=${annotation.column}`,
    annotation.title === undefined ? undefined : `title=${escapeProperty(annotation.title)}`,
  ].filter((p): p is string => p !== undefined);
  return `::${annotation.level}${properties.length > 0 ? ` ${properties.join(',')}` : ''}::${escapeData(annotation.message)}`;
}

function problemAnnotation(problem: Problem, title?: string): Annotation {
  return {
    level: problem.severity === 'error' ? 'error' : 'warning',
    message: `${problem.code}: ${problem.message}${problem.path === '' ? '' : ` (at ${problem.path})`}`,
    ...(problem.file === undefined ? {} : { file: problem.file }),
    ...(problem.line === undefined ? {} : { line: problem.line }),
    ...(problem.column === undefined ? {} : { column: problem.column }),
    ...(title === undefined ? {} : { title }),
  };
}

// The escaping of @actions/core (command.ts): data escapes %, CR, LF; properties also : and ,.
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
