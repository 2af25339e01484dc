/**
 * `pull` (backflow): for every target of a tree whose live policy moved away from the file's lock
 * (an approval in ShoreGuard, an edit in the UI), re-export it into the tree and say what changed
 * and where it came from: which rules came from which approved chunk, who approved them and when,
 * and whether they were agent proposals. A file with uncommitted local edits is never overwritten
 * (`git status`): that is a `local_edits` conflict, and then nothing at all is written.
 *
 * Requests per target: 1 (export); a target that moved +1 (its approved chunks) and, when there
 * are any, +4 (the audit log's approve, vote and approve-all entries for who approved — with a
 * non-admin key these answer 403 and the approver is unknown — and the live policy, which the
 * SDK's provenance reads itself).
 */
import type { ShoreGuardClient } from '../../sdk';
import { DEFAULT_CONCURRENCY, mapConcurrent } from '../core/concurrency';
import { thrownText } from '../core/errors';
import { formatProblem, type Problem } from '../core/problems';
import { diffPolicy } from '../document/diff';
import { joinProvenance } from '../proposals/provenance';
import { buildRunReport, targetReport, type ExitCodeStyle, type ProvenanceState, type RunReport, type TargetReport } from '../report/report';
import { writeFilesAtomically, type FileWrite } from './files';
import { GitStatusError, uncommittedStatus } from './git';
import { loadPolicy, type PolicySource } from './local';
import { errorState, isReportableError, readLivePolicy, targetDiff } from './remote';

export interface PullOptions {
  /** @default 8 */
  readonly concurrency?: number;
  readonly exitCodeStyle?: ExitCodeStyle;
  readonly onProgress?: (done: number, total: number, report: TargetReport) => void;
}

interface Outcome {
  readonly report: TargetReport;
  readonly write?: FileWrite;
}

/** Pulls every source (files of a tree, each with its target). */
export async function pullTree(client: ShoreGuardClient, sources: readonly PolicySource[], options: PullOptions = {}, problems: readonly Problem[] = []): Promise<RunReport> {
  let done = 0;
  const outcomes = await mapConcurrent(sources, options.concurrency ?? DEFAULT_CONCURRENCY, async (source) => {
    const outcome = await pullTarget(client, source);
    options.onProgress?.(++done, sources.length, outcome.report);
    return outcome;
  });
  const finish = (reports: readonly TargetReport[]) =>
    buildRunReport({ command: 'pull', server: client.baseUrl, targets: reports, problems, ...(options.exitCodeStyle ? { exitCodeStyle: options.exitCodeStyle } : {}) });
  const failed = problems.some((p) => p.severity === 'error') || outcomes.some((o) => o.report.result === 'error');
  const writes = outcomes.flatMap((o) => (o.write === undefined ? [] : [o.write]));
  if (failed) {
    return finish(outcomes.map((o) => (o.write === undefined ? o.report : { ...o.report, status: 'skipped' as const, result: 'error' as const, summary: `not written: another target failed; ${o.report.summary}` })));
  }
  try {
    if (writes.length > 0) await writeFilesAtomically(writes);
  } catch (error) {
    const message = `cannot write the re-export: ${thrownText(error)}`;
    return finish(outcomes.map((o) => (o.write === undefined ? o.report : { ...o.report, status: 'error' as const, result: 'error' as const, summary: `not written: ${message}`, error: { code: 'write_failed', message } })));
  }
  return finish(outcomes.map((o) => o.report));
}

async function pullTarget(client: ShoreGuardClient, source: PolicySource): Promise<Outcome> {
  const loaded = await loadPolicy(source);
  const target = loaded.target ?? source.target ?? null;
  const base = { gateway: target?.gateway ?? null, sandbox: target?.sandbox ?? null, file: source.file };
  if (!loaded.ok || target === null) {
    const first = loaded.problems.find((p) => p.severity === 'error') ?? loaded.problems[0];
    return { report: targetReport({ ...base, status: 'invalid', summary: `not pulled: ${first === undefined ? 'invalid' : formatProblem(first)}`, next: 'fix the file (shoreguard-gitops validate) or re-export it', problems: loaded.problems }) };
  }
  const lock = loaded.document.metadata?.policy_hash ?? '';
  const fields = { ...target, file: source.file };

  let live;
  try {
    live = await readLivePolicy(client, target);
  } catch (error) {
    if (!isReportableError(error)) throw error;
    const state = errorState(error);
    return { report: targetReport({ ...fields, status: 'error', summary: `export failed: ${state.message}`, problems: loaded.problems, error: state }) };
  }
  if (lock !== '' && lock === live.hash) {
    return { report: targetReport({ ...fields, status: 'unchanged', summary: `the live policy has not moved from the file's lock (version ${live.version}, ${live.hash})`, liveHash: live.hash, problems: loaded.problems }) };
  }
  if (live.canonical === loaded.canonical) {
    return { report: targetReport({ ...fields, status: 'unchanged', summary: `the file already holds the live policy (version ${live.version})`, liveHash: live.hash, problems: loaded.problems }) };
  }

  // The file is about to be overwritten: local edits win over the server (a conflict, not a loss).
  let status: string | undefined;
  try {
    status = await uncommittedStatus(source.file);
  } catch (error) {
    if (!(error instanceof GitStatusError)) throw error;
    return { report: targetReport({ ...fields, status: 'error', summary: error.message, problems: loaded.problems, error: { code: error.code, message: error.message } }) };
  }
  const raw = diffPolicy(loaded.document.policy, live.policy);
  const diff = targetDiff(raw, { oldPolicy: loaded.document.policy, newPolicy: live.policy });
  if (status !== undefined) {
    return {
      report: targetReport({
        ...fields,
        status: 'local_edits',
        summary: `the live policy moved (now version ${live.version}), but ${source.file} has uncommitted edits (git status ${JSON.stringify(status)}): not overwritten`,
        next: 'commit or stash your edits, then pull again (a committed edit that is not applied yet will show as reverted in the pull request: apply it first)',
        problems: loaded.problems,
        diff,
        liveHash: live.hash,
      }),
    };
  }

  const notes: string[] = [];
  let provenance: ProvenanceState[] = [];
  try {
    provenance = joinProvenance(loaded.document.policy, live.policy, await client.approvals.provenance(target.gateway, target.sandbox));
  } catch (error) {
    if (!isReportableError(error)) throw error;
    notes.push(`where the changes came from could not be read (${errorState(error).message})`);
  }
  if (provenance.length > 0 && provenance.some((p) => p.chunks.some((c) => c.approvedBy === null))) {
    notes.push('who approved is read from the audit log, which needs an admin key; the approvers are unknown with this key');
  }
  const from = loaded.document.metadata?.version;
  const moved = from === undefined ? `now version ${live.version}` : `version ${from} → ${live.version}`;
  const explained = provenance.filter((p) => p.chunks.length > 0).length;
  return {
    write: { file: source.file, content: live.canonical },
    report: targetReport({
      ...fields,
      status: 'pulled',
      summary: `wrote ${source.file}: the live policy moved (${moved}); ${diff.summary.total} change${diff.summary.total === 1 ? '' : 's'}${provenance.length === 0 ? '' : `, ${explained} of ${provenance.length} network rule change(s) from approved proposals`}`,
      next: 'review and commit the re-export (the markdown report is the pull request body)',
      problems: loaded.problems,
      diff,
      liveHash: live.hash,
      provenance,
      notes,
    }),
  };
}
