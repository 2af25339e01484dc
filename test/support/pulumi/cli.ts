/**
 * The real Pulumi CLI for the end-to-end tests and the example: built (or reused) by
 * scripts/engines/build-pulumi.sh into .cache/engines, plus an isolated environment (own
 * PULUMI_HOME, local file backend, no update checks, no plugin downloads).
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './consumer';

/** A first build compiles the CLI on 2 shared cores. */
export const CLI_BUILD_TIMEOUT_MS = 60 * 60 * 1000;

/**
 * Builds the CLI when missing (a no-op otherwise) and returns its install root (`<root>/bin/pulumi`).
 * The build runs under a lock so parallel test files do not build twice at once.
 */
export async function ensurePulumiCli(): Promise<string> {
  const cache = process.env['SHOREGUARD_ENGINES_CACHE'] ?? join(REPO_ROOT, '.cache/engines');
  mkdirSync(cache, { recursive: true });
  const script = join(REPO_ROOT, 'scripts/engines/build-pulumi.sh');
  const binDir = await new Promise<string>((resolve, reject) => {
    const child = spawn('flock', [join(cache, '.pulumi-build.lock'), 'bash', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout.trim().split('\n').pop() ?? '') : reject(new Error(`build-pulumi.sh exited with ${code}:\n${stderr.slice(-4000)}`))));
  });
  return dirname(binDir);
}

/** Environment for Pulumi commands: isolated home and state, the CLI and this Node first on PATH. */
export function pulumiEnv(cliRoot: string, workRoot: string): Record<string, string> {
  const home = join(workRoot, 'pulumi-home');
  const state = join(workRoot, 'state');
  mkdirSync(home, { recursive: true });
  mkdirSync(state, { recursive: true });
  return {
    PATH: [join(cliRoot, 'bin'), dirname(process.execPath), process.env['PATH'] ?? ''].join(':'),
    PULUMI_HOME: home,
    PULUMI_BACKEND_URL: `file://${state}`,
    PULUMI_CONFIG_PASSPHRASE: 'shoreguard-iac-e2e',
    PULUMI_SKIP_UPDATE_CHECK: 'true',
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
  };
}
