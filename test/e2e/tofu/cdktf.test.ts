/**
 * examples/cdktf synthesized and run with real OpenTofu against the emulator:
 * init (offline) → plan → apply → plan (no changes) → import → destroy; plus cdktf's own
 * `toBeValidTerraform` matcher with tofu standing in for terraform.
 */
import { mkdtemp, rm, symlink, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_VERSION } from '../../../sdk/version';
import { App, Testing } from 'cdktf';
import type {} from 'cdktf/lib/testing/adapters/jest';
import { ShoreGuardStack, synthesizeExample } from '../../../examples/cdktf/main';
import { reimportAll, startTofuEnvironment, stateResources, TOFU_BUILD_TIMEOUT_MS, SANDBOX_POLICY, type TofuEnvironment } from './harness';

// Registers cdktf's jest matchers; the type-only import below declares them for TypeScript.
Testing.setupJest();
jest.setTimeout(10 * 60_000);

let scratch: string;
let tofu: TofuEnvironment;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'sg-cdktf-e2e-'));
  const stackDir = synthesizeExample(join(scratch, 'cdktf.out'));
  tofu = await startTofuEnvironment(stackDir);
  tofu.emulator.state.seedSandbox('edge', 'agent-1', SANDBOX_POLICY);
}, TOFU_BUILD_TIMEOUT_MS);

afterAll(async () => {
  await tofu?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('examples/cdktf with OpenTofu', () => {
  test('GIVEN the synthesized cdk.tf.json WHEN tofu init runs offline THEN the provider comes from the mirror', async () => {
    const { stdout } = await tofu.run(['init', '-input=false', '-no-color']);
    expect(stdout).toContain(`Installing registry.terraform.io/shoreguard/shoreguard v${PACKAGE_VERSION}`);
  });

  test('GIVEN the stack WHEN planned and applied THEN the governed sandbox exists in ShoreGuard', async () => {
    const plan = await tofu.run(['plan', '-input=false', '-no-color', '-out=tfplan']);
    expect(plan.stdout).toContain('Plan: 8 to add, 0 to change, 0 to destroy.');
    await tofu.run(['apply', '-input=false', '-no-color', 'tfplan']);
    const { state } = tofu.emulator;
    expect([...state.gateways.keys()]).toEqual(['edge']);
    expect(state.pins.size).toBe(1);
    const types = (await stateResources(tofu)).map((r) => r.type);
    expect(types.filter((t) => t === 'shoreguard_sandbox_boot_hook')).toHaveLength(2);
  });

  test('GIVEN the applied stack WHEN planned again THEN there are no changes', async () => {
    const { stdout } = await tofu.run(['plan', '-input=false', '-no-color', '-detailed-exitcode'], 0);
    expect(stdout).toContain('No changes.');
  });

  test('GIVEN every resource forgotten WHEN imported by documented ids THEN the plan shows no changes', async () => {
    expect(await reimportAll(tofu)).toHaveLength(8);
    await tofu.run(['plan', '-input=false', '-no-color', '-detailed-exitcode'], 0);
  });

  test('GIVEN the stack WHEN destroyed THEN ShoreGuard is empty again', async () => {
    await tofu.run(['destroy', '-input=false', '-no-color', '-auto-approve']);
    expect(tofu.emulator.state.gateways.size).toBe(0);
    expect(tofu.emulator.state.pins.size).toBe(0);
  });
});

/**
 * cdktf's matchers run `terraform` from PATH with process.env; for the duration of `check`, both
 * point at tofu and the test's mirror configuration.
 */
async function withTofuAsTerraform(check: () => void): Promise<void> {
  const bin = join(scratch, 'bin');
  await mkdir(bin, { recursive: true });
  await symlink(tofu.tofu, join(bin, 'terraform')).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  const saved = { ...process.env };
  Object.assign(process.env, { ...tofu.env, PATH: `${bin}:${process.env['PATH'] ?? ''}` });
  try {
    check();
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

describe('cdktf Testing matchers with tofu', () => {
  test('GIVEN the example stack WHEN checked with toBeValidTerraform THEN tofu init + validate accept it', async () => {
    await withTofuAsTerraform(() => {
      const stack = new ShoreGuardStack(Testing.app(), 'valid');
      expect(Testing.fullSynth(stack)).toBeValidTerraform();
    });
  });

  test('GIVEN an invalid gateway name WHEN checked with toBeValidTerraform THEN the provider validation fails it', async () => {
    await withTofuAsTerraform(() => {
      const stack = new ShoreGuardStack(new App({ outdir: join(scratch, 'invalid') }), 'invalid', { gatewayName: '-not a name' });
      expect(Testing.fullSynth(stack)).not.toBeValidTerraform();
    });
  });
});
