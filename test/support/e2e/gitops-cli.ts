/**
 * The built `shoreguard-gitops` (dist/bridge/cli/main.js) run as a user runs it: one child process per
 * command, the server in SHOREGUARD_URL and the key in SHOREGUARD_TOKEN (never on the command
 * line), a clean environment (no CI variables, no colour). Each run also writes its JSON report
 * (`--json-file`), so a test can check the text a human reads and the data behind it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { freshBuild } from './build';
import { runChild, type ChildRun } from './child';
import { ensureRelease, useReleaseArtifacts } from '../release/artifacts';

const CLI_TIMEOUT_MS = 2 * 60_000;

/** The parts of the report (bridge/report/report.ts, format 1.x) the end-to-end story checks. */
const TargetReportSchema = z.object({
  gateway: z.string().nullable(),
  sandbox: z.string().nullable(),
  status: z.string(),
  summary: z.string(),
  next: z.string().optional(),
  votes: z.object({ needed: z.number(), cast: z.number().nullable(), chunkId: z.string() }).optional(),
  pin: z.object({ pinnedBy: z.string().nullable(), reason: z.string().nullable(), pinnedVersion: z.number().nullable() }).optional(),
  conflict: z.object({ liveHash: z.string(), expectedHash: z.string() }).optional(),
  appliedHash: z.string().optional(),
  // proposals / pull / apply closing proposals (issue #10)
  proposals: z
    .array(z.object({ chunkId: z.string(), ruleName: z.string(), layer: z.string().nullable(), endpoints: z.array(z.string()), origin: z.string(), rationale: z.string(), change: z.string().optional(), fileRule: z.string().optional() }))
    .optional(),
  provenance: z
    .array(z.object({ rule: z.string(), change: z.string(), chunks: z.array(z.object({ chunkId: z.string(), origin: z.string(), approvedBy: z.string().nullable(), voters: z.array(z.string()), endpoints: z.array(z.string()) })) }))
    .optional(),
  settled: z.array(z.object({ chunkId: z.string(), outcome: z.string(), reason: z.string() })).optional(),
});
const RunReportSchema = z.object({
  formatVersion: z.string().regex(/^1\./),
  exitCode: z.number().int(),
  counts: z.record(z.string(), z.number().int()),
  targets: z.array(TargetReportSchema),
  problems: z.array(z.object({ code: z.string(), message: z.string() })).optional(),
});
export type GitopsReport = z.infer<typeof RunReportSchema>;

export interface GitopsRun extends ChildRun {
  readonly report: GitopsReport;
}

export class GitopsCliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GitopsCliError';
  }
}

export interface GitopsSession {
  /** Runs `shoreguard-gitops <args>` with `token`; the report is read from `--json-file`. */
  run(args: readonly string[], token: string): Promise<GitopsRun>;
  /** Everything every run printed (to search it for keys). */
  readonly transcript: string[];
}

/** A session of CLI runs against `url`, working in `cwd` (where the policy tree lives). */
export function gitopsSession(url: string, cwd: string): GitopsSession {
  const cliPath = freshBuild('dist/bridge/cli/main.js', ['bridge', 'sdk']);
  // With SHOREGUARD_E2E_ARTIFACTS=release: the release build's single executable, no Node.
  const command: Promise<readonly string[]> = useReleaseArtifacts() ? ensureRelease().then((release) => [release.gitopsBinary]) : Promise.resolve([process.execPath, cliPath]);
  const transcript: string[] = [];
  let runs = 0;
  return {
    transcript,
    async run(args, token) {
      runs += 1;
      const reportFile = join(cwd, `.report-${runs}.json`);
      const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: cwd, NO_COLOR: '1', SHOREGUARD_URL: url, SHOREGUARD_TOKEN: token };
      const [file, ...prefix] = await command;
      const child = await runChild(file as string, [...prefix, ...args, '--json-file', reportFile], { cwd, env, timeoutMs: CLI_TIMEOUT_MS });
      transcript.push(child.stdout, child.stderr);
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(reportFile, 'utf8'));
      } catch {
        throw new GitopsCliError(`shoreguard-gitops ${args.join(' ')}: exit ${child.code}, no JSON report written\n--- stdout\n${child.stdout}\n--- stderr\n${child.stderr}`);
      }
      const report = RunReportSchema.parse(raw);
      transcript.push(JSON.stringify(raw));
      return { ...child, report };
    },
  };
}
