/**
 * Real OpenTofu against the emulator: builds (or reuses) tofu from the Go module proxy, lays out
 * the compiled provider as a filesystem mirror, and runs tofu commands in a temp directory with a
 * clean environment. Network access is made impossible on purpose (a dead proxy), so `init`
 * passing proves it installs from the mirror alone. With SHOREGUARD_E2E_ARTIFACTS=release (jest
 * project `e2e-release`) the provider is the release build's single executable, installed from
 * its network mirror on a loopback HTTPS server instead.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../../emulator';
import { findPackageRoot, installProvider, locateProviderEntry, networkMirrorConfiguration } from '../../../provider/terraform/install';
import { ensureRelease, type MirrorServer, startMirrorServer, useReleaseArtifacts } from '../../support/release/artifacts';

function repoRoot(): string {
  const root = findPackageRoot(__dirname);
  if (!root) throw new Error(`cannot find the shoreguard-iac checkout above ${__dirname}`);
  return root;
}

/** The checkout (found by package.json, so this also works when compiled elsewhere, e.g. by the bench). */
export const REPO_ROOT = repoRoot();
export const PROVIDER_ADDRESS = 'registry.terraform.io/shoreguard/shoreguard';
/** First build of tofu downloads modules and compiles (5-15 minutes on 2 cores); later runs reuse it. */
export const TOFU_BUILD_TIMEOUT_MS = 30 * 60_000;
export const TOFU_COMMAND_TIMEOUT_MS = 5 * 60_000;

/**
 * A policy for seeded sandboxes: like OpenShell, ShoreGuard pins only a sandbox that has a policy
 * revision (otherwise the pin POST is a 404).
 */
export const SANDBOX_POLICY = { filesystem: { read_only: ['/usr'] } };

let tofuPath: Promise<string> | undefined;

/**
 * Builds or reuses tofu via scripts/engines/build-tofu.sh and returns the binary path. The build
 * runs under flock: jest runs test files in parallel, and two `go install`s into one GOBIN race.
 */
export function ensureTofu(): Promise<string> {
  tofuPath ??= new Promise((done, fail) => {
    const lock = join(tmpdir(), 'shoreguard-iac-build-tofu.lock');
    execFile('flock', [lock, 'bash', join(REPO_ROOT, 'scripts/engines/build-tofu.sh')], { encoding: 'utf8', timeout: TOFU_BUILD_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) fail(new Error(`building tofu failed (scripts/engines/build-tofu.sh): ${error.message}\n${stderr}`));
      else done(join(stdout.trim().split('\n').pop() ?? '', 'tofu'));
    });
  });
  return tofuPath;
}

/**
 * The environment every tofu run gets: its own HOME, the CLI configuration naming our mirror, and a
 * dead proxy, so any registry or download attempt fails and init must work from the mirror alone.
 * Loopback (ShoreGuard) is not proxied.
 */
export function offlineTofuEnv(options: { home: string; cliConfigFile: string; url: string; token: string }): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: options.home,
    TMPDIR: tmpdir(),
    TF_CLI_CONFIG_FILE: options.cliConfigFile,
    TF_IN_AUTOMATION: '1',
    CHECKPOINT_DISABLE: '1',
    HTTPS_PROXY: 'http://127.0.0.1:9',
    HTTP_PROXY: 'http://127.0.0.1:9',
    NO_PROXY: '127.0.0.1,localhost',
    SHOREGUARD_URL: options.url,
    SHOREGUARD_TOKEN: options.token,
  };
}

export interface TofuResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Where tofu gets the provider from: the filesystem mirror of Node wrappers, or the release's network mirror. */
export interface ProviderSource {
  readonly kind: 'wrapper' | 'release';
  /** The CLI configuration file written. */
  readonly cliConfigFile: string;
  /** Extra environment for tofu (SSL_CERT_FILE for the mirror's certificate). */
  readonly env: Record<string, string>;
  /** The network mirror (release only): its requests show what tofu downloaded. */
  readonly mirror?: MirrorServer;
  close(): Promise<void>;
}

/** Lays the provider out under `root` for the suite's artifacts (see the file comment). */
export async function provideProvider(root: string): Promise<ProviderSource> {
  const cliConfigFile = join(root, 'shoreguard.tfrc');
  if (!useReleaseArtifacts()) {
    const entry = locateProviderEntry(join(REPO_ROOT, 'provider', 'terraform'));
    await installProvider({ dir: join(root, 'mirror'), entry, cliConfigFile });
    return { kind: 'wrapper', cliConfigFile, env: {}, close: async () => undefined };
  }
  const release = await ensureRelease();
  const mirror = await startMirrorServer(release.mirror, root);
  await writeFile(cliConfigFile, networkMirrorConfiguration(mirror.url));
  return { kind: 'release', cliConfigFile, env: { SSL_CERT_FILE: mirror.caFile }, mirror, close: () => mirror.close() };
}

export interface TofuEnvironment {
  readonly provider: ProviderSource;
  readonly emulator: Emulator;
  readonly root: string;
  readonly workdir: string;
  readonly cliConfigFile: string;
  readonly env: Record<string, string>;
  readonly tofu: string;
  /** Runs tofu in the work directory; fails the test on an exit code other than `expect` (default 0). */
  run(args: readonly string[], expect?: number, extraEnv?: Record<string, string>): Promise<TofuResult>;
  /** Everything every tofu command printed so far (stdout and stderr). */
  readonly transcript: string[];
  close(): Promise<void>;
}

/** Starts an emulator, lays out the provider, copies `source` (a directory) into a work dir. */
export async function startTofuEnvironment(source?: string): Promise<TofuEnvironment> {
  const tofu = await ensureTofu();
  const root = await mkdtemp(join(tmpdir(), 'sg-tofu-e2e-'));
  const workdir = join(root, 'work');
  if (source) await cp(source, workdir, { recursive: true });
  const provider = await provideProvider(root);
  const { cliConfigFile } = provider;
  const emulator = await startEmulator({ port: 0 });
  const env = { ...offlineTofuEnv({ home: root, cliConfigFile, url: emulator.url, token: emulator.adminKey }), ...provider.env };
  const transcript: string[] = [];
  const run = (args: readonly string[], expect = 0, extraEnv: Record<string, string> = {}): Promise<TofuResult> =>
    new Promise((done, fail) => {
      execFile(tofu, [...args], { cwd: workdir, env: { ...env, ...extraEnv }, timeout: TOFU_COMMAND_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        transcript.push(stdout, stderr);
        if (code !== expect) fail(new Error(`tofu ${args.join(' ')} exited ${code}, expected ${expect}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
        else done({ code, stdout, stderr });
      });
    });
  return {
    provider,
    emulator,
    root,
    workdir,
    cliConfigFile,
    env,
    tofu,
    run,
    transcript,
    close: async () => {
      await emulator.close();
      await provider.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

interface ShownResource {
  address: string;
  type: string;
  values: Record<string, unknown>;
}

interface RawState {
  resources?: { mode: string; type: string; name: string; module?: string; instances: { attributes: Record<string, unknown> }[] }[];
}

/**
 * Managed resources in state, from the raw state (`tofu state pull`). `tofu show -json` is not
 * used: OpenTofu 1.6 looks up registry.opentofu.org schemas for it even when the configuration
 * names registry.terraform.io.
 */
export async function stateResources(env: TofuEnvironment): Promise<ShownResource[]> {
  const raw = (await env.run(['state', 'pull'])).stdout;
  const state = (raw.trim() === '' ? {} : JSON.parse(raw)) as RawState;
  return (state.resources ?? [])
    .filter((r) => r.mode === 'managed' && !r.module)
    .flatMap((r) => r.instances.map((instance) => ({ address: `${r.type}.${r.name}`, type: r.type, values: instance.attributes })));
}

/**
 * The import id the README documents for a resource in state (pins/workflows: gateway/sandbox;
 * hooks: gateway/sandbox/phase/name; gateways: name; groups: name).
 */
export function documentedImportId(resource: ShownResource): string {
  const v = resource.values;
  switch (resource.type) {
    case 'shoreguard_policy_pin':
    case 'shoreguard_approval_workflow':
      return `${String(v['gateway'])}/${String(v['sandbox_name'])}`;
    case 'shoreguard_sandbox_boot_hook':
      return `${String(v['gateway'])}/${String(v['sandbox_name'])}/${String(v['phase'])}/${String(v['name'])}`;
    case 'shoreguard_gateway':
    case 'shoreguard_group':
      return String(v['name']);
    default:
      return String(v['id']);
  }
}

/**
 * Forgets every managed resource and imports it back by its documented id; afterwards a plan must
 * show no changes. Returns the addresses imported.
 */
export async function reimportAll(env: TofuEnvironment): Promise<string[]> {
  const resources = await stateResources(env);
  for (const resource of resources) {
    await env.run(['state', 'rm', '-no-color', resource.address]);
    await env.run(['import', '-no-color', '-input=false', resource.address, documentedImportId(resource)]);
  }
  return resources.map((r) => r.address);
}
