/**
 * examples/terraform-hcl with real OpenTofu against the emulator:
 * init (offline, from the mirror) → plan → apply → plan (no changes) → drift → import → destroy.
 */
import { join } from 'node:path';
import { PACKAGE_VERSION } from '../../../sdk/version';
import schemaJson from '../../../schema.json';
import { PROVIDER_ADDRESS, REPO_ROOT, reimportAll, startTofuEnvironment, stateResources, TOFU_BUILD_TIMEOUT_MS, SANDBOX_POLICY, type TofuEnvironment } from './harness';

jest.setTimeout(10 * 60_000);

let tofu: TofuEnvironment;

beforeAll(async () => {
  tofu = await startTofuEnvironment(join(REPO_ROOT, 'examples', 'terraform-hcl'));
  // The sandbox lives on the OpenShell gateway; ShoreGuard (and so Terraform) does not create it.
  tofu.emulator.state.seedSandbox('edge', 'agent-1', SANDBOX_POLICY);
}, TOFU_BUILD_TIMEOUT_MS);

afterAll(async () => {
  await tofu?.close();
});

describe('examples/terraform-hcl with OpenTofu', () => {
  test('GIVEN the filesystem mirror and no network WHEN tofu init runs THEN it installs terraform-provider-shoreguard from the mirror', async () => {
    const { stdout } = await tofu.run(['init', '-input=false', '-no-color']);
    expect(stdout).toContain(`Installing registry.terraform.io/shoreguard/shoreguard v${PACKAGE_VERSION}`);
    expect(stdout).toContain('OpenTofu has been successfully initialized');
  });

  test('GIVEN the installed provider WHEN tofu providers schema -json runs THEN it reproduces schema.json', async () => {
    const { stdout } = await tofu.run(['providers', 'schema', '-json']);
    const served = JSON.parse(stdout) as { provider_schemas: Record<string, unknown> };
    const declared = (schemaJson as { provider_schemas: Record<string, unknown> }).provider_schemas;
    expect(served.provider_schemas[PROVIDER_ADDRESS]).toEqual(declared[PROVIDER_ADDRESS]);
  });

  test('GIVEN the example WHEN planned and applied THEN ShoreGuard holds every object', async () => {
    const plan = await tofu.run(['plan', '-input=false', '-no-color', '-out=tfplan']);
    expect(plan.stdout).toContain('Plan: 7 to add, 0 to change, 0 to destroy.');
    await tofu.run(['apply', '-input=false', '-no-color', 'tfplan']);
    const { state } = tofu.emulator;
    expect([...state.gateways.keys()]).toEqual(['edge']);
    expect(state.pins.size).toBe(1);
    expect((await stateResources(tofu)).map((r) => r.type).sort()).toEqual([
      'shoreguard_approval_workflow',
      'shoreguard_gateway',
      'shoreguard_group',
      'shoreguard_group_gateway_role',
      'shoreguard_group_membership',
      'shoreguard_policy_pin',
      'shoreguard_sandbox_boot_hook',
    ]);
  });

  test('GIVEN the applied example WHEN planned again THEN there are no changes', async () => {
    const { stdout } = await tofu.run(['plan', '-input=false', '-no-color', '-detailed-exitcode'], 0);
    expect(stdout).toContain('No changes.');
  });

  test('GIVEN the pin removed outside Terraform WHEN planned THEN the drift shows and apply restores it', async () => {
    tofu.emulator.state.pins.clear();
    const drift = await tofu.run(['plan', '-input=false', '-no-color', '-detailed-exitcode'], 2);
    expect(drift.stdout).toContain('shoreguard_policy_pin.freeze has been deleted');
    expect(drift.stdout).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
    await tofu.run(['apply', '-input=false', '-no-color', '-auto-approve']);
    expect(tofu.emulator.state.pins.size).toBe(1);
  });

  test('GIVEN every resource forgotten WHEN imported by its documented id THEN the next plan shows no changes', async () => {
    const imported = await reimportAll(tofu);
    expect(imported).toHaveLength(7);
    const { stdout } = await tofu.run(['plan', '-input=false', '-no-color', '-detailed-exitcode'], 0);
    expect(stdout).toContain('No changes.');
  });

  test('GIVEN an in-place change and a replacing change WHEN applied THEN tofu updates one and replaces the other', async () => {
    const vars = ['-var', 'freeze_until=2098-06-01T00:00:00Z', '-var', 'gateway_endpoint=127.0.0.1:9443'];
    const plan = await tofu.run(['plan', '-input=false', '-no-color', ...vars]);
    expect(plan.stdout).toMatch(/endpoint\s+= "127\.0\.0\.1:8443" -> "127\.0\.0\.1:9443" # forces replacement/);
    expect(plan.stdout).toContain('shoreguard_policy_pin.freeze will be updated in-place');
    await tofu.run(['apply', '-input=false', '-no-color', '-auto-approve', ...vars]);
    expect(tofu.emulator.state.gateways.get('edge')?.endpoint).toBe('127.0.0.1:9443');
  });

  test('GIVEN the example WHEN destroyed THEN ShoreGuard is empty again', async () => {
    await tofu.run(['destroy', '-input=false', '-no-color', '-auto-approve', '-var', 'gateway_endpoint=127.0.0.1:9443']);
    const { state } = tofu.emulator;
    expect(state.gateways.size).toBe(0);
    expect(state.pins.size).toBe(0);
    expect(await stateResources(tofu)).toEqual([]);
  });

  test('GIVEN provider debug logging WHEN the whole run and the state are searched THEN the API key never appears', async () => {
    const traced = await tofu.run(['plan', '-input=false', '-no-color'], 0, { TF_LOG: 'debug' });
    // The provider's own hclog lines reached tofu's log (so the search below covers them).
    expect(traced.stderr).toContain(`provider.terraform-provider-shoreguard_v${PACKAGE_VERSION}: plugin started`);
    const state = await tofu.run(['state', 'pull']);
    const key = tofu.env['SHOREGUARD_TOKEN'] ?? 'missing';
    expect(key).toMatch(/^sg_/);
    expect([...tofu.transcript, state.stdout].join('\n')).not.toContain(key);
  });
});
