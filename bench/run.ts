/**
 * Runs the benchmarks of issue #7 (all, or the ones named) and assembles bench/RESULTS.md from
 * their latest results: each bench prints its markdown section, stores it as
 * bench/results/<name>.{md,json}, and RESULTS.md is rebuilt from every stored result, so a run of
 * one bench keeps the others' latest figures. Exits 1 when a bench failed or reported a hard
 * failure (e.g. the CLI loading forbidden code); a missed timing target is reported, not fatal.
 *
 *   npm run build && node dist/bench/run.js [bench ...] [--sizes 10,100,500] [--latencies 0,25] ...
 *   node dist/bench/run.js --list
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { coldStartBench } from './cold-start';
import { pulumiBench, terraformBench } from './engines';
import { fleetBench } from './fleet';
import { gatesBench } from './gates';
import { type Bench, type BenchContext, type BenchOptions, type StoredResult, assembleResults, loadResult, renderSection, storeResult } from './lib/bench';
import { assertCliBuilt } from './lib/gitops-cli';
import { type RealPeer, startRealPeer } from './lib/real-peer';
import { environmentLine, findRepoRoot } from './lib/report';
import { peerBench } from './peer';
import { releaseBench } from './release';
import { requestsBench } from './requests';
import { clientBench, demoteHeadings, gitopsLibraryBench } from './scripts';
import { yamlBench } from './yaml';

/** In RESULTS.md order. */
export const BENCHES: readonly Bench[] = [fleetBench, peerBench, coldStartBench, requestsBench, yamlBench, pulumiBench, terraformBench, clientBench, gitopsLibraryBench, gatesBench, releaseBench];

export const DEFAULT_OPTIONS: BenchOptions = {
  fleetSizes: [10, 100, 500],
  latenciesMs: [0, 25],
  concurrencies: [8, 32],
  rounds: 3,
  requestTargets: 10,
  peerTargets: 100,
  peerDrift: 0.1,
  peerOwnLoop: true,
  coldRuns: 15,
  pythonColdRuns: 7,
  yamlBytes: 5 * 1024 * 1024,
  yamlIterations: 3,
  pulumiResources: 100,
  terraformResources: 200,
};

/** Flags → options and the selected benches; throws a usage error for anything unknown. */
export function parseRunArgs(argv: readonly string[]): { readonly options: BenchOptions; readonly selected: readonly Bench[]; readonly list: boolean } {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      sizes: { type: 'string' },
      latencies: { type: 'string' },
      concurrency: { type: 'string' },
      rounds: { type: 'string' },
      'request-targets': { type: 'string' },
      'peer-targets': { type: 'string' },
      'peer-drift': { type: 'string' },
      'no-peer-own-loop': { type: 'boolean', default: false },
      'cold-runs': { type: 'string' },
      'python-cold-runs': { type: 'string' },
      'yaml-mb': { type: 'string' },
      'yaml-iterations': { type: 'string' },
      'pulumi-resources': { type: 'string' },
      'terraform-resources': { type: 'string' },
      list: { type: 'boolean', default: false },
    },
  });
  const d = DEFAULT_OPTIONS;
  const options: BenchOptions = {
    fleetSizes: values.sizes === undefined ? d.fleetSizes : integerList('sizes', values.sizes, 1),
    latenciesMs: values.latencies === undefined ? d.latenciesMs : integerList('latencies', values.latencies, 0),
    concurrencies: values.concurrency === undefined ? d.concurrencies : integerList('concurrency', values.concurrency, 1, 64),
    rounds: integer('rounds', values.rounds, d.rounds, 1),
    requestTargets: integer('request-targets', values['request-targets'], d.requestTargets, 1),
    peerTargets: integer('peer-targets', values['peer-targets'], d.peerTargets, 1),
    peerDrift: fraction('peer-drift', values['peer-drift'], d.peerDrift),
    peerOwnLoop: !values['no-peer-own-loop'],
    coldRuns: integer('cold-runs', values['cold-runs'], d.coldRuns, 1),
    pythonColdRuns: integer('python-cold-runs', values['python-cold-runs'], d.pythonColdRuns, 1),
    yamlBytes: values['yaml-mb'] === undefined ? d.yamlBytes : Math.round(positiveNumber('yaml-mb', values['yaml-mb']) * 1024 * 1024),
    yamlIterations: integer('yaml-iterations', values['yaml-iterations'], d.yamlIterations, 1),
    pulumiResources: integer('pulumi-resources', values['pulumi-resources'], d.pulumiResources, 1),
    terraformResources: integer('terraform-resources', values['terraform-resources'], d.terraformResources, 4),
  };
  const unknown = positionals.filter((name) => !BENCHES.some((bench) => bench.name === name));
  if (unknown.length > 0) throw new UsageError(`unknown bench ${unknown.join(', ')}; choose from ${BENCHES.map((bench) => bench.name).join(', ')}`);
  const selected = positionals.length === 0 ? BENCHES : BENCHES.filter((bench) => positionals.includes(bench.name));
  return { options, selected, list: values.list };
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

function integer(flag: string, text: string | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  return value;
}

function integerList(flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number[] {
  const values = text.split(',').map((part) => integer(flag, part.trim(), 0, min, max));
  if (values.length === 0) throw new UsageError(`--${flag} needs at least one value`);
  return values;
}

function positiveNumber(flag: string, text: string): number {
  const value = Number(text);
  if (!(value > 0) || !Number.isFinite(value)) throw new UsageError(`--${flag} must be a positive number, got ${JSON.stringify(text)}`);
  return value;
}

function fraction(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!(value >= 0 && value <= 1)) throw new UsageError(`--${flag} must be a fraction from 0 to 1, got ${JSON.stringify(text)}`);
  return value;
}

async function main(): Promise<number> {
  const { options, selected, list } = parseRunArgs(process.argv.slice(2));
  if (list) {
    for (const bench of BENCHES) process.stdout.write(`${bench.name}\t${bench.title}\n`);
    return 0;
  }
  assertCliBuilt();
  const repoRoot = findRepoRoot();
  const resultsDir = join(repoRoot, 'bench', 'results');
  let peer: Promise<RealPeer> | undefined;
  const context: BenchContext = {
    options,
    peer: () => (peer ??= startRealPeer()),
    log: (message) => process.stderr.write(`[bench] ${message}\n`),
  };
  // A cancelled run must not leave the real ShoreGuard running (its process group outlives us).
  const onSignal = (signal: NodeJS.Signals): void => {
    context.log(`${signal}: stopping`);
    void (peer ?? Promise.resolve(undefined))
      .then((running) => running?.close(), () => undefined)
      .finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  let failed = false;
  try {
    for (const bench of selected) {
      context.log(`${bench.name}: ${bench.title}`);
      const result = await runOne(bench, context);
      failed ||= result.error !== undefined || result.failures.length > 0;
      storeResult(resultsDir, result);
      process.stdout.write(`${renderSection(result)}\n\n`);
    }
  } finally {
    if (peer !== undefined) await (await peer.catch(() => undefined))?.close();
  }
  const stored = new Map<string, StoredResult>();
  for (const bench of BENCHES) {
    const result = loadResult(resultsDir, bench.name);
    if (result !== undefined) stored.set(bench.name, result);
  }
  const resultsFile = join(repoRoot, 'bench', 'RESULTS.md');
  writeFileSync(resultsFile, assembleResults(BENCHES, stored, otherResults(resultsDir)));
  process.stdout.write(`wrote ${resultsFile}\n`);
  if (failed) process.stderr.write('[bench] FAILED: see the failures above (and in bench/RESULTS.md)\n');
  return failed ? 1 : 0;
}

/** Markdown results under bench/results/ that no bench of this runner produces (e.g. a bench run on its own). */
function otherResults(resultsDir: string): { name: string; markdown: string }[] {
  if (!existsSync(resultsDir)) return [];
  return readdirSync(resultsDir)
    .filter((file) => file.endsWith('.md') && !BENCHES.some((bench) => `${bench.name}.md` === file))
    .sort()
    .map((file) => {
      const markdown = readFileSync(join(resultsDir, file), 'utf8');
      const title = /^# (.+)$/m.exec(markdown)?.[1] ?? file;
      return { name: title, markdown: demoteHeadings(markdown) };
    });
}

async function runOne(bench: Bench, context: BenchContext): Promise<StoredResult> {
  const base = { name: bench.name, title: bench.title, generatedAt: new Date().toISOString(), environment: environmentLine() };
  try {
    const outcome = await bench.run(context);
    for (const failure of outcome.failures ?? []) context.log(`${bench.name}: FAILURE: ${failure}`);
    return { ...base, markdown: outcome.markdown, checks: [...outcome.checks], failures: [...(outcome.failures ?? [])] };
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    context.log(`${bench.name}: FAILED: ${message}`);
    return { ...base, error: error instanceof Error ? error.message : String(error), markdown: '', checks: [], failures: [] };
  }
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`bench/run: ${error instanceof UsageError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = error instanceof UsageError ? 2 : 1;
    },
  );
}
