/**
 * The built `shoreguard-gitops` CLI as a benchmark runs it: one child process per command, the
 * way a CI job runs it, with a clean environment (no GITHUB_ACTIONS, so no annotations or step
 * summaries) and the API key in SHOREGUARD_TOKEN, never on the command line.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { type ProcessRun, runProcess } from './process';

/** `dist/bridge/cli/main.js` next to this compiled file's `dist/bench/lib/`. */
export const GITOPS_CLI = join(__dirname, '..', '..', 'bridge', 'cli', 'main.js');
/** `dist/cli/shoreguard-iac.js` (the emulator command). */
export const IAC_CLI = join(__dirname, '..', '..', 'cli', 'shoreguard-iac.js');

/** The parts of the `--output json` report (bridge/report/report.ts, format 1.x) a bench checks. */
const RunReportSchema = z.object({
  formatVersion: z.string().regex(/^1\./),
  command: z.string(),
  exitCode: z.number().int(),
  counts: z.record(z.string(), z.number().int()),
  targets: z.array(z.looseObject({ status: z.string(), gateway: z.string().nullable(), sandbox: z.string().nullable(), summary: z.string() })),
});
export type GitopsReport = z.infer<typeof RunReportSchema>;

export interface Server {
  readonly url: string;
  readonly token: string;
}

/** A CLI run whose outcome was not what the bench set up (so its timing would mean nothing). */
export class UnexpectedOutcomeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnexpectedOutcomeError';
  }
}

export function assertCliBuilt(): void {
  if (!existsSync(GITOPS_CLI)) throw new Error(`${GITOPS_CLI} does not exist; run \`npm run build\` first`);
}

/** The environment of every CLI child: only what the CLI needs, never the parent's CI variables. */
export function cliEnv(server?: Server): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    NO_COLOR: '1',
    ...(server === undefined ? {} : { SHOREGUARD_URL: server.url, SHOREGUARD_TOKEN: server.token }),
  };
}

/** Runs `shoreguard-gitops <args>` under this Node (`env` adds variables, e.g. NODE_COMPILE_CACHE). */
export function runGitops(
  args: readonly string[],
  server?: Server,
  options: { readonly cwd?: string; readonly env?: Readonly<Record<string, string>> } = {},
): Promise<ProcessRun> {
  return runProcess(process.execPath, [GITOPS_CLI, ...args], { env: { ...cliEnv(server), ...options.env }, ...(options.cwd === undefined ? {} : { cwd: options.cwd }) });
}

/** What a run must end in for its timing to count: exit code and how many targets in each status. */
export interface ExpectedOutcome {
  readonly exitCodes: readonly number[];
  /** Exactly these statuses with these counts (e.g. `{ in_sync: 90, drift: 10 }`). */
  readonly counts: Readonly<Record<string, number>>;
}

/** Runs a command with `--output json` and checks its exit code and per-status counts. */
export async function runGitopsJson(
  args: readonly string[],
  server: Server,
  expected: ExpectedOutcome,
  options: { readonly cwd?: string } = {},
): Promise<{ readonly run: ProcessRun; readonly report: GitopsReport }> {
  const run = await runGitops([...args, '--output', 'json'], server, options);
  const label = `shoreguard-gitops ${args.join(' ')}`;
  let report: GitopsReport;
  try {
    report = RunReportSchema.parse(JSON.parse(run.stdout));
  } catch {
    throw new UnexpectedOutcomeError(`${label}: exit ${run.exitCode}, no JSON report on stdout: ${(run.stderr || run.stdout).slice(0, 600)}`);
  }
  if (run.exitCode === null || !expected.exitCodes.includes(run.exitCode) || !sameCounts(report.counts, expected.counts)) {
    const firstOdd = report.targets.find((target) => expected.counts[target.status] === undefined);
    throw new UnexpectedOutcomeError(
      `${label}: expected ${JSON.stringify(expected.counts)} (exit ${expected.exitCodes.join('/')}), got exit ${run.exitCode} and ${JSON.stringify(report.counts)}` +
        (firstOdd === undefined ? '' : `; e.g. ${JSON.stringify(firstOdd).slice(0, 400)}`),
    );
  }
  return { run, report };
}

export function sameCounts(actual: Readonly<Record<string, number>>, expected: Readonly<Record<string, number>>): boolean {
  const keys = new Set([...Object.keys(actual), ...Object.keys(expected)]);
  return [...keys].every((key) => (actual[key] ?? 0) === (expected[key] ?? 0));
}
