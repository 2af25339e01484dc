/** Runs `shoreguard-gitops` in-process against an emulator, with captured output and a temp tree. */
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../../emulator';
import { main } from '../../../bridge/cli/main';
import type { RunReport } from '../../../bridge/report/report';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** The whole environment the CLI sees (nothing leaks in from the test process, e.g. GITHUB_ACTIONS). */
  readonly env?: Record<string, string>;
  readonly stdin?: string;
  readonly tty?: boolean;
}

export async function runCli(argv: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (text: string) => (stdout += text), isTTY: options.tty ?? false },
    stderr: { write: (text: string) => (stderr += text), isTTY: options.tty ?? false },
    env: options.env ?? {},
    readStdin: async () => options.stdin ?? '',
  });
  return { code, stdout, stderr };
}

/** `--output json` run, parsed. */
export async function runJson(argv: readonly string[], options: CliOptions = {}): Promise<CliRun & { report: RunReport }> {
  const run = await runCli([...argv, '--output', 'json'], options);
  let report: RunReport;
  try {
    report = JSON.parse(run.stdout) as RunReport;
  } catch {
    throw new Error(`stdout is not JSON (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
  return { ...run, report };
}

/** One emulator per describe block, reset before every test, plus a fresh temp directory. */
export function useGitopsEmulator(options: EmulatorOptions = {}): { emulator: () => Emulator; dir: () => string; env: (key?: string) => Record<string, string> } {
  let emulator: Emulator | undefined;
  let directory: string | undefined;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, ...options });
  });
  beforeEach(async () => {
    emulator?.state.reset();
    emulator?.faults.clear();
    emulator?.resetStats();
    directory = await mkdtemp(join(tmpdir(), 'gitops-'));
  });
  afterEach(async () => {
    if (directory !== undefined) await rm(directory, { recursive: true, force: true });
  });
  afterAll(async () => {
    await emulator?.close();
  });
  const current = (): Emulator => {
    if (emulator === undefined) throw new Error('emulator not started');
    return emulator;
  };
  return {
    emulator: current,
    dir: () => {
      if (directory === undefined) throw new Error('no temp dir');
      return directory;
    },
    env: (key?: string) => ({ SHOREGUARD_URL: current().url, SHOREGUARD_TOKEN: key ?? current().keys.operator }),
  };
}

export const BASE_POLICY = {
  version: 1,
  filesystem: { include_workdir: true, read_only: ['/usr', '/etc'], read_write: ['/tmp'] },
  landlock: { compatibility: 'best_effort' },
  process: { run_as_user: 'sandbox', run_as_group: 'sandbox' },
  network_policies: {
    github: {
      name: 'github',
      endpoints: [{ host: 'api.github.com', port: 443, protocol: 'rest', rules: [{ allow: { method: 'GET', path: '/repos/**', command: '' } }] }],
      binaries: [{ path: '/usr/bin/git' }],
    },
  },
};

export async function writeText(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text, 'utf8');
}

export async function readText(file: string): Promise<string> {
  return readFile(file, 'utf8');
}

/** Requests the emulator counted for one route template since the last reset. */
export function requestsTo(emulator: Emulator, route: string): number {
  return emulator.stats().byRoute[route] ?? 0;
}
