/**
 * The provider's release files in the layouts Terraform and OpenTofu install from:
 *
 * - `provider/`: what a registry release holds (and what goreleaser-made providers publish):
 *   `terraform-provider-shoreguard_<v>_<os>_<arch>.zip`, `…_manifest.json`, `…_SHA256SUMS`, its
 *   detached signature `…_SHA256SUMS.sig`, and the public key;
 * - `mirror/`: the provider network mirror protocol, `<host>/shoreguard/shoreguard/index.json` and
 *   `<version>.json` next to the zips, for a plain static HTTPS server (`network_mirror`);
 * - `registry/`: the provider registry protocol as static files (`.well-known/terraform.json`,
 *   `v1/providers/shoreguard/shoreguard/versions`, `…/<v>/download/<os>/<arch>`), for a private
 *   registry served from a static HTTPS server.
 *
 * Every file is written with fixed timestamps and in a fixed order, so the same binaries give the
 * same bytes.
 */
import { createHash } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { zipSync } from 'fflate';
import { PROVIDER_HOSTNAMES, PROVIDER_NAMESPACE, PROVIDER_TYPE } from '../../provider/terraform/install';
import { type SigningKey, detachedSignature } from './sign';

export const PROVIDER = `terraform-provider-${PROVIDER_TYPE}`;
/** Plugin protocol 6 (tfplugin6), as the provider serves it. */
export const REGISTRY_MANIFEST = { version: 1, metadata: { protocol_versions: ['6.0'] } } as const;

export interface ProviderBinary {
  /** Terraform platform, e.g. linux_amd64. */
  readonly platform: string;
  readonly file: string;
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A zip holding the one executable, Unix mode 0755, at a fixed time (deterministic bytes). */
export function providerZip(binary: Uint8Array, version: string, date: Date): Uint8Array {
  return zipSync({ [`${PROVIDER}_v${version}`]: [binary, { os: 3, attrs: (0o100755 << 16) >>> 0, mtime: date, level: 9 }] });
}

/** `sha256  name` lines, sorted by name (the format of sha256sum and of goreleaser's sums). */
export function sumsFile(files: ReadonlyMap<string, Uint8Array>): string {
  return [...files.keys()]
    .sort()
    .map((name) => `${sha256(files.get(name) as Uint8Array)}  ${name}\n`)
    .join('');
}

function write(file: string, data: string | Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, data);
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export interface ProviderRelease {
  readonly dir: string;
  readonly zips: readonly { platform: string; name: string; sha256: string; bytes: number }[];
  readonly sums: string;
  readonly sumsName: string;
  readonly signatureName: string;
  readonly keyName: string;
}

/** Writes provider/, mirror/ and registry/ under `dir` for the given binaries. */
export async function writeProviderRelease(options: { dir: string; version: string; binaries: readonly ProviderBinary[]; key: SigningKey; date: Date }): Promise<ProviderRelease> {
  const { dir, version, key, date } = options;
  for (const sub of ['provider', 'mirror', 'registry']) rmSync(join(dir, sub), { recursive: true, force: true });
  const base = `${PROVIDER}_${version}`;
  const released = new Map<string, Uint8Array>();
  const zips: { platform: string; name: string; sha256: string; bytes: number }[] = [];
  for (const binary of [...options.binaries].sort((a, b) => a.platform.localeCompare(b.platform))) {
    const zip = providerZip(readFileSync(binary.file), version, date);
    const name = `${base}_${binary.platform}.zip`;
    released.set(name, zip);
    zips.push({ platform: binary.platform, name, sha256: sha256(zip), bytes: zip.length });
  }
  const manifestName = `${base}_manifest.json`;
  released.set(manifestName, Buffer.from(json(REGISTRY_MANIFEST)));
  const sums = sumsFile(released);
  const sumsName = `${base}_SHA256SUMS`;
  const signatureName = `${sumsName}.sig`;
  const keyName = `${base}_signing-key.asc`;
  const signature = await detachedSignature(key, Buffer.from(sums), date);

  const providerDir = join(dir, 'provider');
  for (const [name, data] of released) write(join(providerDir, name), data);
  write(join(providerDir, 'terraform-registry-manifest.json'), json(REGISTRY_MANIFEST));
  write(join(providerDir, sumsName), sums);
  write(join(providerDir, signatureName), signature);
  write(join(providerDir, keyName), key.publicKeyArmored);

  // Network mirror: one tree per hostname the provider is addressed by, zips hard-linked (no second copy).
  for (const host of PROVIDER_HOSTNAMES) {
    const at = join(dir, 'mirror', host, PROVIDER_NAMESPACE, PROVIDER_TYPE);
    write(join(at, 'index.json'), json({ versions: { [version]: {} } }));
    const archives = Object.fromEntries(zips.map((z) => [z.platform, { url: z.name, hashes: [`zh:${z.sha256}`] }]));
    write(join(at, `${version}.json`), json({ archives }));
    for (const z of zips) linkSync(join(providerDir, z.name), join(at, z.name));
  }

  // Provider registry protocol, static: download URLs are relative to each JSON document.
  const registry = join(dir, 'registry');
  const api = join(registry, 'v1', 'providers', PROVIDER_NAMESPACE, PROVIDER_TYPE);
  write(join(registry, '.well-known', 'terraform.json'), json({ 'providers.v1': '/v1/providers/' }));
  const platforms = zips.map((z) => {
    const [os, arch] = z.platform.split('_');
    return { os: os ?? '', arch: arch ?? '' };
  });
  write(join(api, 'versions'), json({ versions: [{ version, protocols: ['6.0'], platforms }] }));
  const files = join(api, version, 'files');
  mkdirSync(files, { recursive: true });
  for (const name of [...released.keys(), sumsName, signatureName]) linkSync(join(providerDir, name), join(files, name));
  for (const z of zips) {
    const [os, arch] = z.platform.split('_');
    write(
      join(api, version, 'download', os ?? '', arch ?? ''),
      json({
        protocols: ['6.0'],
        os,
        arch,
        filename: z.name,
        download_url: `../../files/${z.name}`,
        shasums_url: `../../files/${sumsName}`,
        shasums_signature_url: `../../files/${signatureName}`,
        shasum: z.sha256,
        signing_keys: { gpg_public_keys: [{ key_id: key.keyId, ascii_armor: key.publicKeyArmored, source: 'shoreguard-iac', source_url: null }] },
      }),
    );
  }
  return { dir: providerDir, zips, sums, sumsName, signatureName, keyName };
}
