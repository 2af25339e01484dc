import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { parseReleaseArgs, releaseDate, UsageError } from '../../../scripts/release/build';
import { providerZip, sha256, sumsFile, writeProviderRelease } from '../../../scripts/release/registry';
import { generateSigningKey, type SigningKey, verifyDetached } from '../../../scripts/release/sign';

const DATE = new Date('2026-11-21T11:51:55Z');
let dir: string;
let key: SigningKey;

beforeAll(async () => {
  // A small key keeps the test fast; the release build's own throw-away key is RSA 4096.
  key = await generateSigningKey('ed25519', 'unit test', new Date('2020-01-01T00:00:00Z'));
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sg-release-unit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fakeBinary(name: string, content: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, content);
  await chmod(file, 0o755);
  return file;
}

describe('the provider release layout', () => {
  test('GIVEN the same binary WHEN zipped twice THEN the bytes are equal and the entry is the versioned executable, mode 0755', () => {
    const a = providerZip(Buffer.from('binary'), '1.2.3', DATE);
    const b = providerZip(Buffer.from('binary'), '1.2.3', DATE);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Object.keys(unzipSync(a))).toEqual(['terraform-provider-shoreguard_v1.2.3']);
    // External attributes (central directory offset 38): the Unix mode in the high 16 bits.
    const central = Buffer.from(a).indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    expect((Buffer.from(a).readUInt32LE(central + 38) >>> 16) & 0o777).toBe(0o755);
  });

  test('GIVEN files WHEN summed THEN the lines are sha256sum format, sorted by name', () => {
    const sums = sumsFile(new Map([['b.zip', Buffer.from('b')], ['a.json', Buffer.from('a')]]));
    expect(sums).toBe(`${sha256(Buffer.from('a'))}  a.json\n${sha256(Buffer.from('b'))}  b.zip\n`);
  });

  test('GIVEN two platforms WHEN the release is written twice THEN sums and signature are the same bytes, the signature verifies and the mirror and registry documents point at the zips', async () => {
    const binaries = [
      { platform: 'linux_arm64', file: await fakeBinary('arm', 'arm64 binary') },
      { platform: 'linux_amd64', file: await fakeBinary('amd', 'amd64 binary') },
    ];
    const first = await writeProviderRelease({ dir: join(dir, 'one'), version: '1.2.3', binaries, key, date: DATE });
    const second = await writeProviderRelease({ dir: join(dir, 'two'), version: '1.2.3', binaries, key, date: DATE });
    expect(second.sums).toBe(first.sums);
    const sig = (d: string) => readFile(join(dir, d, 'provider', 'terraform-provider-shoreguard_1.2.3_SHA256SUMS.sig'));
    expect((await sig('one')).equals(await sig('two'))).toBe(true);
    expect(await verifyDetached(key.publicKeyArmored, Buffer.from(first.sums), await sig('one'))).toBe(true);
    expect(first.sums.split('\n').filter(Boolean).map((l) => l.split('  ')[1])).toEqual([
      'terraform-provider-shoreguard_1.2.3_linux_amd64.zip',
      'terraform-provider-shoreguard_1.2.3_linux_arm64.zip',
      'terraform-provider-shoreguard_1.2.3_manifest.json',
    ]);

    const amd = first.zips.find((z) => z.platform === 'linux_amd64');
    for (const host of ['registry.terraform.io', 'registry.opentofu.org']) {
      const at = join(dir, 'one', 'mirror', host, 'shoreguard', 'shoreguard');
      expect(JSON.parse(await readFile(join(at, 'index.json'), 'utf8'))).toEqual({ versions: { '1.2.3': {} } });
      const version = JSON.parse(await readFile(join(at, '1.2.3.json'), 'utf8')) as { archives: Record<string, { url: string; hashes: string[] }> };
      expect(version.archives['linux_amd64']).toEqual({ url: amd?.name, hashes: [`zh:${amd?.sha256}`] });
      expect(sha256(await readFile(join(at, amd?.name ?? '')))).toBe(amd?.sha256);
    }
    const api = join(dir, 'one', 'registry', 'v1', 'providers', 'shoreguard', 'shoreguard');
    expect(JSON.parse(await readFile(join(dir, 'one', 'registry', '.well-known', 'terraform.json'), 'utf8'))).toEqual({ 'providers.v1': '/v1/providers/' });
    const download = JSON.parse(await readFile(join(api, '1.2.3', 'download', 'linux', 'amd64'), 'utf8')) as Record<string, unknown>;
    expect(download).toMatchObject({ os: 'linux', arch: 'amd64', shasum: amd?.sha256, download_url: `../../files/${amd?.name}`, signing_keys: { gpg_public_keys: [{ key_id: key.keyId }] } });
    expect((await stat(join(api, '1.2.3', 'files', 'terraform-provider-shoreguard_1.2.3_SHA256SUMS.sig'))).isFile()).toBe(true);
  });
});

describe('release build options', () => {
  const root = join(__dirname, '..', '..', '..');

  test('GIVEN an unknown platform WHEN the arguments are parsed THEN a usage error names it and the known ones', () => {
    expect(() => parseReleaseArgs(['--platforms', 'linux_amd64,windows_amd64'], root)).toThrow(new UsageError('--platforms: unknown windows_amd64; known: linux_amd64, linux_arm64'));
  });

  test('GIVEN SOURCE_DATE_EPOCH WHEN the release date is read THEN it is used, and a non-number is a usage error', () => {
    expect(releaseDate(root, { SOURCE_DATE_EPOCH: '1700000000' })).toEqual(new Date(1_700_000_000_000));
    expect(() => releaseDate(root, { SOURCE_DATE_EPOCH: 'yesterday' })).toThrow(UsageError);
  });
});
