/**
 * The human rendering of a run report: one headline per target with its status, what stands in
 * the way up front (pin, votes, conflict), the diff in ShoreGuard's line format, problems, and
 * what to do next. Colour only when asked (the CLI asks on a TTY).
 */
import { renderDiffLines } from './diff-render';
import { formatProblem } from '../core/problems';
import { describeGates, describeSuppressed } from './gates';
import { describeVotes, STATUS_ORDER, targetLabel, type ResultClass, type RunReport, type TargetReport } from './report';

export interface TextRenderOptions {
  /** ANSI colours. @default false */
  readonly color?: boolean;
  /** Print clean targets with nothing to add (no problems, no next step) as one line only. @default true */
  readonly compactClean?: boolean;
}

const ANSI = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;
type Style = keyof typeof ANSI;

const CLASS_STYLE: Readonly<Record<ResultClass, Style>> = { clean: 'green', changes: 'yellow', error: 'red' };

export function renderText(report: RunReport, options: TextRenderOptions = {}): string {
  const paint = (style: Style, text: string) => (options.color ? `\u001b[${ANSI[style]}m${text}\u001b[0m` : text);
  const lines: string[] = [];
  for (const problem of report.problems) lines.push(paint(problem.severity === 'error' ? 'red' : 'yellow', formatProblem(problem)));
  for (const target of report.targets) lines.push(...renderTarget(target, paint, options.compactClean ?? true));
  lines.push(footer(report, paint));
  return `${lines.join('\n')}\n`;
}

function renderTarget(target: TargetReport, paint: (style: Style, text: string) => string, compactClean: boolean): string[] {
  const file = target.file !== null && target.gateway !== null ? paint('dim', ` (${target.file})`) : '';
  const lines = [`${paint('bold', targetLabel(target))}${file}: ${paint(CLASS_STYLE[target.result], target.status)} — ${target.summary}`];
  const quiet = compactClean && target.result === 'clean' && target.problems.length === 0 && target.recovered === undefined && target.next === undefined && (target.gates?.suppressed ?? 0) === 0;
  if (quiet) return lines;
  const detail = (text: string) => lines.push(`    ${text}`);

  if (target.votes !== undefined) detail(`votes: ${describeVotes(target.votes)}; vote id ${target.votes.chunkId}`);
  if (target.recovered !== undefined) detail(`recovered: ${target.recovered}`);
  if (target.conflict !== undefined) {
    detail(`live policy ${target.conflict.liveHash}, file lock ${target.conflict.expectedHash}`);
    if (target.conflict.liveDiff !== undefined) {
      detail('live → file:');
      lines.push(...colourDiff(renderDiffLines(target.conflict.liveDiff, { indent: '      ' }), paint));
    }
  }
  if (target.diff !== undefined && target.conflict === undefined) lines.push(...colourDiff(renderDiffLines(target.diff, { indent: '    ' }), paint));
  for (const problem of target.problems) detail(paint(problem.severity === 'error' ? 'red' : 'yellow', formatProblem(problem)));
  if (target.gates !== undefined) for (const line of [describeGates(target.gates), ...describeSuppressed(target.gates)]) detail(line);
  for (const note of target.notes ?? []) detail(`note: ${note}`);
  if (target.next !== undefined) detail(`next: ${target.next}`);
  return lines;
}

function colourDiff(lines: readonly string[], paint: (style: Style, text: string) => string): string[] {
  return lines.map((line) => {
    const op = line.trimStart()[0];
    return op === '+' ? paint('green', line) : op === '-' ? paint('red', line) : op === '~' ? paint('yellow', line) : line;
  });
}

function footer(report: RunReport, paint: (style: Style, text: string) => string): string {
  const counts = STATUS_ORDER.filter((status) => (report.counts[status] ?? 0) > 0).map((status) => `${report.counts[status]} ${status}`);
  const problems = report.problems.filter((p) => p.severity === 'error').length;
  const parts = [...counts, ...(problems > 0 ? [`${problems} run-level error(s)`] : [])];
  const what = `${report.command}${report.dryRun && report.command === 'sync' ? ' (dry run)' : ''}`;
  const total = report.targets.length;
  return `${what}: ${total} target${total === 1 ? '' : 's'}${parts.length > 0 ? ` — ${parts.join(', ')}` : ''} → ${paint(CLASS_STYLE[report.result], report.result)} (exit ${report.exitCode})`;
}
