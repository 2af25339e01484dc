/**
 * `npm run release`: single executables of `shoreguard-gitops` and `terraform-provider-shoreguard`
 * (Node SEA with a startup snapshot) for each platform, and the provider in the Terraform
 * registry, network-mirror and private-registry layouts, signed. Runs after `npm run build`
 * (it bundles the compiled dist/). Output: dist/release/<version>/ (see README "Release build").
 *
 *   node dist/scripts/release/build.js [--platforms linux_amd64,linux_arm64|host] [--out DIR]
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { currentPlatform } from '../../provider/terraform/install';
import { bundleBinary, type BundleResult } from './bundle';
import { binaryTargets, NODE_VERSION, PLATFORMS, type Platform, platformId, readPackageJson, releaseDir } from './config';
import { sumsFile, writeProviderRelease } from './registry';
import { buildSea, cleanPartials, lockStage, ReleaseError, type SeaBuild } from './sea';
import { detachedSignature, loadSigningKey } from './sign';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface ReleaseOptions {
  readonly root: string;
  readonly platforms: readonly Platform[];
  readonly out: string;
  readonly log: (line: string) => void;
}

export function parseReleaseArgs(argv: readonly string[], root: string): Omit<ReleaseOptions, 'log'> {
  const { values } = parseArgs({ args: [...argv], options: { platforms: { type: 'string' }, out: { type: 'string' } }, allowPositionals: false });
  let platforms = PLATFORMS;
  if (values.platforms !== undefined) {
    // "host": this machine's platform (what CI and the end-to-end tests need).
    const wanted = values.platforms.split(',').map((p) => (p.trim() === 'host' ? currentPlatform() : p.trim())).filter((p) => p !== '');
    const unknown = wanted.filter((p) => !PLATFORMS.some((known) => platformId(known) === p));
    if (wanted.length === 0 || unknown.length > 0) {
      throw new UsageError(`--platforms: ${unknown.length > 0 ? `unknown ${unknown.join(', ')}` : 'empty'}; known: ${PLATFORMS.map(platformId).join(', ')}`);
    }
    platforms = PLATFORMS.filter((p) => wanted.includes(platformId(p)));
  }
  const version = readPackageJson(root).version;
  return { root, platforms, out: values.out === undefined ? releaseDir(root, version) : resolve(values.out) };
}

/** The release's timestamp: SOURCE_DATE_EPOCH, else the last commit's time (same sources, same bytes). */
export function releaseDate(root: string, env: Readonly<Record<string, string | undefined>> = process.env): Date {
  const epoch = env['SOURCE_DATE_EPOCH'];
  if (epoch !== undefined && epoch !== '') {
    if (!/^\d+$/.test(epoch)) throw new UsageError(`SOURCE_DATE_EPOCH=${JSON.stringify(epoch)} is not a number of seconds`);
    return new Date(Number(epoch) * 1000);
  }
  const git = spawnSync('git', ['log', '-1', '--format=%ct'], { cwd: root, encoding: 'utf8' });
  const seconds = Number(git.stdout.trim());
  // Zip timestamps start in 1980.
  return new Date(git.status === 0 && seconds > 315_532_800 ? seconds * 1000 : 315_532_800_000);
}

export interface ReleaseReport {
  readonly version: string;
  readonly node: string;
  readonly date: string;
  readonly platforms: readonly string[];
  readonly binaries: readonly { name: string; platform: string; file: string; bytes: number; sha256: string; unverifiedBuiltins: readonly string[]; leftOut: readonly string[]; reproducible: boolean }[];
  readonly bundles: readonly { name: string; modules: number; bytes: number; deferredBuiltins: readonly string[]; warnings: readonly string[] }[];
  readonly provider: { readonly zips: readonly { platform: string; name: string; sha256: string; bytes: number }[]; readonly sums: string };
  readonly signingKey: { readonly keyId: string; readonly throwaway: boolean };
  readonly seconds: number;
}

export async function buildRelease(options: ReleaseOptions): Promise<ReleaseReport> {
  const started = Date.now();
  const { root, platforms, out, log } = options;
  if (process.version !== `v${NODE_VERSION}`) {
    throw new ReleaseError(`the release build runs on Node v${NODE_VERSION} (the Node in the binaries: the deferred built-ins' shapes come from it), not ${process.version}; use scripts/with-node.sh`);
  }
  const { version } = readPackageJson(root);
  const date = releaseDate(root);
  const key = await loadSigningKey(root);
  log(`release ${version}: ${platforms.map(platformId).join(', ')} → ${out}${key.throwaway ? ' (throw-away signing key: for tests only)' : ''}`);
  // A release directory holds one build: nothing of an earlier one (e.g. another platform) survives.
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const work = join(out, 'work');

  const targets = binaryTargets(root);
  const bundles = new Map<string, { file: string; result: BundleResult }>();
  for (const target of targets) {
    const result = await bundleBinary(root, target);
    const file = join(work, `${target.name}.js`);
    mkdirSync(work, { recursive: true });
    writeFileSync(file, result.code);
    bundles.set(target.name, { file, result });
    log(`  bundle ${target.name}: ${result.modules.length} modules, ${(result.code.length / 1024 / 1024).toFixed(1)} MiB, deferred built-ins: ${result.deferred.join(', ') || 'none'}`);
  }

  const built: { name: string; platform: string; sea: SeaBuild }[] = [];
  const unlock = lockStage();
  try {
    for (const platform of platforms) {
      const id = platformId(platform);
      const binDir = join(out, 'bin', id);
      cleanPartials(binDir);
      for (const target of targets) {
        const bundle = bundles.get(target.name);
        if (!bundle) throw new ReleaseError(`no bundle for ${target.name}`);
        const t0 = Date.now();
        const sea = buildSea({ root, platform, bundle: bundle.file, stageName: `${id}-${target.name}`, output: join(binDir, target.name) });
        built.push({ name: target.name, platform: id, sea });
        log(`  ${id}/${target.name}: ${(sea.bytes / 1024 / 1024).toFixed(1)} MiB in ${((Date.now() - t0) / 1000).toFixed(1)} s${sea.leftOut.length > 0 ? `; loaded at start-up, not in the snapshot: ${sea.leftOut.length}` : ''}`);
      }
    }
  } finally {
    unlock();
  }
  if (built.some((b) => !b.sea.pidIsolated)) log('  note: no pid namespace (unshare) here, so the binaries differ from build to build in a few bytes (the builder\'s pid)');

  // shoreguard-gitops: the executables themselves, with sums and a signature.
  const gitopsDir = join(out, 'gitops');
  rmSync(gitopsDir, { recursive: true, force: true });
  mkdirSync(gitopsDir, { recursive: true });
  const gitopsFiles = new Map<string, Uint8Array>();
  for (const b of built.filter((x) => x.name === 'shoreguard-gitops')) {
    const name = `shoreguard-gitops_${version}_${b.platform}`;
    copyFileSync(b.sea.file, join(gitopsDir, name));
    gitopsFiles.set(name, readFileSync(b.sea.file));
  }
  const gitopsSums = sumsFile(gitopsFiles);
  writeFileSync(join(gitopsDir, `shoreguard-gitops_${version}_SHA256SUMS`), gitopsSums);
  writeFileSync(join(gitopsDir, `shoreguard-gitops_${version}_SHA256SUMS.sig`), await detachedSignature(key, Buffer.from(gitopsSums), date));
  writeFileSync(join(gitopsDir, `shoreguard-gitops_${version}_signing-key.asc`), key.publicKeyArmored);

  const provider = await writeProviderRelease({
    dir: out,
    version,
    binaries: built.filter((b) => b.name === 'terraform-provider-shoreguard').map((b) => ({ platform: b.platform, file: b.sea.file })),
    key,
    date,
  });
  rmSync(work, { recursive: true, force: true });

  const report: ReleaseReport = {
    version,
    node: NODE_VERSION,
    date: date.toISOString(),
    platforms: platforms.map(platformId),
    binaries: built.map((b) => ({
      name: b.name,
      platform: b.platform,
      file: b.sea.file,
      bytes: b.sea.bytes,
      sha256: createSha(b.sea.file),
      unverifiedBuiltins: b.sea.unverifiedBuiltins,
      leftOut: b.sea.leftOut,
      reproducible: b.sea.pidIsolated,
    })),
    bundles: [...bundles].map(([name, b]) => ({ name, modules: b.result.modules.length, bytes: b.result.code.length, deferredBuiltins: b.result.deferred, warnings: b.result.warnings })),
    provider: { zips: provider.zips, sums: provider.sums },
    signingKey: { keyId: key.keyId, throwaway: key.throwaway },
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
  writeFileSync(join(out, 'release.json'), `${JSON.stringify(report, null, 2)}\n`);
  log(`release ${version} done in ${report.seconds} s:\n${provider.sums}${gitopsSums}`);
  return report;
}

function createSha(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

if (require.main === module) {
  const root = resolve(__dirname, '..', '..', '..');
  let options: Omit<ReleaseOptions, 'log'>;
  try {
    options = parseReleaseArgs(process.argv.slice(2), root);
  } catch (error) {
    process.stderr.write(`release: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
  buildRelease({ ...options, log: (line) => process.stderr.write(`${line}\n`) }).catch((error: unknown) => {
    process.stderr.write(`release failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
