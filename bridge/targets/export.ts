/**
 * `export`: live policies → canonical documents (no `exported_at`, so re-exporting an unchanged
 * policy gives identical bytes and Git diffs stay signal).
 *
 * Requests: one export per target; `exportTree` adds one gateway list (unless a gateway is given)
 * and one sandbox list page per gateway. A tree is written only after every export succeeded.
 */
import * as path from 'node:path';
import { isShoreGuardError, isUnknownRoute, type ShoreGuardClient } from '../../sdk';
import { mapConcurrent, DEFAULT_CONCURRENCY } from '../core/concurrency';
import { describeThrown } from '../core/errors';
import { writeFilesAtomically } from './files';
import { PolicyLayout, type Target } from './layout';
import { errorState, isReportableError, readLivePolicy, type LivePolicy } from './remote';
import { buildRunReport, targetReport, type ErrorState, type ExitCodeStyle, type RunReport, type TargetReport } from '../report/report';

/** One exported target: the canonical document and the lock it carries. */
export interface ExportedPolicy extends LivePolicy {
  readonly target: Target;
}

/** Exports one target (one request). Throws the SDK's errors. */
export async function exportPolicy(client: ShoreGuardClient, target: Target): Promise<ExportedPolicy> {
  return { target, ...(await readLivePolicy(client, target)) };
}

/**
 * Exports one target into `file` (untouched when the bytes are the same), or, with `file` null,
 * into the report's `document`. Failures come back as `error` reports.
 */
export async function exportTarget(client: ShoreGuardClient, target: Target, file: string | null): Promise<TargetReport> {
  let exported: ExportedPolicy;
  try {
    exported = await exportPolicy(client, target);
  } catch (error) {
    if (!isReportableError(error)) throw error;
    const state = errorState(error);
    return targetReport({ ...target, file, status: 'error', summary: `export failed: ${state.message}`, error: state });
  }
  if (file === null) return exportedReport(target, null, exported, 'exported');
  try {
    const [outcome] = await writeFilesAtomically([{ file, content: exported.canonical }]);
    return exportedReport(target, file, exported, outcome === 'unchanged' ? 'unchanged' : 'exported');
  } catch (error) {
    const state = writeErrorState(error);
    return targetReport({ ...target, file, status: 'error', summary: state.message, error: state });
  }
}

export interface ExportTreeOptions {
  /** The policy root to write into. */
  readonly dir: string;
  /** Only this gateway's sandboxes. @default every registered gateway */
  readonly gateway?: string;
  /** @default '{gateway}/{sandbox}.yaml' */
  readonly pattern?: string;
  /** @default 8 */
  readonly concurrency?: number;
  readonly exitCodeStyle?: ExitCodeStyle;
  /** Called after each target. */
  readonly onProgress?: (done: number, total: number, report: TargetReport) => void;
}

/**
 * Exports every sandbox of every gateway (or of one) into `dir` following the layout. Writes
 * nothing unless every listing and export succeeded; unchanged files are left untouched.
 */
export async function exportTree(client: ShoreGuardClient, options: ExportTreeOptions): Promise<RunReport> {
  const layout = new PolicyLayout(options.pattern === undefined ? {} : { pattern: options.pattern });
  const finish = (targets: readonly TargetReport[]) =>
    buildRunReport({ command: 'export', server: client.baseUrl, targets, ...(options.exitCodeStyle ? { exitCodeStyle: options.exitCodeStyle } : {}) });

  const listed = await listTargets(client, options.gateway);
  if (!listed.ok) return finish(listed.reports);

  let done = 0;
  const results = await mapConcurrent(listed.targets, options.concurrency ?? DEFAULT_CONCURRENCY, async (target) => {
    let file: string | null = null;
    let result: { report: TargetReport; content?: string };
    try {
      file = path.join(options.dir, ...layout.pathFor(target).split('/'));
      const exported = await exportPolicy(client, target);
      result = { report: exportedReport(target, file, exported, 'exported'), content: exported.canonical };
    } catch (error) {
      if (!isReportableError(error)) throw error;
      const state = errorState(error);
      // A sandbox without a policy revision exports as 404: there is simply nothing to write yet.
      const absent = isShoreGuardError(error) && error.code === 'not_found' && !isUnknownRoute(error);
      result = {
        report: absent
          ? targetReport({ ...target, file: null, status: 'absent', summary: 'no policy revision to export (the export answered 404)' })
          : targetReport({ ...target, file, status: 'error', summary: `export failed: ${state.message}`, error: state }),
      };
    }
    options.onProgress?.(++done, listed.targets.length, result.report);
    return result;
  });

  if (results.some((r) => r.report.result === 'error')) {
    // All or nothing: a partial tree would look like deleted sandboxes in the next commit.
    return finish(
      results.map((r) =>
        r.content === undefined ? r.report : { ...r.report, status: 'skipped' as const, result: 'error' as const, summary: 'not written: another export failed' },
      ),
    );
  }
  const writes = results.flatMap((r) => (r.content === undefined || r.report.file === null ? [] : [{ file: r.report.file, content: r.content }]));
  let written: Awaited<ReturnType<typeof writeFilesAtomically>>;
  try {
    written = await writeFilesAtomically(writes);
  } catch (error) {
    const state = writeErrorState(error);
    return finish(results.map((r) => ({ ...r.report, status: 'error' as const, result: 'error' as const, summary: `not written: ${state.message}`, error: state })));
  }
  const outcomes = new Map(written.map((outcome, i) => [writes[i]?.file, outcome]));
  return finish(
    results.map((r) =>
      r.report.file !== null && outcomes.get(r.report.file) === 'unchanged'
        ? { ...r.report, status: 'unchanged' as const, summary: `unchanged: ${r.report.file} already holds this export` }
        : r.report,
    ),
  );
}

/** A file-system failure while writing exports (permissions, a file where a directory belongs, a full disk). */
function writeErrorState(error: unknown): ErrorState {
  const { code, message } = describeThrown(error);
  return { code: 'write_failed', message: `cannot write the export${code === undefined ? '' : ` (${code})`}: ${message}` };
}

function exportedReport(target: Target, file: string | null, exported: LivePolicy, status: 'exported' | 'unchanged'): TargetReport {
  const lock = exported.hash === '' ? 'no revision yet, so no lock' : `lock ${exported.hash}`;
  return targetReport({
    ...target,
    file,
    status,
    summary: `${status === 'unchanged' ? `unchanged: ${file}` : file === null ? 'exported to stdout' : `wrote ${file}`} (version ${exported.version}, ${lock})`,
    liveHash: exported.hash,
    ...(file === null ? { document: exported.canonical } : {}),
  });
}

type Listing = { readonly ok: true; readonly targets: readonly Target[] } | { readonly ok: false; readonly reports: readonly TargetReport[] };

async function listTargets(client: ShoreGuardClient, gateway: string | undefined): Promise<Listing> {
  let gateways: string[];
  if (gateway !== undefined) gateways = [gateway];
  else {
    try {
      gateways = (await client.gateways.list()).map((g) => g.name);
    } catch (error) {
      if (!isReportableError(error)) throw error;
      return { ok: false, reports: [listingError(null, error)] };
    }
  }
  const targets: Target[] = [];
  const failures: TargetReport[] = [];
  for (const name of gateways) {
    try {
      for (const sandbox of await client.sandboxes.listAll(name)) targets.push({ gateway: name, sandbox: sandbox.name });
    } catch (error) {
      if (!isReportableError(error)) throw error;
      failures.push(listingError(name, error));
    }
  }
  return failures.length > 0 ? { ok: false, reports: failures } : { ok: true, targets };
}

function listingError(gateway: string | null, error: unknown): TargetReport {
  const state = errorState(error);
  const what = gateway === null ? 'listing gateways' : `listing the sandboxes of gateway ${gateway}`;
  return targetReport({ gateway, sandbox: null, file: null, status: 'error', summary: `${what} failed: ${state.message}; nothing was written`, error: state });
}
