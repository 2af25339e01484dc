/**
 * Timed child processes for benchmarks. Always asynchronous: a bench may serve something from its
 * own event loop (the fake OpenShell gateway) while the child runs, which spawnSync would block.
 * With GNU time (`/usr/bin/time`) present, each run also reports the child's CPU time and peak
 * RSS, which a busy machine disturbs far less than wall time.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { median } from './measure';

const GNU_TIME = '/usr/bin/time';

export interface RunOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  /** Kill the child after this long. @default 300 000 */
  readonly timeoutMs?: number;
  /** Measure CPU time and peak RSS through GNU time when available. @default true */
  readonly rusage?: boolean;
}

export interface ProcessRun {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** From spawn to exit, as the parent sees it. */
  readonly wallMs: number;
  /** User + system CPU of the child (and children it waited for); undefined without GNU time. */
  readonly cpuMs?: number;
  /** Peak resident set of the child, in KiB; undefined without GNU time. */
  readonly maxRssKb?: number;
}

/** A child that exited with an unexpected code, with the tail of its output for the reader. */
export class ProcessFailedError extends Error {
  constructor(
    readonly command: string,
    readonly run: ProcessRun,
  ) {
    super(`${command} exited with ${run.exitCode ?? run.signal}: ${tail(run.stderr || run.stdout)}`);
    this.name = 'ProcessFailedError';
  }
}

function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Runs `command args` to completion; never throws for a non-zero exit (see {@link expectExit}). */
export async function runProcess(command: string, args: readonly string[], options: RunOptions = {}): Promise<ProcessRun> {
  const useTime = (options.rusage ?? true) && existsSync(GNU_TIME);
  const scratch = useTime ? mkdtempSync(join(tmpdir(), 'sg-bench-time-')) : undefined;
  const timeFile = scratch === undefined ? undefined : join(scratch, 'rusage');
  const [file, argv] =
    timeFile === undefined ? [command, [...args]] : [GNU_TIME, ['-f', '%e %U %S %M', '-o', timeFile, '--', command, ...args]];
  try {
    const started = performance.now();
    const result = await new Promise<Omit<ProcessRun, 'wallMs' | 'cpuMs' | 'maxRssKb'>>((resolve, reject) => {
      const child = spawn(file, argv, {
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
        ...(options.env === undefined ? {} : { env: options.env }),
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('close', (exitCode, signal) => {
        clearTimeout(timer);
        resolve({ exitCode, signal, stdout, stderr });
      });
    });
    const wallMs = performance.now() - started;
    return { ...result, wallMs, ...(timeFile === undefined ? {} : parseRusage(readFileSync(timeFile, 'utf8'))) };
  } finally {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  }
}

/** GNU time's `%e %U %S %M` line (the last line: earlier ones may be "Command exited with …"). */
export function parseRusage(text: string): { cpuMs?: number; maxRssKb?: number } {
  const last = text.trim().split('\n').pop() ?? '';
  const [, user, system, rss] = last.trim().split(/\s+/).map(Number);
  if (user === undefined || system === undefined || rss === undefined || [user, system, rss].some((n) => !Number.isFinite(n))) return {};
  return { cpuMs: (user + system) * 1000, maxRssKb: rss };
}

/** Throws {@link ProcessFailedError} unless the run exited with one of `codes`. */
export function expectExit(command: string, run: ProcessRun, codes: readonly number[]): ProcessRun {
  if (run.exitCode === null || !codes.includes(run.exitCode)) throw new ProcessFailedError(command, run);
  return run;
}

/** Median wall and CPU time of repeated runs of one command line. */
export interface RepeatedRuns {
  readonly runs: number;
  readonly medianWallMs: number;
  readonly minWallMs: number;
  readonly medianCpuMs: number;
  readonly medianMaxRssKb: number;
}

/** Runs `once` `count` times (after `warmup` discarded runs, to fill the page cache) and summarizes. */
export async function repeatRuns(once: () => Promise<ProcessRun>, count: number, warmup = 1): Promise<RepeatedRuns> {
  for (let i = 0; i < warmup; i++) await once();
  const runs: ProcessRun[] = [];
  for (let i = 0; i < count; i++) runs.push(await once());
  return summarizeRuns(runs);
}

export function summarizeRuns(runs: readonly ProcessRun[]): RepeatedRuns {
  const walls = runs.map((run) => run.wallMs);
  return {
    runs: runs.length,
    medianWallMs: median(walls),
    minWallMs: Math.min(...walls),
    medianCpuMs: median(runs.flatMap((run) => (run.cpuMs === undefined ? [] : [run.cpuMs]))),
    medianMaxRssKb: median(runs.flatMap((run) => (run.maxRssKb === undefined ? [] : [run.maxRssKb]))),
  };
}
