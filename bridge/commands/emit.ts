/** Delivering a run report: the chosen format on stdout, report files, GitHub annotations and step summary, progress. */
import { promises as fs } from 'node:fs';
import { thrownText } from '../core/errors';
import { renderGithubAnnotations } from '../report/render-github';
import { renderMarkdown } from '../report/render-markdown';
import { renderSarif, type SarifRuleInfo } from '../report/render-sarif';
import { renderText } from '../report/render-text';
import { exitCodeFor, type RunReport, type TargetReport } from '../report/report';
import { writeFilesAtomically } from '../targets/files';
import type { ReportFlags } from './flags';
import type { CliIo, Output } from './io';

/** Prints the report in the chosen format and writes the extra report files. Returns the exit code. */
export async function emit(report: RunReport, flags: ReportFlags, io: Output, stdoutTaken: boolean, sarifRules?: readonly SarifRuleInfo[]): Promise<number> {
  const sarif = () => `${JSON.stringify(renderSarif(report, sarifRules), null, 2)}\n`;
  const primary = stdoutTaken ? io.stderr : io.stdout;
  const color = flags.color ?? (primary.isTTY === true && io.env['NO_COLOR'] === undefined && io.env['TERM'] !== 'dumb');
  const rendered =
    flags.output === 'json'
      ? `${JSON.stringify(report, null, 2)}\n`
      : flags.output === 'markdown'
        ? renderMarkdown(report)
        : flags.output === 'sarif'
          ? sarif()
          : renderText(report, { color });
  primary.write(rendered);

  const github = io.env['GITHUB_ACTIONS'] === 'true';
  if (github && flags.annotations) {
    // Workflow commands are read from stdout; keep stdout machine-readable for json/markdown.
    const stream = flags.output === 'text' && !stdoutTaken ? io.stdout : io.stderr;
    for (const line of renderGithubAnnotations(report)) stream.write(`${line}\n`);
  }
  try {
    const writes = [
      ...(flags.jsonFile === undefined ? [] : [{ file: flags.jsonFile, content: io.redact(`${JSON.stringify(report, null, 2)}\n`) }]),
      ...(flags.markdownFile === undefined ? [] : [{ file: flags.markdownFile, content: io.redact(renderMarkdown(report)) }]),
      ...(flags.sarifFile === undefined ? [] : [{ file: flags.sarifFile, content: io.redact(sarif()) }]),
    ];
    if (writes.length > 0) await writeFilesAtomically(writes);
    const summaryFile = io.env['GITHUB_STEP_SUMMARY'];
    if (github && flags.stepSummary && summaryFile !== undefined && summaryFile !== '') await fs.appendFile(summaryFile, io.redact(`${renderMarkdown(report)}\n`));
  } catch (error) {
    // A report that could not be delivered must not look like success (tfcmt's lesson).
    io.stderr.write(`error: cannot write the report: ${thrownText(error)}\n`);
    return exitCodeFor('error', report.exitCodeStyle);
  }
  return report.exitCode;
}

/** A progress line on a TTY stderr only; never mixed into stdout. */
export function progress(io: CliIo): ((done: number, total: number, report: TargetReport) => void) | undefined {
  if (io.stderr.isTTY !== true) return undefined;
  return (done, total, report) => {
    const label = report.gateway !== null && report.sandbox !== null ? `${report.gateway}/${report.sandbox}` : (report.file ?? '');
    io.stderr.write(done === total ? '\r\u001b[K' : `\r\u001b[K[${done}/${total}] ${label}: ${report.status}`);
  };
}
