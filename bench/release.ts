/**
 * The release build's single executables (issue #12) side by side with today's entry points, in
 * one run: `shoreguard-gitops --version` and a one-target plan (against the emulator in its own
 * process), the provider's start to a served GetProviderSchema, and `tofu plan` of N resources
 * with the provider as the Node wrapper versus the binary from the network mirror. Also sizes and
 * peak memory. Needs `npm run release` (or builds this platform's release through the e2e helper).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import * as grpc from '@grpc/grpc-js';
import { createServerCertificate } from '../provider/terraform/certs';
import { currentPlatform, findPackageRoot, locateProviderEntry } from '../provider/terraform/install';
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from '../provider/terraform/plugin';
import { pluginPackageDefinition } from '../provider/terraform/proto';
import { SANDBOX_POLICY, startTofuEnvironment } from '../test/e2e/tofu/harness';
import { derBase64ToPem, parseHandshake, TARGET_NAME_OVERRIDE } from '../test/integration/terraform/plugin-client';
import { PLATFORMS, platformId } from '../scripts/release/config';
import { buildSea, lockStage } from '../scripts/release/sea';
import { ARTIFACTS_ENV, ensureRelease, type ReleaseLayout } from '../test/support/release/artifacts';
import type { Bench, BenchContext, BenchOutcome, TargetCheck } from './lib/bench';
import { startEmulatorProcess } from './lib/emulator-process';
import { EmulatorControl } from './lib/emulator-control';
import { cliEnv, GITOPS_CLI, IAC_CLI } from './lib/gitops-cli';
import { median } from './lib/measure';
import { expectExit, repeatRuns, type RepeatedRuns, runProcess } from './lib/process';
import { formatNumber, markdownTable } from './lib/report';
import { terraformConfiguration } from './terraform';

const TARGETS = { planMs: 100, versionMs: 40, schemaMs: 80, tofuSpeedup: 2 } as const;

/** Spawn → handshake line → GetProviderSchema answered, as Terraform does it (mTLS, go-plugin). */
async function providerStartToSchema(command: readonly string[]): Promise<number> {
  const client = await createServerCertificate();
  const started = performance.now();
  const [file, ...args] = command;
  const child = spawn(file as string, args, {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: '6', PLUGIN_CLIENT_CERT: client.certPem },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    const line = await new Promise<string>((done, fail) => {
      createInterface({ input: child.stdout }).once('line', done);
      child.once('exit', (code) => fail(new Error(`provider exited ${code} before its handshake`)));
    });
    const handshake = parseHandshake(line);
    const credentials = grpc.credentials.createSsl(Buffer.from(derBase64ToPem(handshake.certDerBase64)), Buffer.from(client.keyPem), Buffer.from(client.certPem));
    let node: unknown = grpc.loadPackageDefinition(pluginPackageDefinition());
    for (const part of ['tfplugin6', 'Provider']) node = (node as Record<string, unknown>)[part];
    const Provider = node as new (address: string, credentials: grpc.ChannelCredentials, options: grpc.ChannelOptions) => grpc.Client & Record<string, (r: unknown, cb: (e: unknown, v: unknown) => void) => void>;
    const provider = new Provider(handshake.address, credentials, TARGET_NAME_OVERRIDE);
    try {
      await new Promise((done, fail) => provider['GetProviderSchema']?.call(provider, {}, (error, value) => (error ? fail(error) : done(value))));
    } finally {
      provider.close();
    }
    return performance.now() - started;
  } finally {
    child.kill('SIGKILL');
  }
}

async function schemaStarts(command: readonly string[], runs: number): Promise<{ ms: number }> {
  await providerStartToSchema(command);
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await providerStartToSchema(command));
  return { ms: median(samples) };
}

/** Wall time of `tofu plan` of `count` resources, median of `rounds`, for the wrapper or the binary. */
async function tofuPlan(kind: 'wrapper' | 'release', count: number, rounds: number): Promise<{ ms: number; samples: number[] }> {
  const previous = process.env[ARTIFACTS_ENV];
  if (kind === 'release') process.env[ARTIFACTS_ENV] = 'release';
  else delete process.env[ARTIFACTS_ENV];
  const env = await startTofuEnvironment();
  try {
    await mkdir(env.workdir, { recursive: true });
    await writeFile(join(env.workdir, 'main.tf'), terraformConfiguration(count));
    env.emulator.state.registerGateway({ name: 'bench-gw' });
    for (let i = 0; i < Math.ceil(count / 4); i += 1) env.emulator.state.seedSandbox('bench-gw', `sb-${i}`, SANDBOX_POLICY);
    await env.run(['init', '-input=false', '-no-color']);
    const samples: number[] = [];
    for (let i = 0; i < rounds + 1; i++) {
      const started = performance.now();
      await env.run(['plan', '-input=false', '-no-color', '-refresh=true']);
      if (i > 0) samples.push(performance.now() - started);
    }
    return { ms: median(samples), samples };
  } finally {
    await env.close();
    if (previous === undefined) delete process.env[ARTIFACTS_ENV];
    else process.env[ARTIFACTS_ENV] = previous;
  }
}

/**
 * The floor of any SEA with a startup snapshot: the same Node with a snapshot of nothing but a
 * main function that prints a line. What a binary takes beyond it is deserializing its own heap.
 */
function emptySnapshotBinary(scratch: string): string {
  const root = findPackageRoot(__dirname);
  const platform = PLATFORMS.find((p) => platformId(p) === currentPlatform());
  if (!root || !platform) throw new Error(`no release platform for ${currentPlatform()}`);
  const bundle = join(scratch, 'empty.js');
  writeFileSync(bundle, "require('node:v8').startupSnapshot.setDeserializeMainFunction(() => process.stdout.write('0.0.0\\n'));\n");
  const unlock = lockStage();
  try {
    return buildSea({ root, platform, bundle, stageName: 'bench-empty-snapshot', output: join(scratch, 'empty-sea') }).file;
  } finally {
    unlock();
  }
}

function mib(bytes: number): string {
  return formatNumber(bytes / 1024 / 1024, 1);
}

export const releaseBench: Bench = {
  name: 'release',
  title: 'Single executables (release build) versus today\'s entry points',
  async run(context: BenchContext): Promise<BenchOutcome> {
    const runs = context.options.coldRuns;
    const release: ReleaseLayout = await ensureRelease();
    const emulator = await startEmulatorProcess(IAC_CLI);
    const scratch = mkdtempSync(join(tmpdir(), 'sg-bench-release-'));
    let version: { node: RepeatedRuns; bin: RepeatedRuns };
    let plan: { node: RepeatedRuns; bin: RepeatedRuns };
    try {
      const control = new EmulatorControl(emulator.url, emulator.keys.admin);
      await control.registerGateway('gw');
      await control.seedSandbox('gw', 'sb', SANDBOX_POLICY);
      const server = { url: emulator.url, token: emulator.keys.admin };
      const file = join(scratch, 'sb.yaml');
      expectExit('export', await runProcess(process.execPath, [GITOPS_CLI, 'export', '-g', 'gw', '-s', 'sb', '-o', file], { env: cliEnv(server), rusage: false }), [0]);
      const planArgs = ['plan', '-g', 'gw', '-s', 'sb', '-f', file];
      context.log(`release: ${runs} runs of each command, alternating node and binary`);
      // Interleaved so that machine load drifts affect both alike.
      const nodeVersion: RepeatedRuns[] = [];
      const binVersion: RepeatedRuns[] = [];
      const nodePlan: RepeatedRuns[] = [];
      const binPlan: RepeatedRuns[] = [];
      const once = async (command: string, args: readonly string[], env: Record<string, string>) => expectExit(`${command} ${args[0] ?? ''}`, await runProcess(command, args, { env }), [0]);
      for (let i = 0; i < 3; i++) {
        const per = Math.max(1, Math.ceil(runs / 3));
        nodeVersion.push(await repeatRuns(() => once(process.execPath, [GITOPS_CLI, '--version'], cliEnv()), per));
        binVersion.push(await repeatRuns(() => once(release.gitopsBinary, ['--version'], cliEnv()), per));
        nodePlan.push(await repeatRuns(() => once(process.execPath, [GITOPS_CLI, ...planArgs], cliEnv(server)), per));
        binPlan.push(await repeatRuns(() => once(release.gitopsBinary, planArgs, cliEnv(server)), per));
      }
      const merge = (parts: RepeatedRuns[]): RepeatedRuns => ({
        runs: parts.reduce((n, p) => n + p.runs, 0),
        medianWallMs: median(parts.map((p) => p.medianWallMs)),
        minWallMs: Math.min(...parts.map((p) => p.minWallMs)),
        medianCpuMs: median(parts.map((p) => p.medianCpuMs)),
        medianMaxRssKb: median(parts.map((p) => p.medianMaxRssKb)),
      });
      version = { node: merge(nodeVersion), bin: merge(binVersion) };
      plan = { node: merge(nodePlan), bin: merge(binPlan) };
    } finally {
      await emulator.close();
      rmSync(scratch, { recursive: true, force: true });
    }
    const nodeFloor = await repeatRuns(async () => runProcess(process.execPath, ['-e', '0'], { env: cliEnv() }), runs);
    const floorScratch = mkdtempSync(join(tmpdir(), 'sg-bench-empty-sea-'));
    let seaFloor: RepeatedRuns;
    try {
      const empty = emptySnapshotBinary(floorScratch);
      seaFloor = await repeatRuns(async () => runProcess(empty, [], { env: cliEnv() }), runs);
    } finally {
      rmSync(floorScratch, { recursive: true, force: true });
    }

    context.log('release: provider start to GetProviderSchema');
    const wrapperSchema = await schemaStarts([process.execPath, locateProviderEntry(join(__dirname, '..', 'provider', 'terraform'))], runs);
    const binarySchema = await schemaStarts([release.providerBinary], runs);

    const count = context.options.terraformResources;
    const rounds = Math.max(1, Math.min(3, context.options.rounds));
    context.log(`release: tofu plan of ${count} resources, wrapper then binary, ${rounds} rounds each`);
    const tofuWrapper = await tofuPlan('wrapper', count, rounds);
    const tofuBinary = await tofuPlan('release', count, rounds);

    const sizes = [
      ['`shoreguard-gitops` (single executable)', statSync(release.gitopsBinary).size],
      ['`terraform-provider-shoreguard` (single executable)', statSync(release.providerBinary).size],
    ] as const;
    const zip = join(release.dir, 'provider', `terraform-provider-shoreguard_${release.version}_${release.gitopsBinary.split('/').slice(-2, -1)[0]}.zip`);
    const rss = (r: RepeatedRuns) => formatNumber(r.medianMaxRssKb / 1024, 1);
    const ratio = (a: number, b: number) => `${formatNumber(a / b, 2)}×`;
    const markdown = [
      `Fresh processes, median of ${runs} runs per command (in three interleaved blocks, after a warm-up run each); the one-target plan is a dry run of an in-sync file against the emulator in its own process. ` +
        '"today" is `node dist/bridge/cli/main.js` and the provider\'s Node wrapper (`node dist/provider/terraform/main.js`); "binary" is the release build for this machine (`dist/release/<v>/bin/<os>_<arch>/`).',
      '',
      markdownTable(
        ['command', 'today ms', 'binary ms', 'today ÷ binary', 'today peak RSS MiB', 'binary peak RSS MiB'],
        [
          ['`node -e 0` (Node itself, for reference)', formatNumber(nodeFloor.medianWallMs), '', '', rss(nodeFloor), ''],
          ['a SEA whose snapshot holds nothing (the floor of any snapshot binary)', '', formatNumber(seaFloor.medianWallMs), '', '', rss(seaFloor)],
          ['`shoreguard-gitops --version`', formatNumber(version.node.medianWallMs), formatNumber(version.bin.medianWallMs), ratio(version.node.medianWallMs, version.bin.medianWallMs), rss(version.node), rss(version.bin)],
          ['`shoreguard-gitops plan -g -s -f` (one target)', formatNumber(plan.node.medianWallMs), formatNumber(plan.bin.medianWallMs), ratio(plan.node.medianWallMs, plan.bin.medianWallMs), rss(plan.node), rss(plan.bin)],
          ['provider start → `GetProviderSchema` answered', formatNumber(wrapperSchema.ms), formatNumber(binarySchema.ms), ratio(wrapperSchema.ms, binarySchema.ms), '', ''],
          [`\`tofu plan\`, ${count} resources (refresh of an empty state)`, formatNumber(tofuWrapper.ms), formatNumber(tofuBinary.ms), ratio(tofuWrapper.ms, tofuBinary.ms), '', ''],
        ],
        ['left', 'right', 'right', 'right', 'right', 'right'],
      ),
      '',
      markdownTable(
        ['file', 'MiB'],
        [...sizes.map(([what, bytes]) => [what, mib(bytes)]), ['provider zip (this platform)', (() => { try { return mib(statSync(zip).size); } catch { return 'n/a'; } })()]],
        ['left', 'right'],
      ),
      '',
      `\`tofu plan\` samples (ms): wrapper ${tofuWrapper.samples.map((s) => formatNumber(s)).join(', ')}; binary ${tofuBinary.samples.map((s) => formatNumber(s)).join(', ')}.`,
    ].join('\n');

    const checks: TargetCheck[] = [
      check(`one-target \`plan\` cold start ≤ ${TARGETS.planMs} ms`, plan.bin.medianWallMs, TARGETS.planMs, `today ${formatNumber(plan.node.medianWallMs)} ms`),
      check(`\`--version\` ≤ ${TARGETS.versionMs} ms`, version.bin.medianWallMs, TARGETS.versionMs, `today ${formatNumber(version.node.medianWallMs)} ms; \`node -e 0\` ${formatNumber(nodeFloor.medianWallMs)} ms; empty-snapshot SEA ${formatNumber(seaFloor.medianWallMs)} ms`),
      check(`provider start → GetProviderSchema ≤ ${TARGETS.schemaMs} ms`, binarySchema.ms, TARGETS.schemaMs, `wrapper ${formatNumber(wrapperSchema.ms)} ms`),
      {
        target: `\`tofu plan\` of ${count} resources ≥ ${TARGETS.tofuSpeedup}× faster than the wrapper`,
        measured: `${ratio(tofuWrapper.ms, tofuBinary.ms)} (${formatNumber(tofuWrapper.ms)} → ${formatNumber(tofuBinary.ms)} ms)`,
        met: tofuWrapper.ms / tofuBinary.ms >= TARGETS.tofuSpeedup,
      },
    ];
    return { markdown, checks };
  },
};

function check(target: string, measured: number, limit: number, context: string): TargetCheck {
  const met = measured <= limit;
  return { target, measured: `${formatNumber(measured)} ms median (${context})`, met, ...(met ? {} : { note: `missed by ${formatNumber(measured - limit)} ms` }) };
}
