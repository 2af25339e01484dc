/**
 * Real OpenTofu against any ShoreGuard URL (here: the real server). The provider is laid out the
 * way a user does it, with the built `shoreguard-iac terraform install` command (filesystem mirror
 * + CLI configuration), and every tofu command runs with a dead proxy, so `init` passing proves
 * it installed offline. Reuses the tofu build of the emulator e2e tests (test/e2e/tofu/harness.ts).
 * With SHOREGUARD_E2E_ARTIFACTS=release the provider is the release build's single executable
 * from its network mirror (harness.ts `provideProvider`).
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTofu, offlineTofuEnv, provideProvider, type ProviderSource, TOFU_COMMAND_TIMEOUT_MS, type TofuResult } from '../../e2e/tofu/harness';
import { useReleaseArtifacts } from '../release/artifacts';
import { freshBuild } from './build';
import { runChild } from './child';

export interface RealTofuOptions {
  /** Directory with the configuration (copied; the original is never written). */
  readonly source: string;
  readonly url: string;
  /** Service-principal key, given to the provider as SHOREGUARD_TOKEN. */
  readonly token: string;
  /** Input variables, passed as TF_VAR_* to every command. */
  readonly vars: Readonly<Record<string, string>>;
}

export interface RealTofu {
  readonly workdir: string;
  /** Runs tofu in the work directory; rejects on an exit code other than `expect` (default 0). */
  run(args: readonly string[], expect?: number): Promise<TofuResult>;
  /** Everything every command printed so far, stdout and stderr, including the install step. */
  readonly transcript: string[];
  close(): Promise<void>;
}

export class TofuCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TofuCommandError';
  }
}

export async function startRealTofu(options: RealTofuOptions): Promise<RealTofu> {
  const iacCli = freshBuild('dist/cli/shoreguard-iac.js', ['cli']);
  // The mirror's wrapper runs the compiled plugin, so that must be current too.
  freshBuild('dist/provider/terraform/main.js', ['provider/terraform', 'provider/resources', 'sdk']);
  const tofu = await ensureTofu();
  const root = await mkdtemp(join(tmpdir(), 'sg-tofu-real-'));
  const workdir = join(root, 'work');
  const cliConfigFile = join(root, 'shoreguard.tfrc');
  const transcript: string[] = [];
  let provider: ProviderSource | undefined;
  try {
    await cp(options.source, workdir, { recursive: true });
    if (useReleaseArtifacts()) provider = await provideProvider(root);
    else await installWithCli(iacCli, root, cliConfigFile, transcript);
  } catch (error) {
    await provider?.close();
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  const env: Record<string, string> = {
    ...offlineTofuEnv({ home: root, cliConfigFile, url: options.url, token: options.token }),
    ...provider?.env,
    ...Object.fromEntries(Object.entries(options.vars).map(([name, value]) => [`TF_VAR_${name}`, value])),
  };
  return {
    workdir,
    transcript,
    async run(args, expect = 0) {
      const result: TofuResult = await runChild(tofu, args, { cwd: workdir, env, timeoutMs: TOFU_COMMAND_TIMEOUT_MS });
      transcript.push(result.stdout, result.stderr);
      if (result.code !== expect) {
        throw new TofuCommandError(`tofu ${args.join(' ')} exited ${result.code}, expected ${expect}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
      }
      return result;
    },
    close: async () => {
      await provider?.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** The user's way: the built `shoreguard-iac terraform install` (filesystem mirror + CLI configuration). */
async function installWithCli(iacCli: string, root: string, cliConfigFile: string, transcript: string[]): Promise<void> {
  const installed = await runChild(process.execPath, [iacCli, 'terraform', 'install', '--dir', join(root, 'mirror'), '--config-file', cliConfigFile], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: root },
    timeoutMs: TOFU_COMMAND_TIMEOUT_MS,
  });
  transcript.push(installed.stdout, installed.stderr);
  if (installed.code !== 0) throw new TofuCommandError(`shoreguard-iac terraform install exited ${installed.code}:\n${installed.stderr}`);
}
