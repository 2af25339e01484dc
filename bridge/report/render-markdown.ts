/**
 * The report as a pull/merge-request comment (also the GitHub step summary): a table of every
 * target, then one collapsed `<details>` section per target with what needs attention. It stays
 * under GitHub's 65,536-character comment limit by shortening the longest sections first and,
 * if still needed, leaving sections out with a note pointing at the JSON report.
 */
import { renderDiffLines } from './diff-render';
import { formatProblem } from '../core/problems';
import { describeGates, describeSuppressed } from './gates';
import { describeVotes, STATUS_ORDER, targetLabel, type ResultClass, type RunReport, type TargetReport } from './report';

/** GitHub rejects comments longer than 65,536 characters; leave room for a wrapper's own text. */
export const GITHUB_COMMENT_LIMIT = 65_000;

export interface MarkdownRenderOptions {
  /** Longest output, in characters (UTF-16 code units, as GitHub counts). @default 65000 */
  readonly maxLength?: number;
}

const ICON: Readonly<Record<ResultClass, string>> = { clean: '🟢', changes: '🟡', error: '🔴' };
const SECTION_LINE_LIMIT = 200;
const CELL_LIMIT = 300;
const RUN_PROBLEM_LIMIT = 50;

export function renderMarkdown(report: RunReport, options: MarkdownRenderOptions = {}): string {
  const maxLength = options.maxLength ?? GITHUB_COMMENT_LIMIT;
  const head = header(report);
  const foot = footer(report);
  const rows = report.targets.map(tableRow);
  const sections = report.targets.map((target) => section(target));

  // Shrink until it fits: first drop sections from the end, then table rows.
  let shownSections = sections.filter((s) => s !== undefined).length;
  let shownRows = rows.length;
  for (;;) {
    const text = assemble(head, rows, shownRows, sections, shownSections, foot);
    if (text.length <= maxLength || (shownSections === 0 && shownRows === 0)) return text.length <= maxLength ? text : text.slice(0, maxLength);
    if (shownSections > 0) shownSections = Math.max(0, shownSections - Math.max(1, Math.ceil(shownSections / 4)));
    else shownRows = Math.max(0, shownRows - Math.max(1, Math.ceil(shownRows / 4)));
  }
}

function assemble(
  head: string,
  rows: readonly string[],
  shownRows: number,
  sections: readonly (string | undefined)[],
  shownSections: number,
  foot: string,
): string {
  const parts = [head, '| | target | status | summary |\n|---|---|---|---|', ...rows.slice(0, shownRows)];
  if (shownRows < rows.length) parts.push(`| | … | | ${rows.length - shownRows} more target(s); see the JSON report |`);
  parts.push('');
  const present = sections.filter((s): s is string => s !== undefined);
  parts.push(...present.slice(0, shownSections));
  if (shownSections < present.length) {
    parts.push(`_Details of ${present.length - shownSections} target(s) left out to stay under GitHub's comment size limit; see the JSON report (\`--json-file\`)._\n`);
  }
  parts.push(foot);
  return parts.join('\n');
}

function header(report: RunReport): string {
  const marker = `<!-- shoreguard-gitops:${report.command} -->`;
  const title = `### ${ICON[report.result]} shoreguard-gitops ${report.command}${report.dryRun && report.command === 'sync' ? ' (dry run)' : ''}: ${headline(report)}`;
  const problems = report.problems.slice(0, RUN_PROBLEM_LIMIT).map((p) => `- ${p.severity === 'error' ? '❌' : '⚠️'} ${inline(formatProblem(p))}`);
  if (report.problems.length > RUN_PROBLEM_LIMIT) problems.push(`- … ${report.problems.length - RUN_PROBLEM_LIMIT} more; see the JSON report`);
  return [marker, title, '', ...(problems.length > 0 ? [...problems, ''] : [])].join('\n');
}

function headline(report: RunReport): string {
  const counts = STATUS_ORDER.filter((s) => (report.counts[s] ?? 0) > 0).map((s) => `${report.counts[s]} ${s.replace(/_/g, ' ')}`);
  return counts.length > 0 ? counts.join(', ') : 'no targets';
}

function tableRow(target: TargetReport): string {
  return `| ${ICON[target.result]} | \`${targetLabel(target)}\` | ${target.status} | ${cell(target.summary)} |`;
}

/** The collapsed section of a target, or undefined when there is nothing more to say. */
function section(target: TargetReport): string | undefined {
  const body: string[] = [];
  if (target.file !== null && target.gateway !== null) body.push(`File: \`${target.file}\``);
  if (target.votes !== undefined) body.push(`**Votes:** ${inline(describeVotes(target.votes))}; vote id \`${target.votes.chunkId}\``);
  if (target.recovered !== undefined) body.push(`**Recovered:** ${inline(target.recovered)}`);
  if (target.conflict !== undefined) {
    body.push(`**Live policy** \`${target.conflict.liveHash}\`, **file lock** \`${target.conflict.expectedHash}\``);
    if (target.conflict.liveDiff !== undefined) body.push('Live → file:', diffBlock(renderDiffLines(target.conflict.liveDiff, { indent: '' })));
  } else if (target.diff !== undefined && target.diff.drift) {
    body.push(diffBlock(renderDiffLines(target.diff, { indent: '' })));
  }
  if (target.problems.length > 0) {
    body.push(target.problems.map((p) => `- ${p.severity === 'error' ? '❌' : '⚠️'} ${inline(formatProblem(p))}`).join('\n'));
  }
  if (target.gates !== undefined) body.push([describeGates(target.gates), ...describeSuppressed(target.gates)].map((line) => `- ${inline(line)}`).join('\n'));
  for (const note of target.notes ?? []) body.push(`_Note: ${inline(note)}_`);
  if (target.next !== undefined) body.push(`**Next:** ${inline(target.next)}`);
  const worthShowing = target.result !== 'clean' || target.problems.length > 0 || target.recovered !== undefined || (target.gates?.suppressed ?? 0) > 0;
  if (!worthShowing || body.length === 0) return undefined;
  const summary = `${ICON[target.result]} <code>${escapeHtml(targetLabel(target))}</code>: ${escapeHtml(target.status)}`;
  return `<details><summary>${summary}</summary>\n\n${body.join('\n\n')}\n\n</details>\n`;
}

function diffBlock(lines: readonly string[]): string {
  const shown = lines.slice(0, SECTION_LINE_LIMIT);
  if (lines.length > shown.length) shown.push(`… ${lines.length - shown.length} more line(s); see the JSON report`);
  const text = shown.join('\n');
  // A fence longer than any backtick run inside, so a value cannot end the block.
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}diff\n${text}\n${fence}`;
}

function footer(report: RunReport): string {
  return `<sub>exit code ${report.exitCode} (${report.exitCodeStyle} convention) · ${report.tool.name} ${report.tool.version} · report format ${report.formatVersion}</sub>\n`;
}

/** Text inside a table cell: no line breaks or pipes, bounded length. */
function cell(text: string): string {
  const flat = inline(text).replace(/\|/g, '\\|');
  return flat.length > CELL_LIMIT ? `${flat.slice(0, CELL_LIMIT - 1)}…` : flat;
}

/**
 * User-controlled text in markdown: one line, HTML and markdown-active characters neutralised,
 * except inside balanced `code spans` (commands in `next`), which markdown shows literally anyway.
 */
function inline(text: string): string {
  const escape = (part: string) => escapeHtml(part).replace(/([\\`*_[\]])/g, '\\$1');
  const parts = text.replace(/\r?\n/g, ' ').split('`');
  if (parts.length % 2 === 0) return escape(parts.join('`'));
  return parts.map((part, i) => (i % 2 === 1 ? part : escape(part))).join('`');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
