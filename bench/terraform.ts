/**
 * Figures for the Terraform provider:
 * 1. wall time of `tofu plan`, `apply`, a no-op `plan` (200 refreshes) and `destroy` for N
 *    resources (default 200) against the emulator with zero latency, with real OpenTofu, and how
 *    that time splits inside the provider processes into API time (resource handlers) and the
 *    provider's own work (decoding, planning, encoding);
 * 2. the provider's overhead per resource apart from API time: Plan + Apply round trips over
 *    gRPC with mutual TLS to the in-process plugin server, with an in-memory handler (API time 0).
 *
 * Run after `npm run build` (tofu starts the built plugin):
 *   bash scripts/with-node.sh npx tsc -p tsconfig.json --outDir .cache/bench-build
 *   bash scripts/with-node.sh node .cache/bench-build/bench/terraform.js [resourceCount]
 * Prints one JSON object on stdout.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type CtyValue, encodeMsgpack } from '../provider/terraform/cty';
import type { MetricsSummary } from '../provider/terraform/metrics';
import { loadProviderSchema } from '../provider/terraform/schema';
import { SANDBOX_POLICY, startTofuEnvironment, type TofuEnvironment } from '../test/e2e/tofu/harness';
import { startPluginHarness } from '../test/integration/terraform/plugin-client';
import { fakeWorkflowHandler } from '../test/unit/terraform/fake-workflow';

export interface PhaseFigures {
  readonly wallSeconds: number;
  readonly wallMsPerResource: number;
  /** Provider RPCs handled in all plugin processes of the command. */
  readonly rpcCalls: number;
  /** Time inside the RPC handlers (server side), summed. */
  readonly rpcMs: number;
  /** Of that, time inside resource handlers (ShoreGuard API calls), summed. */
  readonly apiMs: number;
  /** (rpcMs − apiMs) / resources: decoding, planning, encoding per resource. */
  readonly providerOwnMsPerResource: number;
}

export interface TerraformBenchResult {
  readonly resources: number;
  readonly tofu: Readonly<Record<'plan' | 'apply' | 'noopPlan' | 'destroy', PhaseFigures>>;
  /** In-process Plan+Apply over gRPC/mTLS with API time 0, per resource. */
  readonly grpcRoundTripMsPerResource: number;
}

/** N resources in four types (workflows, pins, boot hooks, groups) on one seeded gateway. */
export function terraformConfiguration(count: number): string {
  const blocks = [
    'terraform {\n  required_providers {\n    shoreguard = { source = "registry.terraform.io/shoreguard/shoreguard", version = "0.1.0" }\n  }\n}\nprovider "shoreguard" {}\n',
  ];
  for (let i = 0; i < count; i += 1) {
    const sandbox = `sb-${Math.floor(i / 4)}`;
    switch (i % 4) {
      case 0:
        blocks.push(`resource "shoreguard_approval_workflow" "w${i}" {\n  gateway = "bench-gw"\n  sandbox_name = "${sandbox}"\n  required_roles = ["operator", "admin"]\n}\n`);
        break;
      case 1:
        blocks.push(`resource "shoreguard_policy_pin" "p${i}" {\n  gateway = "bench-gw"\n  sandbox_name = "${sandbox}"\n  reason = "bench"\n}\n`);
        break;
      case 2:
        blocks.push(`resource "shoreguard_sandbox_boot_hook" "h${i}" {\n  gateway = "bench-gw"\n  sandbox_name = "${sandbox}"\n  name = "hook"\n  phase = "post_create"\n  command = "true"\n}\n`);
        break;
      default:
        blocks.push(`resource "shoreguard_group" "g${i}" {\n  name = "bench-group-${i}"\n}\n`);
    }
  }
  return blocks.join('\n');
}

async function summed(dir: string): Promise<{ calls: number; rpcMs: number; apiMs: number }> {
  let calls = 0;
  let rpcMs = 0;
  let apiMs = 0;
  for (const file of await readdir(dir)) {
    const summary = JSON.parse(await readFile(join(dir, file), 'utf8')) as MetricsSummary;
    for (const bucket of Object.values(summary.rpc)) {
      calls += bucket.count;
      rpcMs += bucket.totalMs;
    }
    for (const bucket of Object.values(summary.api)) apiMs += bucket.totalMs;
  }
  return { calls, rpcMs, apiMs };
}

async function phase(env: TofuEnvironment, name: string, args: string[], count: number): Promise<PhaseFigures> {
  const dir = join(env.root, 'metrics', name);
  await mkdir(dir, { recursive: true });
  const started = performance.now();
  await env.run(args, 0, { SHOREGUARD_TF_METRICS_DIR: dir });
  const wallMs = performance.now() - started;
  const { calls, rpcMs, apiMs } = await summed(dir);
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return {
    wallSeconds: round(wallMs / 1000),
    wallMsPerResource: round(wallMs / count),
    rpcCalls: calls,
    rpcMs: round(rpcMs),
    apiMs: round(apiMs),
    providerOwnMsPerResource: round((rpcMs - apiMs) / count),
  };
}

/** Plan + Apply (create) over gRPC to the in-process server, handler in memory. */
async function grpcRoundTrips(count: number): Promise<number> {
  const { handler } = fakeWorkflowHandler();
  const plugin = await startPluginHarness({ resources: { shoreguard_approval_workflow: handler }, lookups: {} });
  const schema = loadProviderSchema();
  const block = schema.resources.get('shoreguard_approval_workflow');
  if (!block) throw new Error('schema.json lacks shoreguard_approval_workflow');
  try {
    await plugin.provider('ConfigureProvider', { config: { msgpack: encodeMsgpack(schema.provider.objectType, { endpoint: 'http://127.0.0.1:9' }) } });
    const dv = (value: Record<string, CtyValue> | null) => ({ msgpack: encodeMsgpack(block.objectType, value) });
    const started = performance.now();
    for (let i = 0; i < count; i += 1) {
      const config = Object.fromEntries(block.attributes.map((a) => [a.name, a.name === 'gateway' ? 'gw' : a.name === 'sandbox_name' ? `sb-${i}` : null]));
      const planned = await plugin.provider('PlanResourceChange', { type_name: block.typeName, prior_state: dv(null), proposed_new_state: dv(config), config: dv(config) });
      await plugin.provider('ApplyResourceChange', { type_name: block.typeName, prior_state: dv(null), planned_state: planned['planned_state'], config: dv(config) });
    }
    return Math.round(((performance.now() - started) / count) * 1000) / 1000;
  } finally {
    await plugin.close();
  }
}

export async function runTerraformBench(count = 200): Promise<TerraformBenchResult> {
  const env = await startTofuEnvironment();
  try {
    await mkdir(env.workdir, { recursive: true });
    await writeFile(join(env.workdir, 'main.tf'), terraformConfiguration(count));
    env.emulator.state.registerGateway({ name: 'bench-gw' });
    for (let i = 0; i < Math.ceil(count / 4); i += 1) env.emulator.state.seedSandbox('bench-gw', `sb-${i}`, SANDBOX_POLICY);
    await env.run(['init', '-input=false', '-no-color']);
    const plan = await phase(env, 'plan', ['plan', '-input=false', '-no-color', '-out=tfplan'], count);
    const apply = await phase(env, 'apply', ['apply', '-input=false', '-no-color', 'tfplan'], count);
    const noopPlan = await phase(env, 'noop-plan', ['plan', '-input=false', '-no-color', '-detailed-exitcode'], count);
    const destroy = await phase(env, 'destroy', ['destroy', '-input=false', '-no-color', '-auto-approve'], count);
    return { resources: count, tofu: { plan, apply, noopPlan, destroy }, grpcRoundTripMsPerResource: await grpcRoundTrips(count) };
  } finally {
    await env.close();
  }
}

if (require.main === module) {
  const count = Number(process.argv[2] ?? 200);
  if (!Number.isInteger(count) || count < 4) {
    process.stderr.write('usage: terraform.js [resourceCount >= 4]\n');
    process.exit(2);
  }
  runTerraformBench(count)
    .then((result) => process.stdout.write(`${JSON.stringify(result, null, 2)}\n`))
    .catch((error: unknown) => {
      process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    });
}
