/**
 * Many targets at once (`plan`/`apply` over several files, `sync --dir`): every file is checked
 * first, then the targets go to the server at most `concurrency` at a time over the client's one
 * keep-alive pool. A real apply sends nothing when any file fails the checks.
 */
import type { ShoreGuardClient } from '../../sdk';
import { applyTarget, type ApplyOptions } from './apply';
import { DEFAULT_CONCURRENCY, mapConcurrent } from '../core/concurrency';
import { loadPolicy, selectTreeSources, type LoadedPolicy, type LoadOptions, type PolicySource, type TreeSelection } from './local';
import { planTarget, type PlanOptions } from './plan';
import { formatProblem, hasErrors, type Problem } from '../core/problems';
import { buildRunReport, targetReport, type ExitCodeStyle, type GitopsCommand, type RunReport, type TargetReport } from '../report/report';

export interface RunOptions extends PlanOptions, ApplyOptions, Omit<LoadOptions, 'requireLock' | 'expectedVersion'> {
  /** Plan (dry run) instead of apply. */
  readonly dryRun: boolean;
  /** How the run is named in the report. @default dryRun ? 'plan' : 'apply' */
  readonly command?: GitopsCommand;
  /** Targets in flight at once. @default 8 */
  readonly concurrency?: number;
  /** @default 'shoreguard' */
  readonly exitCodeStyle?: ExitCodeStyle;
  /** Called after each target finished. */
  readonly onProgress?: (done: number, total: number, report: TargetReport) => void;
  /**
   * Called once per target as it settles, before `onProgress`, with what was checked locally (the
   * canonical bytes sent, when the file got that far) and when the target started and finished.
   * Evidence receipts are written here; the returned report replaces the target's report.
   */
  readonly onSettled?: (settled: SettledTarget) => Promise<TargetReport>;
}

/** One target's outcome with its local input, for `onSettled`. */
export interface SettledTarget {
  readonly report: TargetReport;
  readonly local: LoadedPolicy;
  readonly startedAt: Date;
  readonly finishedAt: Date;
}

/** Plans or applies the given files. `problems` are run-level problems found while selecting them. */
export async function runPolicies(
  client: ShoreGuardClient,
  sources: readonly PolicySource[],
  options: RunOptions,
  problems: readonly Problem[] = [],
): Promise<RunReport> {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const loaded = await mapConcurrent(sources, concurrency, (source) =>
    loadPolicy(source, {
      ...options,
      requireLock: !options.dryRun && options.forceUnlocked !== true,
      ...(options.expectedVersion === undefined ? {} : { expectedVersion: options.expectedVersion }),
    }),
  );
  const blocked = !options.dryRun && (loaded.some((l) => !l.ok) || hasErrors(problems));
  let done = 0;
  const total = loaded.length;
  const reports = await mapConcurrent(loaded, concurrency, async (local): Promise<TargetReport> => {
    const startedAt = new Date();
    let report: TargetReport;
    if (!local.ok) {
      const errors = local.problems.filter((p) => p.severity === 'error');
      const first = errors[0] ?? local.problems[0];
      report = targetReport({
        gateway: local.target?.gateway ?? null,
        sandbox: local.target?.sandbox ?? null,
        file: local.file,
        status: 'invalid',
        summary: `not sent: ${first === undefined ? 'invalid' : formatProblem(first)}${local.problems.length > 1 ? ` (+${local.problems.length - 1} more)` : ''}`,
        next: 'fix the file (shoreguard-gitops validate shows every problem), then run this again',
        problems: local.problems,
      });
    } else if (blocked) {
      report = targetReport({
        ...local.target,
        file: local.file,
        status: 'skipped',
        summary: 'not sent: another file of this apply failed validation, and an apply sends all files or none',
        problems: local.problems,
      });
    } else {
      report = options.dryRun ? await planTarget(client, local, options) : await applyTarget(client, local, options);
    }
    if (local.gates !== undefined) report = { ...report, gates: local.gates };
    if (options.onSettled !== undefined) report = await options.onSettled({ report, local, startedAt, finishedAt: new Date() });
    options.onProgress?.(++done, total, report);
    return report;
  });
  return buildRunReport({
    command: options.command ?? (options.dryRun ? 'plan' : 'apply'),
    dryRun: options.dryRun,
    server: client.baseUrl,
    targets: reports,
    problems,
    ...(options.exitCodeStyle === undefined ? {} : { exitCodeStyle: options.exitCodeStyle }),
  });
}

export interface SyncOptions extends Omit<RunOptions, 'command'>, TreeSelection {}

/**
 * `sync --dir`: every target of a policy tree (`<root>/<gateway>/<sandbox>.yaml` by default),
 * or the subset in `files`. Combined result: error > changes (drift, votes) > clean.
 */
export async function syncTree(client: ShoreGuardClient, options: SyncOptions): Promise<RunReport> {
  const selection = await selectTreeSources(options);
  return runPolicies(client, selection.sources, { ...options, command: 'sync' }, selection.problems);
}
