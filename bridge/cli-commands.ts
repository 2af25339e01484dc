/**
 * The commands of `shoreguard-gitops` (cli.ts declares the flags; this runs them). Flags arrive
 * untyped from commander and are checked with zod here. Every failure ends as a report or one
 * `error:` line with exit code 2 (1 under --detailed-exitcode); nothing is written on bad input.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { createClient, type ShoreGuardClient } from '../sdk';
import { createRedactor } from '../sdk/secret';
import { PACKAGE_VERSION } from '../sdk/version';
import { validateSources } from './validate-files';
import { DEFAULT_CONCURRENCY } from './concurrency';
import { BridgeError, describeThrown, thrownText } from './errors';
import { exportTarget, exportTree } from './export';
import { writeFilesAtomically } from './files';
import { policyAtRevision } from './git';
import { PolicyLayout, type Target } from './layout';
import { selectTreeSources, type PolicySource } from './local';
import type { Problem } from './problems';
import { renderGithubAnnotations } from './render-github';
import { renderMarkdown } from './render-markdown';
import { renderText } from './render-text';
import { isReportableError } from './remote';
import { buildRunReport, exitCodeFor, type ExitCodeStyle, type RunReport, type TargetReport } from './report';
import { runPolicies } from './run';
import type { CliIo, CommandName } from './cli';
import { usageExitCode } from './cli-exit';

/** A mistake in the command line or its inputs: printed as one line, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const reportFlags = z.object({
  output: z.enum(['text', 'json', 'markdown']),
  jsonFile: z.string().optional(),
  markdownFile: z.string().optional(),
  detailedExitcode: z.boolean().optional(),
  color: z.boolean().optional(),
  annotations: z.boolean(),
  stepSummary: z.boolean(),
});

const serverFlags = z.object({
  url: z.string().optional(),
  tokenFile: z.string().optional(),
  concurrency: z.number().int().min(1).default(DEFAULT_CONCURRENCY),
});

const selectionFlags = z.object({
  file: z.string().optional(),
  gateway: z.string().optional(),
  sandbox: z.string().optional(),
  dir: z.string().optional(),
  layout: z.string(),
});

const exportFlags = reportFlags.extend(serverFlags.shape).extend({
  gateway: z.string().optional(),
  sandbox: z.string().optional(),
  out: z.string().optional(),
  dir: z.string().optional(),
  all: z.boolean().optional(),
  layout: z.string(),
});

const validateFlags = reportFlags.extend(selectionFlags.shape).extend({
  base: z.string().optional(),
  failOnWarn: z.boolean().optional(),
  strictTarget: z.boolean().optional(),
  unknownSections: z.enum(['error', 'warning']),
});

const planFlags = reportFlags.extend(serverFlags.shape).extend(selectionFlags.shape).extend({
  expectedVersion: z.string().optional(),
  rebase: z.boolean().optional(),
  details: z.boolean().optional(),
  votes: z.boolean().optional(),
  failOnWarn: z.boolean().optional(),
});

const applyFlags = planFlags.extend({
  mode: z.enum(['replace', 'merge', 'auto']),
  forceUnlocked: z.boolean().optional(),
});

const syncFlags = reportFlags.extend(serverFlags.shape).extend({
  dir: z.string(),
  layout: z.string(),
  dryRun: z.boolean().optional(),
  rebase: z.boolean().optional(),
  details: z.boolean().optional(),
  votes: z.boolean().optional(),
  failOnWarn: z.boolean().optional(),
  mode: z.enum(['replace', 'merge', 'auto']),
  forceUnlocked: z.boolean().optional(),
});

type ReportFlags = z.infer<typeof reportFlags>;
type ServerFlags = z.infer<typeof serverFlags>;

/** Runs one command; resolves to its exit code. */
export async function runCommand(name: CommandName, raw: Record<string, unknown>, files: string[], io: CliIo, argv: readonly string[]): Promise<number> {
  const secrets: string[] = [];
  // Defence in depth: the SDK redacts its errors; this also covers anything else the run prints.
  const redactingIo = redactOutput(io, secrets);
  try {
    switch (name) {
      case 'export':
        return await runExport(parseFlags(exportFlags, raw), redactingIo, secrets, io);
      case 'validate':
        return await runValidate(parseFlags(validateFlags, raw), files, redactingIo);
      case 'plan':
        return await runPlanOrApply('plan', parseFlags(planFlags, raw), files, redactingIo, secrets);
      case 'apply':
        return await runPlanOrApply('apply', parseFlags(applyFlags, raw), files, redactingIo, secrets);
      case 'sync':
        return await runSync(parseFlags(syncFlags, raw), files, redactingIo, secrets);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof BridgeError || isReportableError(error)) {
      const message = describeThrown(error).message;
      redactingIo.stderr.write(`error: ${message}\n`);
      return usageExitCode(argv);
    }
    throw error;
  }
}

function parseFlags<T>(schema: z.ZodType<T>, raw: Record<string, unknown>): T {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const flag = issue?.path.map(String).join('.').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`) ?? 'options';
  throw new UsageError(`invalid --${flag}: ${issue?.message ?? 'invalid value'}`);
}

function exitStyle(flags: ReportFlags): ExitCodeStyle {
  return flags.detailedExitcode === true ? 'terraform' : 'shoreguard';
}

// ─── export ──────────────────────────────────────────────────────────────────

/** `documentIo` is unredacted: a policy may legitimately hold text shaped like a key, and the document must stay byte-exact. */
async function runExport(flags: z.infer<typeof exportFlags>, io: Output, secrets: string[], documentIo: CliIo): Promise<number> {
  if (flags.all === true) {
    if (flags.dir === undefined) throw new UsageError('export --all needs --dir <dir> to write the tree into');
    if (flags.sandbox !== undefined || flags.out !== undefined) throw new UsageError('export --all takes no -s/--sandbox or -o/--out (it writes every sandbox under --dir)');
    checkLayout(flags.layout);
    return withClient(flags, io, secrets, async (client) => {
      const report = await exportTree(client, {
        dir: flags.dir ?? '.',
        pattern: flags.layout,
        concurrency: flags.concurrency,
        exitCodeStyle: exitStyle(flags),
        ...(flags.gateway === undefined ? {} : { gateway: flags.gateway }),
        onProgress: progress(io),
      });
      return emit(report, flags, io, false);
    });
  }
  if (flags.gateway === undefined || flags.sandbox === undefined) {
    throw new UsageError('export needs -g/--gateway and -s/--sandbox (or --all --dir <dir> for every sandbox)');
  }
  if (flags.out !== undefined && flags.dir !== undefined) throw new UsageError('give either -o/--out or --dir, not both');
  const target: Target = { gateway: flags.gateway, sandbox: flags.sandbox };
  const file =
    flags.dir !== undefined
      ? path.join(flags.dir, ...new PolicyLayout({ pattern: flags.layout }).pathFor(target).split('/'))
      : flags.out === undefined || flags.out === '-'
        ? null
        : flags.out;
  return withClient(flags, io, secrets, async (client) => {
    const report = await exportTarget(client, target, file);
    const run = buildRunReport({ command: 'export', server: client.baseUrl, targets: [report], exitCodeStyle: exitStyle(flags) });
    // With no file the document itself is the output; the report then goes to stderr.
    const documentOnStdout = report.document !== undefined && flags.output === 'text';
    if (documentOnStdout) documentIo.stdout.write(report.document ?? '');
    return emit(run, flags, io, documentOnStdout);
  });
}

// ─── validate ────────────────────────────────────────────────────────────────

async function runValidate(flags: z.infer<typeof validateFlags>, files: string[], io: Output): Promise<number> {
  const selection = await selectSources(flags, files, io);
  const base = flags.base;
  const report = await validateSources(
    selection.sources,
    {
      targetMismatch: flags.strictTarget === true ? 'error' : 'warning',
      unknownSections: flags.unknownSections,
      failOnWarn: flags.failOnWarn === true,
      exitCodeStyle: exitStyle(flags),
      ...(base === undefined ? {} : { previousPolicy: (source: PolicySource) => (source.text === undefined ? policyAtRevision(source.file, base) : Promise.resolve(undefined)) }),
    },
    selection.problems,
  );
  return emit(report, flags, io, false);
}

// ─── plan / apply / sync ─────────────────────────────────────────────────────

async function runPlanOrApply(
  command: 'plan' | 'apply',
  flags: z.infer<typeof applyFlags> | z.infer<typeof planFlags>,
  files: string[],
  io: Output,
  secrets: string[],
): Promise<number> {
  const selection = await selectSources(flags, files, io);
  if (flags.expectedVersion !== undefined && selection.sources.length > 1) {
    throw new UsageError('--expected-version locks one target; name a single file (it cannot apply to several)');
  }
  const write = 'mode' in flags ? flags : undefined;
  return withClient(flags, io, secrets, async (client) => {
    const report = await runPolicies(
      client,
      selection.sources,
      {
        dryRun: command === 'plan',
        command,
        concurrency: flags.concurrency,
        exitCodeStyle: exitStyle(flags),
        rebase: flags.rebase === true,
        details: flags.details === true,
        votes: flags.votes !== false,
        failOnWarn: flags.failOnWarn === true,
        ...(flags.expectedVersion === undefined ? {} : { expectedVersion: flags.expectedVersion }),
        ...(write === undefined ? {} : { mode: write.mode, forceUnlocked: write.forceUnlocked === true }),
        onProgress: progress(io),
      },
      selection.problems,
    );
    return emit(report, flags, io, false);
  });
}

async function runSync(flags: z.infer<typeof syncFlags>, files: string[], io: Output, secrets: string[]): Promise<number> {
  checkLayout(flags.layout);
  const selection = await selectTreeSources({ root: flags.dir, pattern: flags.layout, ...(files.length > 0 ? { files } : {}) });
  return withClient(flags, io, secrets, async (client) => {
    const report = await runPolicies(
      client,
      selection.sources,
      {
        dryRun: flags.dryRun === true,
        command: 'sync',
        concurrency: flags.concurrency,
        exitCodeStyle: exitStyle(flags),
        rebase: flags.rebase === true,
        details: flags.details === true,
        votes: flags.votes !== false,
        failOnWarn: flags.failOnWarn === true,
        mode: flags.mode,
        forceUnlocked: flags.forceUnlocked === true,
        onProgress: progress(io),
      },
      selection.problems,
    );
    return emit(report, flags, io, false);
  });
}

interface Selection {
  readonly sources: readonly PolicySource[];
  readonly problems: readonly Problem[];
}

/**
 * Which files, for which targets: `-g/-s` with one file; `--dir` (the layout names the targets;
 * files narrow the tree); or plain files whose metadata names their target.
 */
async function selectSources(flags: z.infer<typeof selectionFlags>, files: string[], io: CliIo): Promise<Selection> {
  const named = [...files, ...(flags.file === undefined ? [] : [flags.file])];
  if (named.filter((f) => f === '-').length > 1) throw new UsageError("stdin ('-') can be read only once");
  if ((flags.gateway === undefined) !== (flags.sandbox === undefined)) throw new UsageError('-g/--gateway and -s/--sandbox go together');
  if (flags.gateway !== undefined && flags.sandbox !== undefined) {
    if (named.length !== 1) throw new UsageError('-g/-s name one target: give exactly one file (-f FILE)');
    if (flags.dir !== undefined) throw new UsageError('give either -g/-s or --dir, not both');
    return { sources: [await withStdin(named[0] ?? '-', io, { gateway: flags.gateway, sandbox: flags.sandbox })], problems: [] };
  }
  if (flags.dir !== undefined) {
    checkLayout(flags.layout);
    if (named.includes('-')) throw new UsageError("stdin ('-') has no place in a --dir tree; use -g/-s with -f -");
    return selectTreeSources({ root: flags.dir, pattern: flags.layout, ...(named.length > 0 ? { files: named } : {}) });
  }
  if (named.length === 0) throw new UsageError('name the policy: -f FILE (with -g/-s, or metadata naming the target), files, or --dir <policy tree>');
  return { sources: await Promise.all(named.map((file) => withStdin(file, io))), problems: [] };
}

async function withStdin(file: string, io: CliIo, target?: Target): Promise<PolicySource> {
  const source = file === '-' ? { file: '<stdin>', text: await io.readStdin() } : { file };
  return target === undefined ? source : { ...source, target };
}

// ─── client, output ──────────────────────────────────────────────────────────

async function withClient(flags: ServerFlags, io: CliIo, secrets: string[], body: (client: ShoreGuardClient) => Promise<number>): Promise<number> {
  const token = flags.tokenFile === undefined ? undefined : await readTokenFile(flags.tokenFile);
  if (token !== undefined) secrets.push(token);
  for (const name of ['SHOREGUARD_TOKEN', 'SHOREGUARD_API_KEY']) {
    const value = io.env[name];
    if (value !== undefined && value.trim() !== '') secrets.push(value);
  }
  const client = createClient({
    env: io.env,
    userAgent: `shoreguard-gitops/${PACKAGE_VERSION}`,
    logger: { warn: (message) => io.stderr.write(`warning: ${message}\n`) },
    ...(flags.url === undefined ? {} : { url: flags.url }),
    ...(token === undefined ? {} : { token }),
  });
  try {
    return await body(client);
  } finally {
    await client.close();
  }
}

async function readTokenFile(file: string): Promise<string> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const { code } = describeThrown(error);
    throw new UsageError(`cannot read --token-file ${file}${code === undefined ? '' : ` (${code})`}`);
  }
  const token = text.replace(/\r?\n$/, '');
  // The content is a secret: the message describes it without quoting it.
  if (token === '' || /\s/.test(token)) throw new UsageError(`--token-file ${file} must hold one API key on one line`);
  return token;
}

/** Prints the report in the chosen format and writes the extra report files. Returns the exit code. */
async function emit(report: RunReport, flags: ReportFlags, io: Output, stdoutTaken: boolean): Promise<number> {
  const primary = stdoutTaken ? io.stderr : io.stdout;
  const color = flags.color ?? (primary.isTTY === true && io.env['NO_COLOR'] === undefined && io.env['TERM'] !== 'dumb');
  const rendered =
    flags.output === 'json' ? `${JSON.stringify(report, null, 2)}\n` : flags.output === 'markdown' ? renderMarkdown(report) : renderText(report, { color });
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
function progress(io: CliIo): ((done: number, total: number, report: TargetReport) => void) | undefined {
  if (io.stderr.isTTY !== true) return undefined;
  return (done, total, report) => {
    const label = report.gateway !== null && report.sandbox !== null ? `${report.gateway}/${report.sandbox}` : (report.file ?? '');
    io.stderr.write(done === total ? '\r\u001b[K' : `\r\u001b[K[${done}/${total}] ${label}: ${report.status}`);
  };
}

/** The CLI's io with every printed text passed through the redactor of the run's secrets. */
interface Output extends CliIo {
  redact(text: string): string;
}

function redactOutput(io: CliIo, secrets: readonly string[]): Output {
  // Secrets are added once the token is known, so the redactor is built per write.
  const redact = (text: string) => createRedactor([...secrets])(text);
  const wrap = (stream: CliIo['stdout']) => ({ isTTY: stream.isTTY === true, write: (text: string) => stream.write(redact(text)) });
  return { env: io.env, stdout: wrap(io.stdout), stderr: wrap(io.stderr), readStdin: () => io.readStdin(), redact };
}

/** Fails early (exit 2) on a layout pattern that cannot map targets to files. */
function checkLayout(pattern: string): void {
  new PolicyLayout({ pattern });
}
