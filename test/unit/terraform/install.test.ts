import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTerraformInstall } from '../../../cli/terraform';
import { chmod } from 'node:fs/promises';
import { cliConfiguration, currentPlatform, installProvider, InstallError, networkMirrorConfiguration, wrapperScript } from '../../../provider/terraform/install';

let dir: string;
let entry: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sg-tf-install-'));
  entry = join(dir, 'main.js');
  await writeFile(entry, '// plugin stand-in\n');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('terraform install', () => {
  test('GIVEN mirror mode WHEN installed THEN an executable wrapper sits at the unpacked mirror path for both registries', async () => {
    const result = await installProvider({ dir: join(dir, 'mirror'), entry, nodePath: '/opt/node/bin/node', version: '1.2.3', platform: 'linux_amd64' });
    expect(result.executables).toEqual([
      join(dir, 'mirror/registry.terraform.io/shoreguard/shoreguard/1.2.3/linux_amd64/terraform-provider-shoreguard_v1.2.3'),
      join(dir, 'mirror/registry.opentofu.org/shoreguard/shoreguard/1.2.3/linux_amd64/terraform-provider-shoreguard_v1.2.3'),
    ]);
    for (const file of result.executables) {
      expect((await stat(file)).mode & 0o111).toBe(0o111);
      expect(await readFile(file, 'utf8')).toContain(`exec '/opt/node/bin/node' '${entry}' "$@"`);
    }
    expect(result.cliConfig).toContain(`path    = "${join(dir, 'mirror')}"`);
    expect(result.cliConfig).toMatch(/direct \{\n\s+exclude = \["registry.terraform.io\/shoreguard\/shoreguard"/);
  });

  test('GIVEN dev_overrides mode WHEN installed THEN the binary sits directly in the directory and the config overrides the source', async () => {
    const result = await installProvider({ mode: 'dev_overrides', dir, entry, version: '0.1.0', cliConfigFile: join(dir, 'cli.tfrc') });
    expect(result.executables).toEqual([join(dir, 'terraform-provider-shoreguard')]);
    expect(await readFile(join(dir, 'cli.tfrc'), 'utf8')).toBe(cliConfiguration('dev_overrides', dir));
    expect(result.cliConfig).toContain(`"registry.terraform.io/shoreguard/shoreguard" = "${dir}"`);
  });

  test('GIVEN a single executable WHEN installed with binary THEN each mirror path holds a copy of it and no wrapper', async () => {
    const binary = join(dir, 'terraform-provider-shoreguard');
    await writeFile(binary, '\x7fELF stand-in');
    await chmod(binary, 0o755);
    const result = await installProvider({ dir: join(dir, 'mirror'), binary, version: '1.2.3', platform: 'linux_arm64' });
    expect(result.kind).toBe('binary');
    expect(result.executables).toHaveLength(2);
    for (const file of result.executables) {
      expect(await readFile(file, 'utf8')).toBe('\x7fELF stand-in');
      expect((await stat(file)).mode & 0o111).toBe(0o111);
    }
  });

  test('GIVEN a binary that is not executable WHEN installed THEN it is an InstallError naming the file and nothing is written', async () => {
    const binary = join(dir, 'not-executable');
    await writeFile(binary, 'x');
    await expect(installProvider({ dir: join(dir, 'mirror'), binary })).rejects.toThrow(new InstallError(`binary ${binary} is not an executable file. Build it with \`npm run release\` (dist/release/<version>/bin/<os>_<arch>/terraform-provider-shoreguard).`));
    await expect(stat(join(dir, 'mirror'))).rejects.toThrow();
  });

  test('GIVEN a mirror URL WHEN the network mirror configuration is made THEN it names the URL for both registries, and plain http is refused', () => {
    const config = networkMirrorConfiguration('https://mirror.example.com/terraform/');
    expect(config).toContain('url     = "https://mirror.example.com/terraform/"');
    expect(config).toContain('include = ["registry.terraform.io/shoreguard/shoreguard", "registry.opentofu.org/shoreguard/shoreguard"]');
    expect(() => networkMirrorConfiguration('http://mirror.example.com/')).toThrow(/must be https/);
    expect(() => networkMirrorConfiguration('https://mirror.example.com/no-slash')).toThrow(/end with "\/"/);
  });

  test('GIVEN a path with a quote WHEN the wrapper is written THEN the shell quoting keeps it one argument', () => {
    expect(wrapperScript("/it's/node", '/x/main.js', '0.1.0')).toContain(`exec '/it'\\''s/node' '/x/main.js' "$@"`);
  });

  test('GIVEN Node platform names WHEN mapped THEN they follow Terraform (x64 → amd64)', () => {
    expect(currentPlatform('linux', 'x64')).toBe('linux_amd64');
    expect(currentPlatform('darwin', 'arm64')).toBe('darwin_arm64');
    expect(currentPlatform('win32', 'x64')).toBe('windows_amd64');
  });

  test('GIVEN the CLI command WHEN run THEN it reports the files, the CLI configuration and the required_providers block', async () => {
    const out: string[] = [];
    const outcome = await runTerraformInstall({ dir, entry, version: '0.1.0', configFile: join(dir, 'x.tfrc'), out: { write: (t: string) => out.push(t) } });
    expect(outcome.exitCode).toBe(0);
    const text = out.join('');
    expect(text).toContain(`export TF_CLI_CONFIG_FILE=${join(dir, 'x.tfrc')}`);
    expect(text).toContain('source = "registry.terraform.io/shoreguard/shoreguard", version = "0.1.0"');
  });

  test('GIVEN a bad version WHEN the CLI command runs THEN it exits 2 with a clear error and writes nothing', async () => {
    const err: string[] = [];
    const outcome = await runTerraformInstall({ dir: join(dir, 'never'), version: 'latest', err: { write: (t: string) => err.push(t) }, out: { write: () => undefined } });
    expect(outcome.exitCode).toBe(2);
    expect(err.join('')).toMatch(/version "latest" is not a semantic version/);
    await expect(stat(join(dir, 'never'))).rejects.toThrow();
  });
});
