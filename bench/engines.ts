/**
 * The Pulumi and Terraform per-resource figures of their own benches (bench/pulumi.ts,
 * bench/terraform.ts, written by those issues' engineers), collected into the same results. Each
 * runs as its own process (`node dist/bench/<name>.js <count>`, which prints one JSON object),
 * so Pulumi and gRPC code never load into the runner.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Bench, BenchContext, BenchOutcome } from './lib/bench';
import { expectExit, runProcess } from './lib/process';
import { formatNumber, markdownTable } from './lib/report';

const PulumiResultSchema = z.object({
  serializedProviderBytes: z.record(z.string(), z.number()),
  resources: z.number(),
  upSeconds: z.number(),
  upMsPerResource: z.number(),
  destroySeconds: z.number(),
  destroyMsPerResource: z.number(),
});

const PhaseSchema = z.object({
  wallSeconds: z.number(),
  wallMsPerResource: z.number(),
  rpcCalls: z.number(),
  rpcMs: z.number(),
  apiMs: z.number(),
  providerOwnMsPerResource: z.number(),
});
const TerraformResultSchema = z.object({
  resources: z.number(),
  tofu: z.object({ plan: PhaseSchema, apply: PhaseSchema, noopPlan: PhaseSchema, destroy: PhaseSchema }),
  grpcRoundTripMsPerResource: z.number(),
});

/** The last top-level JSON object a bench printed (anything logged before it is skipped). */
export function lastJsonObject(stdout: string): unknown {
  const lines = stdout.split('\n');
  for (let start = lines.length - 1; start >= 0; start--) {
    if (!lines[start]?.startsWith('{')) continue;
    try {
      return JSON.parse(lines.slice(start).join('\n'));
    } catch {
      // Not the start of the object; look further up.
    }
  }
  throw new Error('the bench printed no JSON object');
}

async function runEngineBench<T>(name: string, count: number, schema: z.ZodType<T>): Promise<T> {
  const script = join(__dirname, `${name}.js`);
  if (!existsSync(script)) throw new Error(`${script} is not built (bench/${name}.ts missing or not compiled)`);
  const run = expectExit(`bench/${name}`, await runProcess(process.execPath, [script, String(count)], { rusage: false, timeoutMs: 900_000 }), [0]);
  return schema.parse(lastJsonObject(run.stdout));
}

export const pulumiBench: Bench = {
  name: 'pulumi',
  title: 'Pulumi provider: per-resource figures (bench/pulumi.ts)',
  async run(context: BenchContext): Promise<BenchOutcome> {
    const count = context.options.pulumiResources;
    context.log(`pulumi: bench/pulumi.js ${count} (real Pulumi CLI through the Automation API)`);
    const r = await runEngineBench('pulumi', count, PulumiResultSchema);
    const sizes = Object.entries(r.serializedProviderBytes).sort(([a], [b]) => a.localeCompare(b));
    return {
      markdown: [
        `\`pulumi up\` and \`destroy\` of ${r.resources} resources (a mix of groups, approval workflows and boot hooks) against the emulator with zero latency, real Pulumi CLI.`,
        '',
        markdownTable(
          ['phase', 'wall s', 'ms per resource'],
          [
            ['`pulumi up`', formatNumber(r.upSeconds, 1), formatNumber(r.upMsPerResource, 1)],
            ['`pulumi destroy`', formatNumber(r.destroySeconds, 1), formatNumber(r.destroyMsPerResource, 1)],
          ],
          ['left', 'right', 'right'],
        ),
        '',
        'Serialized dynamic provider per resource type (Pulumi stores it in every resource\'s state):',
        '',
        markdownTable(['resource type', 'bytes'], sizes.map(([type, bytes]) => [`\`${type}\``, formatNumber(bytes)]), ['left', 'right']),
      ].join('\n'),
      checks: [],
    };
  },
};

export const terraformBench: Bench = {
  name: 'terraform',
  title: 'Terraform provider: per-resource figures (bench/terraform.ts)',
  async run(context: BenchContext): Promise<BenchOutcome> {
    const count = context.options.terraformResources;
    context.log(`terraform: bench/terraform.js ${count} (real OpenTofu)`);
    const r = await runEngineBench('terraform', count, TerraformResultSchema);
    const phases = [
      ['`tofu plan`', r.tofu.plan],
      ['`tofu apply`', r.tofu.apply],
      [`no-op \`tofu plan\` (${r.resources} refreshes)`, r.tofu.noopPlan],
      ['`tofu destroy`', r.tofu.destroy],
    ] as const;
    return {
      markdown: [
        `${r.resources} resources (approval workflows, pins, boot hooks, groups) against the emulator with zero latency, real OpenTofu; time inside the provider processes split into API time and the provider's own work.`,
        '',
        markdownTable(
          ['phase', 'wall s', 'wall ms per resource', 'provider RPCs', 'API ms (sum)', "provider's own ms per resource"],
          phases.map(([label, p]) => [label, formatNumber(p.wallSeconds, 1), formatNumber(p.wallMsPerResource, 1), formatNumber(p.rpcCalls), formatNumber(p.apiMs), formatNumber(p.providerOwnMsPerResource, 2)]),
          ['left', 'right', 'right', 'right', 'right', 'right'],
        ),
        '',
        `Plan + Apply round trip over gRPC with mutual TLS to the in-process plugin server, handler in memory (API time 0): ${formatNumber(r.grpcRoundTripMsPerResource, 2)} ms per resource.`,
      ].join('\n'),
      checks: [],
    };
  },
};
