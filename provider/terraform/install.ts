/**
 * Makes terraform-provider-shoreguard installable without a registry: a `#!/bin/sh` wrapper that
 * runs this package's compiled plugin with a fixed Node binary, or the single executable of the
 * release build (`npm run release`, no Node needed), laid out either as a filesystem
 * mirror (for `terraform init` / `tofu init`, offline) or as a dev_overrides directory, plus the
 * CLI configuration that points Terraform/OpenTofu at it.
 *
 * Mirror layout (Terraform's "unpacked" layout, also OpenTofu's):
 *   <dir>/<hostname>/shoreguard/shoreguard/<version>/<os>_<arch>/terraform-provider-shoreguard_v<version>
 */
import { chmod, copyFile, link, mkdir, rm, writeFile } from 'node:fs/promises';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PACKAGE_VERSION } from '../../sdk/version';

export const PROVIDER_NAMESPACE = 'shoreguard';
export const PROVIDER_TYPE = 'shoreguard';
/**
 * Hostnames the provider is laid out under. schema.json (and so CDKTF) uses the
 * registry.terraform.io address; OpenTofu expands a short `shoreguard/shoreguard` source to
 * registry.opentofu.org, so both are served.
 */
export const PROVIDER_HOSTNAMES = ['registry.terraform.io', 'registry.opentofu.org'] as const;

export type InstallMode = 'mirror' | 'dev_overrides';

export interface InstallOptions {
  /**
   * Directory to lay the provider out in.
   * @default ~/.terraform.d/plugins (Terraform's and OpenTofu's implied local mirror, searched
   * without any CLI configuration) for "mirror"; ~/.terraform.d/shoreguard-dev for "dev_overrides"
   */
  readonly dir?: string;
  /** @default "mirror" */
  readonly mode?: InstallMode;
  /** Provider version to announce. @default this package's version */
  readonly version?: string;
  /** Node binary the wrapper runs (needs Node >= 22). @default the Node running this install */
  readonly nodePath?: string;
  /** The compiled plugin entry point. @default dist/provider/terraform/main.js of this package */
  readonly entry?: string;
  /**
   * Lay out this executable (the release build's single executable, e.g.
   * dist/release/<v>/bin/linux_amd64/terraform-provider-shoreguard) instead of the Node wrapper;
   * `nodePath` and `entry` are then unused. @default the wrapper
   */
  readonly binary?: string;
  /** Terraform platform string. @default this machine's, e.g. linux_amd64 */
  readonly platform?: string;
  /** Also write the CLI configuration to this file. @default not written */
  readonly cliConfigFile?: string;
}

export interface InstallResult {
  readonly mode: InstallMode;
  readonly dir: string;
  readonly version: string;
  /** Every executable written (wrapper scripts, or copies of the binary). */
  readonly executables: readonly string[];
  /** The CLI configuration (HCL) to use via TF_CLI_CONFIG_FILE or ~/.terraformrc / ~/.tofurc. */
  readonly cliConfig: string;
  readonly cliConfigFile: string | undefined;
  /** What was laid out: the Node wrapper or the single executable. */
  readonly kind: 'wrapper' | 'binary';
}

/** A typed failure of the install step, with what to do. */
export class InstallError extends Error {
  override readonly name = 'InstallError';
}

const ARCH: Readonly<Record<string, string>> = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' };

/** This machine's Terraform platform string, e.g. `linux_amd64`. */
export function currentPlatform(platform: string = process.platform, arch: string = process.arch): string {
  const os = platform === 'win32' ? 'windows' : platform;
  return `${os}_${ARCH[arch] ?? arch}`;
}

/** The directory of this package (shoreguard-iac) at or above `from`, or undefined. */
export function findPackageRoot(from: string = __dirname): string | undefined {
  for (let dir = resolve(from); dirname(dir) !== dir; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'shoreguard-iac') return dir;
  }
  return undefined;
}

/** Finds the compiled plugin entry next to this module (dist) or in the package's dist/ (sources). */
export function locateProviderEntry(from: string = __dirname): string {
  const sibling = join(from, 'main.js');
  if (existsSync(sibling)) return sibling;
  const root = findPackageRoot(from);
  if (!root) throw new InstallError(`cannot find the compiled terraform-provider-shoreguard (main.js) near ${from}.`);
  const built = join(root, 'dist', 'provider', 'terraform', 'main.js');
  if (!existsSync(built)) throw new InstallError(`terraform-provider-shoreguard is not built: ${built} is missing. Run \`npm run build\` in ${root} first.`);
  return built;
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The wrapper Terraform executes: Node on the compiled plugin, arguments passed through. */
export function wrapperScript(nodePath: string, entry: string, version: string): string {
  return [
    '#!/bin/sh',
    `# terraform-provider-shoreguard v${version}, laid out by \`shoreguard-iac terraform install\`.`,
    '# Terraform/OpenTofu start it with the go-plugin handshake variables; it is not run by hand.',
    `exec ${shellQuote(nodePath)} ${shellQuote(entry)} "$@"`,
    '',
  ].join('\n');
}

function hclString(value: string): string {
  return JSON.stringify(value);
}

/** The CLI configuration for a mirror directory or a dev_overrides directory. */
export function cliConfiguration(mode: InstallMode, dir: string): string {
  const sources = PROVIDER_HOSTNAMES.map((host) => `${host}/${PROVIDER_NAMESPACE}/${PROVIDER_TYPE}`);
  if (mode === 'dev_overrides') {
    return [
      '# terraform-provider-shoreguard from a local directory (dev_overrides): `init` is not needed for it,',
      '# and Terraform/OpenTofu print a warning that overrides are in effect.',
      'provider_installation {',
      '  dev_overrides {',
      ...sources.map((source) => `    ${hclString(source)} = ${hclString(dir)}`),
      '  }',
      '  direct {}',
      '}',
      '',
    ].join('\n');
  }
  return mirrorConfiguration('# terraform-provider-shoreguard from a local filesystem mirror: `init` works offline.', 'filesystem_mirror', `path    = ${hclString(dir)}`);
}

/** Our provider from one mirror block (`include`), every other provider from its registry (`direct`, `exclude`). */
function mirrorConfiguration(comment: string, block: 'filesystem_mirror' | 'network_mirror', location: string): string {
  const list = `[${PROVIDER_HOSTNAMES.map((host) => hclString(`${host}/${PROVIDER_NAMESPACE}/${PROVIDER_TYPE}`)).join(', ')}]`;
  return [comment, 'provider_installation {', `  ${block} {`, `    ${location}`, `    include = ${list}`, '  }', '  direct {', `    exclude = ${list}`, '  }', '}', ''].join('\n');
}

/**
 * The CLI configuration for a provider network mirror (e.g. the release build's mirror/ tree on a
 * static HTTPS server): `init` downloads the zip from `url` and checks it against the mirror's
 * `zh:` hashes; every other provider still comes from its registry.
 */
export function networkMirrorConfiguration(url: string): string {
  if (!/^https:\/\/[^/]+\/(.*\/)?$/.test(url)) throw new InstallError(`network mirror URL ${JSON.stringify(url)} must be https:// and end with "/" (Terraform and OpenTofu accept HTTPS mirrors only).`);
  return mirrorConfiguration('# terraform-provider-shoreguard from a provider network mirror (a static HTTPS server).', 'network_mirror', `url     = ${hclString(url)}`);
}

/** Lays out the provider and returns the CLI configuration that uses it. */
export async function installProvider(options: InstallOptions = {}): Promise<InstallResult> {
  if (process.platform === 'win32' && !options.platform) {
    throw new InstallError('terraform install lays out a #!/bin/sh wrapper; on Windows run Terraform/OpenTofu under WSL.');
  }
  const mode = options.mode ?? 'mirror';
  const version = options.version ?? PACKAGE_VERSION;
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) throw new InstallError(`version ${JSON.stringify(version)} is not a semantic version (e.g. 0.1.0).`);
  const dir = resolve(options.dir ?? join(homedir(), '.terraform.d', mode === 'mirror' ? 'plugins' : 'shoreguard-dev'));
  const binary = options.binary === undefined ? undefined : resolve(options.binary);
  if (binary !== undefined && !isExecutableFile(binary)) {
    throw new InstallError(`binary ${binary} is not an executable file. Build it with \`npm run release\` (dist/release/<version>/bin/<os>_<arch>/terraform-provider-shoreguard).`);
  }
  let script: string | undefined;
  if (binary === undefined) {
    const entry = resolve(options.entry ?? locateProviderEntry());
    if (!existsSync(entry)) throw new InstallError(`plugin entry ${entry} does not exist. Run \`npm run build\` first.`);
    script = wrapperScript(options.nodePath ?? process.execPath, entry, version);
  }
  const platform = options.platform ?? currentPlatform();

  const targets =
    mode === 'mirror'
      ? PROVIDER_HOSTNAMES.map((host) => join(dir, host, PROVIDER_NAMESPACE, PROVIDER_TYPE, version, platform, `terraform-provider-${PROVIDER_TYPE}_v${version}`))
      : [join(dir, `terraform-provider-${PROVIDER_TYPE}`)];
  let first: string | undefined;
  for (const target of targets) {
    await mkdir(dirname(target), { recursive: true });
    await rm(target, { force: true });
    if (script !== undefined) await writeFile(target, script, { mode: 0o755 });
    else await layOutBinary(binary as string, first, target);
    first ??= target;
    await chmod(target, 0o755);
  }
  const cliConfig = cliConfiguration(mode, dir);
  if (options.cliConfigFile) {
    await mkdir(dirname(resolve(options.cliConfigFile)), { recursive: true });
    await writeFile(options.cliConfigFile, cliConfig);
  }
  return {
    mode,
    dir,
    version,
    executables: targets,
    cliConfig,
    cliConfigFile: options.cliConfigFile ? resolve(options.cliConfigFile) : undefined,
    kind: script === undefined ? 'binary' : 'wrapper',
  };
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** A copy of the binary; later hostnames hard-link the first copy (the binary is ~140 MB). */
async function layOutBinary(binary: string, first: string | undefined, target: string): Promise<void> {
  if (first !== undefined) {
    try {
      await link(first, target);
      return;
    } catch {
      // Another file system: copy.
    }
  }
  await copyFile(binary, target);
}
