/**
 * Figures for the Pulumi provider:
 * 1. the serialized provider size in bytes per resource type (Pulumi stores it in every resource's
 *    state), and
 * 2. the wall time of `pulumi up` (and `destroy`) for 100 resources against the emulator with zero
 *    latency, per resource, with the real Pulumi CLI through the Automation API.
 *
 * Run after `npm run build` (the provider process loads the built package):
 *   bash scripts/with-node.sh npx tsc -p tsconfig.json --outDir .cache/bench-build
 *   bash scripts/with-node.sh node .cache/bench-build/bench/pulumi.js [resourceCount]
 * Prints one JSON object on stdout.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { LocalWorkspace, PulumiCommand } from '@pulumi/pulumi/automation';
import * as shoreguard from '../provider/pulumi';
import { providerFor } from '../provider/pulumi/provider';
import { resourceTypes } from '../provider/resources';
import { ensurePulumiCli, pulumiEnv } from '../test/support/pulumi/cli';
import { consumerProject } from '../test/support/pulumi/consumer';
import { startProviderHarness } from '../test/support/pulumi/emulator';

export interface PulumiBenchResult {
  readonly serializedProviderBytes: Readonly<Record<string, number>>;
  readonly resources: number;
  readonly upSeconds: number;
  readonly upMsPerResource: number;
  readonly destroySeconds: number;
  readonly destroyMsPerResource: number;
}

/** Bytes of each type's serialized provider, as `pulumi.dynamic.Resource` produces it. */
export async function serializedProviderSizes(): Promise<Record<string, number>> {
  const sizes: Record<string, number> = {};
  for (const type of resourceTypes()) {
    const provider = providerFor(type);
    const { text } = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
    sizes[type] = Buffer.byteLength(text);
  }
  return sizes;
}

/** A mix of the resource kinds, `count` in total (gateway-scoped ones spread over the gateways). */
function manyResources(count: number): () => void {
  return () => {
    const gateways = Math.max(1, Math.floor(count / 5));
    const made: pulumi.CustomResource[] = [];
    for (let i = 0; made.length < count && i < gateways; i += 1) {
      made.push(new shoreguard.Gateway(`gw-${i}`, { name: `bench-gw-${i}`, endpoint: `10.1.${Math.floor(i / 250)}.${i % 250}:8443` }));
    }
    for (let i = 0; made.length < count; i += 1) {
      const gateway = `bench-gw-${i % gateways}`;
      const kind = i % 4;
      if (kind === 0) made.push(new shoreguard.Group(`group-${i}`, { name: `bench-group-${i}` }));
      if (kind === 1) made.push(new shoreguard.ApprovalWorkflow(`wf-${i}`, { gateway, sandboxName: `sb-${i}`, requiredApprovals: 2 }));
      if (kind === 2) made.push(new shoreguard.SandboxBootHook(`hook-${i}`, { gateway, sandboxName: `sb-${i}`, name: 'warm', phase: 'pre_create', command: 'true' }));
      if (kind === 3) made.push(new shoreguard.Group(`group-${i}`, { name: `bench-group-${i}`, role: 'operator' }));
    }
  };
}

export async function runPulumiBench(resources = 100): Promise<PulumiBenchResult> {
  const serializedProviderBytes = await serializedProviderSizes();
  const cliRoot = await ensurePulumiCli();
  const harness = await startProviderHarness();
  const workDir = consumerProject('bench');
  const workRoot = join(workDir, 'run');
  rmSync(workRoot, { recursive: true, force: true });
  const env = pulumiEnv(cliRoot, workRoot);
  try {
    const stack = await LocalWorkspace.createOrSelectStack(
      { stackName: 'bench', projectName: 'shoreguard-bench', program: async () => manyResources(resources)() },
      {
        workDir,
        pulumiCommand: await PulumiCommand.get({ root: cliRoot }),
        envVars: env,
        secretsProvider: 'passphrase',
        projectSettings: { name: 'shoreguard-bench', runtime: 'nodejs', backend: { url: env['PULUMI_BACKEND_URL'] as string } },
      },
    );
    await stack.setConfig('shoreguard:url', { value: harness.emulator.url });
    await stack.setConfig('shoreguard:apiKey', { value: harness.emulator.adminKey, secret: true });
    const upStarted = performance.now();
    await stack.up();
    const upMs = performance.now() - upStarted;
    const destroyStarted = performance.now();
    await stack.destroy();
    const destroyMs = performance.now() - destroyStarted;
    await stack.workspace.removeStack('bench', { force: true });
    return {
      serializedProviderBytes,
      resources,
      upSeconds: round(upMs / 1000),
      upMsPerResource: round(upMs / resources),
      destroySeconds: round(destroyMs / 1000),
      destroyMsPerResource: round(destroyMs / resources),
    };
  } finally {
    await shoreguard.providerRuntime.reset();
    await harness.close();
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

if (require.main === module) {
  const count = Number(process.argv[2] ?? 100);
  runPulumiBench(count).then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
