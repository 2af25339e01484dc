/**
 * The release build (`npm run release`) as a user meets it: signed sums that verify, single
 * executables that run with no Node on PATH, and the provider installed by real OpenTofu from a
 * network mirror, from a private registry (signature checked by tofu), and from the filesystem
 * mirror `shoreguard-iac terraform install --binary` lays out. Every tofu run has a dead proxy and
 * reaches only loopback.
 */
import { execFile } from 'node:child_process';
import { link, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTerraformInstall } from '../../../cli/terraform';
import { currentPlatform, networkMirrorConfiguration } from '../../../provider/terraform/install';
import { sha256 } from '../../../scripts/release/registry';
import { verifyDetached } from '../../../scripts/release/sign';
import { PACKAGE_VERSION } from '../../../sdk/version';
import schemaJson from '../../../schema.json';
import { ensureRelease, isElfExecutable, RELEASE_BUILD_TIMEOUT_MS, type ReleaseLayout, startMirrorServer } from '../../support/release/artifacts';
import { ensureTofu, offlineTofuEnv, PROVIDER_ADDRESS, TOFU_BUILD_TIMEOUT_MS, TOFU_COMMAND_TIMEOUT_MS } from '../tofu/harness';

jest.setTimeout(5 * 60_000);

const PROVIDER_BASE = `terraform-provider-shoreguard_${PACKAGE_VERSION}`;

let release: ReleaseLayout;
let tofu: string;
let scratch: string;

beforeAll(async () => {
  [release, tofu] = await Promise.all([ensureRelease(), ensureTofu()]);
  scratch = await mkdtemp(join(tmpdir(), 'sg-release-e2e-'));
}, RELEASE_BUILD_TIMEOUT_MS + TOFU_BUILD_TIMEOUT_MS);

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(file: string, args: readonly string[], options: { cwd: string; env: Record<string, string> }): Promise<Run> {
  return new Promise((done) => {
    execFile(file, [...args], { ...options, timeout: TOFU_COMMAND_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

/** A configuration that needs only the provider (its schema), run through init and `providers schema`. */
async function initWith(name: string, cliConfig: string, extraEnv: Record<string, string>, source = PROVIDER_ADDRESS): Promise<{ init: Run; schema: Run; workdir: string }> {
  const home = join(scratch, name);
  const workdir = join(home, 'work');
  await mkdir(workdir, { recursive: true });
  await writeFile(join(home, 'cli.tfrc'), cliConfig);
  await writeFile(join(workdir, 'main.tf'), `terraform {\n  required_providers {\n    shoreguard = { source = "${source}", version = "${PACKAGE_VERSION}" }\n  }\n}\n`);
  const env = { ...offlineTofuEnv({ home, cliConfigFile: join(home, 'cli.tfrc'), url: 'http://127.0.0.1:9', token: 'sg_unused' }), ...extraEnv };
  const init = await run(tofu, ['init', '-input=false', '-no-color'], { cwd: workdir, env });
  const schema = await run(tofu, ['providers', 'schema', '-json'], { cwd: workdir, env });
  return { init, schema, workdir };
}

/** The provider executable init put under .terraform/providers. */
async function installedExecutable(workdir: string, host: string): Promise<string> {
  const dir = join(workdir, '.terraform', 'providers', host, 'shoreguard', 'shoreguard', PACKAGE_VERSION, currentPlatform());
  const files = await readdir(dir);
  const executable = files.find((file) => file.startsWith('terraform-provider-shoreguard'));
  if (!executable) throw new Error(`no provider executable in ${dir}: ${files.join(', ')}`);
  return join(dir, executable);
}

function servedSchema(schema: Run, address: string): unknown {
  return (JSON.parse(schema.stdout) as { provider_schemas: Record<string, unknown> }).provider_schemas[address];
}

const declaredSchema = (schemaJson as { provider_schemas: Record<string, unknown> }).provider_schemas[PROVIDER_ADDRESS];

describe('the release build', () => {
  test('GIVEN the provider release WHEN its SHA256SUMS and signature are checked THEN every file matches and the signature verifies', async () => {
    const dir = join(release.dir, 'provider');
    const sums = await readFile(join(dir, `${PROVIDER_BASE}_SHA256SUMS`));
    const lines = sums.toString('utf8').trim().split('\n');
    expect(lines.map((line) => line.split('  ')[1])).toEqual(expect.arrayContaining([`${PROVIDER_BASE}_${currentPlatform()}.zip`, `${PROVIDER_BASE}_manifest.json`]));
    for (const line of lines) {
      const [hash, name] = line.split('  ');
      expect(sha256(await readFile(join(dir, name ?? '')))).toBe(hash);
    }
    const key = await readFile(join(dir, `${PROVIDER_BASE}_signing-key.asc`), 'utf8');
    const signature = await readFile(join(dir, `${PROVIDER_BASE}_SHA256SUMS.sig`));
    expect(await verifyDetached(key, sums, signature)).toBe(true);
    const tampered = Buffer.from(sums);
    tampered[0] = tampered[0] === 0x30 ? 0x31 : 0x30;
    expect(await verifyDetached(key, tampered, signature)).toBe(false);
    expect(JSON.parse(await readFile(join(dir, 'terraform-registry-manifest.json'), 'utf8'))).toEqual({ version: 1, metadata: { protocol_versions: ['6.0'] } });
  });

  test('GIVEN the shoreguard-gitops executable WHEN run with no Node on PATH THEN it prints the package version and its usage', async () => {
    const env = { PATH: '/nonexistent', HOME: scratch };
    expect(isElfExecutable(release.gitopsBinary)).toBe(true);
    const version = await run(release.gitopsBinary, ['--version'], { cwd: scratch, env });
    expect(version).toEqual({ code: 0, stdout: `${PACKAGE_VERSION}\n`, stderr: '' });
    const bad = await run(release.gitopsBinary, ['plan', '--concurrency', '0'], { cwd: scratch, env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--concurrency');
  });

  test('GIVEN the network mirror on a loopback HTTPS server WHEN tofu init runs THEN it downloads the zip from the mirror and runs the single executable', async () => {
    const mirror = await startMirrorServer(release.mirror, scratch);
    try {
      const cliConfig = networkMirrorConfiguration(mirror.url);
      const { init, schema, workdir } = await initWith('network-mirror', cliConfig, { SSL_CERT_FILE: mirror.caFile });
      expect(init.code).toBe(0);
      expect(init.stdout).toContain(`Installing registry.terraform.io/shoreguard/shoreguard v${PACKAGE_VERSION}`);
      expect(mirror.requests).toEqual(
        expect.arrayContaining([
          '/registry.terraform.io/shoreguard/shoreguard/index.json',
          `/registry.terraform.io/shoreguard/shoreguard/${PACKAGE_VERSION}.json`,
          `/registry.terraform.io/shoreguard/shoreguard/${PROVIDER_BASE}_${currentPlatform()}.zip`,
        ]),
      );
      expect(isElfExecutable(await installedExecutable(workdir, 'registry.terraform.io'))).toBe(true);
      // The mirror's hash, which tofu checked the download against, is the zip's line in SHA256SUMS.
      const zip = await readFile(join(release.dir, 'provider', `${PROVIDER_BASE}_${currentPlatform()}.zip`));
      const versionJson = JSON.parse(await readFile(join(release.mirror, 'registry.terraform.io', 'shoreguard', 'shoreguard', `${PACKAGE_VERSION}.json`), 'utf8')) as { archives: Record<string, { hashes: string[] }> };
      expect(versionJson.archives[currentPlatform()]?.hashes).toEqual([`zh:${sha256(zip)}`]);
      expect(await readFile(join(release.dir, 'provider', `${PROVIDER_BASE}_SHA256SUMS`), 'utf8')).toContain(`${sha256(zip)}  ${PROVIDER_BASE}_${currentPlatform()}.zip`);
      expect(await readFile(join(workdir, '.terraform.lock.hcl'), 'utf8')).toMatch(/"h1:[A-Za-z0-9+/]+=*"/);
      expect(schema.code).toBe(0);
      expect(servedSchema(schema, PROVIDER_ADDRESS)).toEqual(declaredSchema);
    } finally {
      await mirror.close();
    }
  });

  test('GIVEN a network mirror whose hash does not match the zip WHEN tofu init runs THEN it refuses the download', async () => {
    const at = join(scratch, 'bad-mirror', 'registry.terraform.io', 'shoreguard', 'shoreguard');
    await mkdir(at, { recursive: true });
    const good = join(release.mirror, 'registry.terraform.io', 'shoreguard', 'shoreguard');
    await writeFile(join(at, 'index.json'), await readFile(join(good, 'index.json')));
    const zipName = `${PROVIDER_BASE}_${currentPlatform()}.zip`;
    await link(join(good, zipName), join(at, zipName));
    await writeFile(join(at, `${PACKAGE_VERSION}.json`), JSON.stringify({ archives: { [currentPlatform()]: { url: zipName, hashes: [`zh:${'0'.repeat(64)}`] } } }));
    const mirror = await startMirrorServer(join(scratch, 'bad-mirror'), scratch);
    try {
      const { init } = await initWith('bad-mirror', networkMirrorConfiguration(mirror.url), { SSL_CERT_FILE: mirror.caFile });
      expect(init.code).toBe(1);
      expect(init.stderr).toMatch(/checksum|hash/i);
    } finally {
      await mirror.close();
    }
  });

  test('GIVEN the registry/ tree on a loopback HTTPS server WHEN tofu init uses it as a private registry THEN the signed sums verify and the provider installs', async () => {
    const server = await startMirrorServer(join(release.dir, 'registry'), scratch);
    try {
      const host = new URL(server.url).host;
      const address = `${host}/shoreguard/shoreguard`;
      const { init, schema } = await initWith('private-registry', '# the provider from a private registry (no CLI configuration needed)\n', { SSL_CERT_FILE: server.caFile }, address);
      expect(init.code).toBe(0);
      expect(init.stdout).toContain(`Installing ${address} v${PACKAGE_VERSION}`);
      // tofu checked the signature of the sums with the key from the download response.
      expect(init.stdout).toMatch(/Installed .* \(signed, key ID [0-9A-F]{16}\)/);
      expect(server.requests).toEqual(expect.arrayContaining(['/.well-known/terraform.json', `/v1/providers/shoreguard/shoreguard/${PACKAGE_VERSION}/files/${PROVIDER_BASE}_SHA256SUMS.sig`]));
      expect(schema.code).toBe(0);
      expect(servedSchema(schema, address)).toEqual(declaredSchema);
    } finally {
      await server.close();
    }
  });

  test('GIVEN shoreguard-iac terraform install --binary WHEN tofu init uses the filesystem mirror it wrote THEN the single executable is installed', async () => {
    const out: string[] = [];
    const dir = join(scratch, 'fs-mirror', 'plugins');
    const configFile = join(scratch, 'fs-mirror', 'cli.tfrc');
    const outcome = await runTerraformInstall({ dir, configFile, binary: release.providerBinary, out: { write: (t) => out.push(t) }, err: { write: (t) => out.push(t) } });
    expect(outcome.exitCode).toBe(0);
    expect(out.join('')).toContain('(single executable)');
    for (const file of outcome.result?.executables ?? []) expect(isElfExecutable(file)).toBe(true);
    const { init, schema, workdir } = await initWith('fs-mirror', await readFile(configFile, 'utf8'), {});
    expect(init.code).toBe(0);
    expect(isElfExecutable(await installedExecutable(workdir, 'registry.terraform.io'))).toBe(true);
    expect(servedSchema(schema, PROVIDER_ADDRESS)).toEqual(declaredSchema);
  });
});
