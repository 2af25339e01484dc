/**
 * What every benchmark of `bench/run.ts` is and returns, and how their results become
 * `bench/RESULTS.md`: each bench gives a markdown section plus its targets as data (met or not,
 * with the measured figure), stored as `bench/results/<name>.json` so a run of some benches keeps
 * the latest figures of the others.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { RealPeer } from './real-peer';
import { markdownTable } from './report';

/** One target of issue #7, checked against a figure of this run. */
export interface TargetCheck {
  /** What was promised, e.g. "plan 500 sandboxes at 25 ms ≤ 2× floor". */
  readonly target: string;
  /** The figure that decides it, e.g. "1.31× floor (2 048 ms)". */
  readonly measured: string;
  readonly met: boolean;
  /** Why it was missed (or a caveat); printed next to the figure. */
  readonly note?: string;
}

/** What a bench returns. */
export interface BenchOutcome {
  /** The bench's section body (tables and explanations), without its title. */
  readonly markdown: string;
  readonly checks: readonly TargetCheck[];
  /**
   * Broken promises that must fail the run loudly, not just read as a missed target (e.g. the CLI
   * loading Pulumi or gRPC code).
   */
  readonly failures?: readonly string[];
}

/** Everything a bench may tune; `bench/run.ts` parses these from its flags. */
export interface BenchOptions {
  readonly fleetSizes: readonly number[];
  readonly latenciesMs: readonly number[];
  readonly concurrencies: readonly number[];
  readonly rounds: number;
  readonly requestTargets: number;
  readonly peerTargets: number;
  readonly peerDrift: number;
  readonly peerOwnLoop: boolean;
  readonly coldRuns: number;
  readonly pythonColdRuns: number;
  readonly yamlBytes: number;
  readonly yamlIterations: number;
  readonly pulumiResources: number;
  readonly terraformResources: number;
}

export interface BenchContext {
  readonly options: BenchOptions;
  /** The real ShoreGuard + fake OpenShell + Python CLI, started once per run on first use. */
  peer(): Promise<RealPeer>;
  /** A progress line on stderr (never a figure). */
  log(message: string): void;
}

export interface Bench {
  readonly name: string;
  readonly title: string;
  run(context: BenchContext): Promise<BenchOutcome>;
}

const StoredResultSchema = z.object({
  name: z.string(),
  title: z.string(),
  generatedAt: z.string(),
  environment: z.string(),
  /** Set when the bench threw: the message, and no figures. */
  error: z.string().optional(),
  markdown: z.string(),
  checks: z.array(z.object({ target: z.string(), measured: z.string(), met: z.boolean(), note: z.string().optional() })),
  failures: z.array(z.string()),
});

/** One bench's latest result as stored under bench/results/. */
export type StoredResult = z.infer<typeof StoredResultSchema>;

export function resultPath(resultsDir: string, name: string): string {
  return join(resultsDir, `${name}.json`);
}

export function storeResult(resultsDir: string, result: StoredResult): string {
  mkdirSync(resultsDir, { recursive: true });
  const file = resultPath(resultsDir, result.name);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

/** The stored result of `name`, or undefined when there is none (or it is unreadable). */
export function loadResult(resultsDir: string, name: string): StoredResult | undefined {
  const file = resultPath(resultsDir, name);
  if (!existsSync(file)) return undefined;
  const parsed = StoredResultSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  return parsed.success ? parsed.data : undefined;
}

/** A section: title, when and where it was measured, then the bench's own markdown. */
export function renderSection(result: StoredResult): string {
  const body = result.error === undefined ? result.markdown : `**The bench failed:** ${result.error}\n\n${result.markdown}`.trimEnd();
  return [`## ${result.title}`, '', `_Measured ${result.generatedAt} — ${result.environment}._`, '', body].join('\n');
}

/**
 * bench/RESULTS.md: every target in one table (missed ones first), then each bench's section in
 * `order`. Benches without a stored result are listed as not run.
 */
export function assembleResults(
  order: readonly { name: string; title: string }[],
  results: ReadonlyMap<string, StoredResult>,
  others: readonly { readonly name: string; readonly markdown: string }[] = [],
): string {
  const rows: string[][] = [];
  const missing: string[] = [];
  for (const { name, title } of order) {
    const result = results.get(name);
    if (result === undefined) {
      missing.push(`\`${name}\` (${title})`);
      continue;
    }
    const bench = result.title;
    if (result.error !== undefined) rows.push([bench, 'the bench ran to completion', `failed: ${firstLine(result.error)}`, '❌', '']);
    for (const failure of result.failures) rows.push([bench, 'no hard failure', failure, '❌', '']);
    for (const check of result.checks) rows.push([bench, check.target, check.measured, check.met ? '✅' : '❌', check.note ?? '']);
  }
  rows.sort((a, b) => Number(a[3] === '✅') - Number(b[3] === '✅'));
  const missed = rows.filter((row) => row[3] === '❌').length;
  return [
    '# Benchmark results',
    '',
    'Generated by `node dist/bench/run.js` (see bench/README.md). Each section says when and on what it was measured; the machines are',
    'shared and noisy, so compare ratios measured in the same run rather than absolute times across runs.',
    '',
    '## Targets (issue #7)',
    '',
    `${rows.length - missed} of ${rows.length} met.`,
    '',
    markdownTable(['bench', 'target', 'measured', 'met', 'note'], rows, ['left', 'left', 'left', 'left', 'left']),
    ...(missing.length === 0 ? [] : ['', `Not run yet: ${missing.join(', ')}.`]),
    '',
    ...order.flatMap(({ name }) => {
      const result = results.get(name);
      return result === undefined ? [] : [renderSection(result), ''];
    }),
    ...others.flatMap((other) => [`## ${other.name}`, '', '_Not run by this runner: the latest file under bench/results/, as written by its own script._', '', other.markdown, '']),
  ].join('\n');
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
