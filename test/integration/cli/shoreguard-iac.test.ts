import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_VERSION } from '../../../sdk/version';

// Runs the built command (scripts/test.sh builds before jest), the way a user runs it.
const bin = join(__dirname, '..', '..', '..', 'dist', 'cli', 'shoreguard-iac.js');

function run(args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });
}

describe('shoreguard-iac command', () => {
  it('GIVEN --version WHEN run THEN it prints the package version and exits 0', () => {
    const result = run(['--version']);
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(PACKAGE_VERSION);
  });

  it('GIVEN an unknown flag WHEN run THEN it names the flag and exits 2', () => {
    const result = run(['emulator', '--prot', '1']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--prot');
  });

  it('GIVEN a port that is not a number WHEN emulator runs THEN it names the flag and exits 2', () => {
    const result = run(['emulator', '--port', 'eighty']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--port/);
  });

  it('GIVEN emulator --port 0 WHEN started THEN it prints its URL and an admin API key that works, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [bin, 'emulator', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const banner = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (/API key: sg_\S+/.test(out) && /URL: http:\/\/127\.0\.0\.1:\d+/.test(out)) resolve(out);
        });
        child.on('exit', (code) => reject(new Error(`emulator exited early with ${code}: ${out}`)));
      });
      const url = /URL: (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)![1];
      const key = /API key: (sg_\S+)/.exec(banner)![1];
      const authorised = await fetch(`${url}/api/gateway/list`, { headers: { authorization: `Bearer ${key}` } });
      expect(authorised.status).toBe(200);
      const anonymous = await fetch(`${url}/api/gateway/list`);
      expect(anonymous.status).toBe(401);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  }, 30_000);

  it('GIVEN the demo WHEN run against the bundled emulator THEN it walks through a quorum apply, a pin (423), a stale apply (409) and a GitOps plan', () => {
    const result = run(['demo']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/operator 1 applies: vote recorded \(1\/2\)/);
    expect(result.stdout).toMatch(/operator 2 applies: applied/);
    expect(result.stdout).toMatch(/apply while pinned: refused with 423/);
    expect(result.stdout).toMatch(/refused with 409/);
    expect(result.stdout).toMatch(/demo-staging\/agent-1 .*: drift — 1 change to apply/);
    expect(result.stdout).toContain('+ filesystem.read_only: /opt/models');
  });

  describe('terraform install', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'sg-tf-install-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('GIVEN --dir and --config-file WHEN run THEN it lays out the provider as a filesystem mirror and writes a CLI configuration that names it', () => {
      const config = join(dir, 'tofurc');
      const result = run(['terraform', 'install', '--dir', join(dir, 'mirror'), '--config-file', config]);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      const executable = join(dir, 'mirror', 'registry.terraform.io', 'shoreguard', 'shoreguard', PACKAGE_VERSION, 'linux_amd64', `terraform-provider-shoreguard_v${PACKAGE_VERSION}`);
      expect(existsSync(executable)).toBe(true);
      expect(readFileSync(config, 'utf8')).toContain(join(dir, 'mirror'));
      expect(result.stdout).toContain('registry.terraform.io/shoreguard/shoreguard');
    });

    it('GIVEN --node that is not an executable WHEN run THEN it names the flag, exits 2 and writes nothing', () => {
      const result = run(['terraform', 'install', '--dir', join(dir, 'mirror'), '--node', join(dir, 'no-such-node')]);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain('--node');
      expect(existsSync(join(dir, 'mirror'))).toBe(false);
    });
  });
});
