/**
 * Cold start (issue #7): `shoreguard-gitops --version` and a one-target plan, ours versus
 * ShoreGuard's Python CLI against the same real ShoreGuard, median of repeated fresh processes.
 * Also which modules each command loads: the CLI path must not load Pulumi, CDKTF or gRPC code,
 * and doing so fails the run.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Bench, BenchContext, BenchOutcome, TargetCheck } from './lib/bench';
import { censusOf, formatRatio, type ModuleCensus } from './lib/figures';
import { cliEnv, GITOPS_CLI, runGitops, type Server } from './lib/gitops-cli';
import { MODULE_PROBE_ENV } from './lib/module-probe';
import { expectExit, type ProcessRun, repeatRuns, type RepeatedRuns, runProcess } from './lib/process';
import { median } from './lib/measure';
import { findRepoRoot, formatNumber, markdownTable } from './lib/report';
import { peerServer, preparePeerTree, pythonDiff } from './peer';

const TARGET_MS = 150;
const PROBE = join(__dirname, 'lib', 'module-probe.js');
/** The compiled package root (`dist/`), next to this file's `dist/bench/`. */
const DIST = join(__dirname, '..');

/**
 * What the one-target plan loads, in the order it loads it, each step timed in one fresh process
 * (later steps exclude what earlier ones already loaded).
 */
const LOAD_STEPS: readonly (readonly [label: string, module: string])[] = [
  ['`commander`', 'commander'],
  ['`zod`', 'zod'],
  ['`undici`', 'undici'],
  ['`dist/sdk` (our SDK, on top of zod and undici)', join(DIST, 'sdk')],
  ['`dist/bridge/commands/run-command` (the bridge, on top of the SDK)', join(DIST, 'bridge', 'commands', 'run-command')],
];
const LOAD_SCRIPT = `
const { performance } = require('node:perf_hooks');
const out = [];
for (const [, id] of JSON.parse(process.argv[1])) { const t = performance.now(); require(id); out.push(performance.now() - t); }
process.stdout.write(JSON.stringify(out));`;

/** Median milliseconds per {@link LOAD_STEPS} entry over `runs` fresh processes. */
async function loadCosts(runs: number): Promise<number[]> {
  const samples: number[][] = [];
  for (let i = 0; i < runs; i++) {
    const run = expectExit('require timing', await runProcess(process.execPath, ['-e', LOAD_SCRIPT, JSON.stringify(LOAD_STEPS)], { cwd: findRepoRoot(), rusage: false }), [0]);
    samples.push(JSON.parse(run.stdout) as number[]);
  }
  return LOAD_STEPS.map((_, step) => median(samples.map((sample) => sample[step] ?? Number.NaN)));
}

interface Contender {
  readonly what: string;
  readonly runs: RepeatedRuns;
}

export const coldStartBench: Bench = {
  name: 'cold-start',
  title: 'Cold start: ours versus the Python CLI',
  async run(context: BenchContext): Promise<BenchOutcome> {
    const { coldRuns, pythonColdRuns } = context.options;
    const peer = await context.peer();
    const tree = await preparePeerTree(peer, 'cold', 1, 0);
    const target = tree.targets[0];
    if (target === undefined) throw new Error('the cold-start tree has no target');
    const server = peerServer(peer);
    const file = `${tree.hostDir}/${peer.gateway}/${target.sandbox}.yaml`;
    const planArgs = ['plan', '-g', peer.gateway, '-s', target.sandbox, '-f', file];

    context.log(`cold-start: ${coldRuns} runs of each of our commands, ${pythonColdRuns} of each Python one`);
    const nodeBaseline = await repeatRuns(() => runProcess(process.execPath, ['-e', '0'], { env: cliEnv() }), coldRuns);
    const ourVersion = await repeatRuns(async () => expectExit('shoreguard-gitops --version', await runGitops(['--version']), [0]), coldRuns);
    const ourPlan = await repeatRuns(async () => expectExit('shoreguard-gitops plan (one target)', await runGitops(planArgs, server), [0]), coldRuns);
    // Node's on-disk compile cache (what `module.enableCompileCache()` in the bin would turn on); the warm-up run fills it.
    const cacheDir = mkdtempSync(join(tmpdir(), 'sg-bench-compile-cache-'));
    let ourPlanCached: RepeatedRuns;
    try {
      ourPlanCached = await repeatRuns(
        async () => expectExit('shoreguard-gitops plan (one target, compile cache)', await runGitops(planArgs, server, { env: { NODE_COMPILE_CACHE: cacheDir } }), [0]),
        coldRuns,
      );
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
    const loads = await loadCosts(Math.max(3, Math.ceil(coldRuns / 3)));
    const chroot = await repeatRuns(() => peer.runChrootNoop(), pythonColdRuns);
    const pythonVersion = await repeatRuns(async () => expectExit('shoreguard --version', await peer.runPythonCli(['--version']), [0]), pythonColdRuns);
    const pythonPlan = await repeatRuns(() => pythonDiff(peer, tree, target), pythonColdRuns);

    const versionModules = await probeModules(['--version']);
    const planModules = await probeModules(planArgs, server);
    const failures = [...forbiddenFailures('--version', versionModules), ...forbiddenFailures('plan (one target)', planModules)];

    const row = (contender: Contender, base?: RepeatedRuns): (string | number)[] => [
      contender.what,
      formatNumber(contender.runs.medianWallMs),
      formatNumber(contender.runs.minWallMs),
      formatNumber(contender.runs.medianCpuMs),
      formatNumber(contender.runs.medianMaxRssKb / 1024, 1),
      base === undefined ? '' : formatRatio(base.medianWallMs, contender.runs.medianWallMs, 1),
    ];
    const markdown = [
      `Fresh processes, median of ${coldRuns} (ours) and ${pythonColdRuns} (Python) runs after one warm-up run each; the one-target plan is a dry run of an in-sync file against the same real ShoreGuard ${peer.version}. ` +
        `Ours runs as \`node dist/bridge/cli/main.js\` (what the \`shoreguard-gitops\` bin resolves to; \`npx\` adds its own start-up); the Python CLI as installed, through \`in-rootfs.sh\` (the chroot entry is shown separately and not subtracted).`,
      '',
      markdownTable(
        ['command', 'wall ms (median)', 'wall ms (min)', 'CPU ms', 'peak RSS MiB', 'Python ÷ ours'],
        [
          row({ what: '`node -e 0` (Node itself, for reference)', runs: nodeBaseline }),
          row({ what: '`shoreguard-gitops --version`', runs: ourVersion }, pythonVersion),
          row({ what: '`shoreguard --version` (Python)', runs: pythonVersion }),
          row({ what: '`shoreguard-gitops plan -g -s -f` (one target)', runs: ourPlan }, pythonPlan),
          row({ what: 'the same with `NODE_COMPILE_CACHE` set (Node\'s compile cache, warm)', runs: ourPlanCached }, pythonPlan),
          row({ what: '`shoreguard policy diff -g -s -f` (Python, one target)', runs: pythonPlan }),
          row({ what: '`in-rootfs.sh true` (entering the chroot, included above)', runs: chroot }),
        ],
        ['left', 'right', 'right', 'right', 'right', 'right'],
      ),
      '',
      '### Modules loaded',
      '',
      markdownTable(
        ['command', 'modules', 'ours', 'from node_modules', 'packages (files)', 'forbidden (Pulumi, CDKTF, constructs, gRPC, protobuf, sigstore)'],
        [censusRow('`--version`', versionModules), censusRow('`plan` (one target)', planModules)],
        ['left', 'right', 'right', 'right', 'left', 'left'],
      ),
      '',
      'Counted from `require.cache` at exit with a preloaded probe (`node -r dist/bench/lib/module-probe.js`), in separate untimed runs.',
      '',
      '### Where the one-target plan\'s start-up goes',
      '',
      markdownTable(
        ['loaded (in this order, in one fresh process)', 'ms (median)'],
        [...LOAD_STEPS.map(([label], i) => [label, formatNumber(loads[i] ?? Number.NaN, 1)]), ['total', formatNumber(loads.reduce((a, b) => a + b, 0), 1)]],
        ['left', 'right'],
      ),
      '',
      `CPU times come from GNU time (10 ms resolution). Node itself starts in ${formatNumber(nodeBaseline.medianWallMs)} ms; the rest of the plan's ${formatNumber(ourPlan.medianWallMs)} ms is loading ` +
        'the modules above, validating the file, one request and the report.',
    ].join('\n');

    const checks: TargetCheck[] = [
      coldCheck('`shoreguard-gitops --version` cold start under 150 ms', ourVersion, nodeBaseline),
      coldCheck('one-target `plan` cold start under 150 ms', ourPlan, nodeBaseline, ourPlanCached),
      {
        target: 'the CLI loads no Pulumi, CDKTF or gRPC code',
        measured: `--version: ${versionModules.total} modules, plan: ${planModules.total} modules, ${versionModules.forbidden.length + planModules.forbidden.length} forbidden`,
        met: failures.length === 0,
      },
    ];
    return { markdown, checks, failures };
  },
};

function coldCheck(target: string, runs: RepeatedRuns, nodeBaseline: RepeatedRuns, withCompileCache?: RepeatedRuns): TargetCheck {
  const met = runs.medianWallMs < TARGET_MS;
  const cached = withCompileCache === undefined ? '' : `; with Node's compile cache ${formatNumber(withCompileCache.medianWallMs)} ms`;
  return {
    target,
    measured: `${formatNumber(runs.medianWallMs)} ms median (min ${formatNumber(runs.minWallMs)}, CPU ${formatNumber(runs.medianCpuMs)} ms)`,
    met,
    ...(met
      ? {}
      : { note: `module loading: Node alone starts in ${formatNumber(nodeBaseline.medianWallMs)} ms, zod + undici + our code take most of the rest (see the cold-start section)${cached}` }),
  };
}

/** Runs the CLI once with the module probe and returns the census of what it loaded. */
async function probeModules(args: readonly string[], server?: Server): Promise<ModuleCensus> {
  const scratch = mkdtempSync(join(tmpdir(), 'sg-bench-probe-'));
  const out = join(scratch, 'modules.json');
  try {
    const run: ProcessRun = await runProcess(process.execPath, ['-r', PROBE, GITOPS_CLI, ...args], { env: { ...cliEnv(server), [MODULE_PROBE_ENV]: out }, rusage: false });
    expectExit(`shoreguard-gitops ${args.join(' ')} (module probe)`, run, [0]);
    return censusOf(JSON.parse(readFileSync(out, 'utf8')) as string[]);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function censusRow(what: string, census: ModuleCensus): (string | number)[] {
  const fromPackages = census.total - census.own;
  const root = findRepoRoot();
  return [
    what,
    census.total,
    census.own,
    fromPackages,
    census.packages.map((p) => `${p.name} (${p.files})`).join(', ') || '—',
    census.forbidden.length === 0 ? 'none' : census.forbidden.slice(0, 5).map((file) => relative(root, file)).join(', '),
  ];
}

function forbiddenFailures(command: string, census: ModuleCensus): string[] {
  if (census.forbidden.length === 0) return [];
  const root = findRepoRoot();
  return [`shoreguard-gitops ${command} loaded ${census.forbidden.length} forbidden module(s), e.g. ${census.forbidden.slice(0, 3).map((file) => relative(root, file)).join(', ')}`];
}
