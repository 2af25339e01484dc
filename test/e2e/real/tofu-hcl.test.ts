/**
 * examples/terraform-hcl with real OpenTofu against the REAL ShoreGuard 0.40.0:
 * init (offline, provider from `shoreguard-iac terraform install`) → apply → plan (no changes) →
 * destroy. The example's gateway endpoint variable points at a fake OpenShell gateway on a
 * loopback port, so ShoreGuard connects to it and the pin reads the revision seeded there.
 */
import { join } from 'node:path';
import { PACKAGE_VERSION } from '../../../sdk/version';
import { serverTimeMs } from '../../support/e2e/probe';
import { REAL_STACK_START_TIMEOUT_MS, startRealStack, type RealStack } from '../../support/e2e/real-stack';
import { startRealTofu, type RealTofu } from '../../support/e2e/tofu-real';
import { REPO_ROOT, TOFU_BUILD_TIMEOUT_MS } from '../tofu/harness';

jest.setTimeout(5 * 60_000);

const GATEWAY = 'edge';
const SANDBOX = 'agent-1';
const SEEDED_POLICY = { filesystem: { include_workdir: true, read_only: ['/usr'] } };

let real: RealStack;
let tofu: RealTofu;

beforeAll(async () => {
  real = await startRealStack([GATEWAY]);
  real.gateway(GATEWAY).seedSandbox(SANDBOX, SEEDED_POLICY);
  tofu = await startRealTofu({
    source: join(REPO_ROOT, 'examples', 'terraform-hcl'),
    url: real.url,
    token: real.server.key('admin'),
    // The example's defaults name a port nobody listens on and the emulator's admin user.
    vars: { gateway_endpoint: real.gateway(GATEWAY).endpoint, member_email: real.server.adminEmail },
  });
}, TOFU_BUILD_TIMEOUT_MS + REAL_STACK_START_TIMEOUT_MS);

afterAll(async () => {
  await tofu?.close();
  await real?.close();
});

describe('examples/terraform-hcl with OpenTofu against the real ShoreGuard 0.40.0', () => {
  test('GIVEN the mirror laid out by shoreguard-iac terraform install and no network WHEN tofu init THEN the provider installs', async () => {
    const { stdout } = await tofu.run(['init', '-input=false', '-no-color']);
    expect(stdout).toContain(`Installing registry.terraform.io/shoreguard/shoreguard v${PACKAGE_VERSION}`);
    expect(stdout).toContain('OpenTofu has been successfully initialized');
  });

  test('GIVEN an empty ShoreGuard WHEN tofu apply THEN every object of the example exists on the server', async () => {
    const apply = await tofu.run(['apply', '-input=false', '-no-color', '-auto-approve']);
    expect(apply.stdout).toContain('Apply complete! Resources: 7 added, 0 changed, 0 destroyed.');
    expect(apply.stdout).toMatch(/gateway_status = "connected"/);

    expect(await real.probe.gateways()).toEqual([
      expect.objectContaining({
        name: GATEWAY,
        endpoint: real.gateway(GATEWAY).endpoint,
        scheme: 'https',
        auth_mode: 'mtls',
        status: 'connected',
        labels: { team: 'platform', env: 'dev' },
        metadata: { runtime: 'docker' },
      }),
    ]);
    const groups = await real.probe.groups();
    expect(groups).toEqual([
      expect.objectContaining({
        name: 'sre',
        role: 'viewer',
        description: 'Site reliability engineers',
        members: [expect.objectContaining({ email: real.server.adminEmail })],
        gatewayRoles: [expect.objectContaining({ gateway_name: GATEWAY, role: 'admin' })],
      }),
    ]);
    expect(await real.probe.workflow(GATEWAY, SANDBOX)).toEqual({
      required_approvals: 2,
      required_roles: ['admin', 'operator'],
      distinct_actors: true,
      escalation_timeout_minutes: 60,
    });
    const pin = await real.probe.pin(GATEWAY, SANDBOX);
    expect(pin).toMatchObject({ pinned_version: 1, pinned_by: 'sp:ts-admin', reason: 'Release freeze: no policy changes until the release is out' });
    expect(serverTimeMs(pin?.expires_at)).toBe(Date.parse('2099-01-01T00:00:00Z'));
    expect(await real.probe.hooks(GATEWAY, SANDBOX)).toEqual([
      expect.objectContaining({
        name: 'warm-cache',
        phase: 'post_create',
        command: 'pip download -d /cache -r /work/requirements.txt',
        env: { PIP_NO_INPUT: '1' },
        timeout_seconds: 120,
      }),
    ]);
  });

  test('GIVEN the applied example WHEN tofu plan -detailed-exitcode THEN there are no changes (exit 0)', async () => {
    const { stdout } = await tofu.run(['plan', '-input=false', '-no-color', '-detailed-exitcode'], 0);
    expect(stdout).toContain('No changes.');
  });

  test('GIVEN the pin removed behind OpenTofu WHEN planned THEN the drift shows (exit 2) and apply pins again', async () => {
    await real.probe.deletePin(GATEWAY, SANDBOX);
    const drift = await tofu.run(['plan', '-input=false', '-no-color', '-detailed-exitcode'], 2);
    expect(drift.stdout).toContain('shoreguard_policy_pin.freeze has been deleted');
    expect(drift.stdout).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
    await tofu.run(['apply', '-input=false', '-no-color', '-auto-approve']);
    expect(await real.probe.pin(GATEWAY, SANDBOX)).toMatchObject({ pinned_version: 1, pinned_by: 'sp:ts-admin' });
  });

  test('GIVEN the applied example WHEN tofu destroy THEN the server holds none of its objects', async () => {
    const destroy = await tofu.run(['destroy', '-input=false', '-no-color', '-auto-approve']);
    expect(destroy.stdout).toContain('Destroy complete! Resources: 7 destroyed.');
    expect(await real.probe.gateways()).toEqual([]);
    expect(await real.probe.groups()).toEqual([]);
    expect(await real.probe.pin(GATEWAY, SANDBOX)).toBeNull();
    expect(await real.probe.workflow(GATEWAY, SANDBOX)).toBeNull();
    expect(await real.probe.hooks(GATEWAY, SANDBOX)).toEqual([]);
  });

  test('GIVEN the whole run WHEN its output and state are searched THEN the API key never appears', async () => {
    const state = await tofu.run(['state', 'pull']);
    const key = real.server.key('admin');
    expect(key).toMatch(/^sg_/);
    expect([...tofu.transcript, state.stdout].join('\n')).not.toContain(key);
  });
});
