/**
 * `apply`: one real apply per target, always with the optimistic lock, always with the canonical
 * bytes (so every voter of a quorum lands in the same vote pool).
 *
 * | case | requests |
 * |---|---|
 * | replace / merge | 1 (apply) |
 * | auto | 2 (export to choose the mode, then apply) |
 * | + pinned (423) | +1 (the SDK reads the pin) |
 * | + conflict (409) | +1 (export for the live-vs-file diff; none in auto mode, it already has it) |
 * | + "already voted" (409 problem) | +1 (the vote pool) |
 * | + response lost | +1 export, and +1 vote pool when the policy did not change |
 *
 * Retries only where safe: the SDK never re-sends an apply after a network error or a 5xx. When
 * the response is lost the outcome is read back instead: applied if the live policy now equals
 * the file, vote recorded if the document's vote pool holds votes, otherwise an error saying that
 * nothing happened.
 */
import { isShoreGuardError, TransportError, ValidationError, type PolicyApplyOutcome, type ShoreGuardClient } from '../../sdk';
import { checkMerge, diffPolicy, isEmptyDiff } from '../document/diff';
import type { PreparedPolicy } from './local';
import {
  conflictReport,
  errorReport,
  errorState,
  fromSdkDiff,
  isReportableError,
  pinnedReport,
  readLivePolicy,
  readVotes,
  targetDiff,
  targetFields,
  type LivePolicy,
} from './remote';
import { describeVotes, targetReport, type TargetReport, type VoteState } from '../report/report';
import { voteChunkId } from '../document/vote-id';
import { describeSettlement, settleCoveredProposals } from './settle';

export type ApplyMode = 'replace' | 'merge' | 'auto';

export interface ApplyOptions {
  /**
   * `replace` writes the whole policy; `merge` only network rules (ShoreGuard ≥ 0.33 with
   * OpenShell ≥ 0.0.33); `auto` reads the live policy and merges when only network_policies differ.
   * @default 'replace' (ShoreGuard's default)
   */
  readonly mode?: ApplyMode;
  /** Lock to send instead of `metadata.policy_hash`. @default the file's metadata.policy_hash */
  readonly expectedVersion?: string;
  /** Send a document without any lock (last writer wins). @default false */
  readonly forceUnlocked?: boolean;
  /** On a 409, succeed when the file already matches the live policy. @default false */
  readonly rebase?: boolean;
  /**
   * After `applied`, reject the pending proposals the new live policy already covers (settle.ts),
   * so they cannot stay pending or land twice. @default true
   */
  readonly closeProposals?: boolean;
  /** Where the document came from (e.g. `commit 1a2b3c4`), for the reason a closed proposal carries. */
  readonly source?: string;
}

/** Applies one target. Never throws for server-side failures: they become `error` reports. */
export async function applyTarget(client: ShoreGuardClient, prepared: PreparedPolicy, options: ApplyOptions = {}): Promise<TargetReport> {
  const report = await applyOnce(client, prepared, options);
  if (report.status !== 'applied' || options.closeProposals === false) return report;
  // Only an apply that added or changed network rules can have made a proposal live.
  const rules = report.diff?.raw.network_policies;
  if (rules !== undefined && rules.added.length === 0 && rules.changed.length === 0) return report;
  return withSettlement(client, prepared, report, options);
}

/** Step 5 of issue #10: +1 request (pending chunks) and +1 per covered proposal, after an apply that added or changed network rules. */
async function withSettlement(client: ShoreGuardClient, prepared: PreparedPolicy, report: TargetReport, options: ApplyOptions): Promise<TargetReport> {
  const source = [options.source, prepared.file ?? undefined].filter((part) => part !== undefined && part !== '').join(', ');
  const settlement = await settleCoveredProposals(client, prepared.target, prepared.document.policy, {
    source,
    ...(report.appliedHash === undefined ? {} : { appliedHash: report.appliedHash }),
  });
  if (settlement.settled.length === 0 && settlement.note === undefined) return report;
  // The renderers list `settled`; the summary says it in one line.
  const closed = describeSettlement(settlement.settled);
  return {
    ...report,
    summary: closed === undefined ? report.summary : `${report.summary}; ${closed}`,
    settled: settlement.settled,
    ...(settlement.note === undefined ? {} : { notes: [...(report.notes ?? []), settlement.note] }),
  };
}

async function applyOnce(client: ShoreGuardClient, prepared: PreparedPolicy, options: ApplyOptions): Promise<TargetReport> {
  const { gateway, sandbox } = prepared.target;
  const lock = nonEmpty(options.expectedVersion) ?? nonEmpty(prepared.document.metadata?.policy_hash);
  if (lock === undefined && options.forceUnlocked !== true) {
    return targetReport({
      ...targetFields(prepared),
      status: 'invalid',
      summary: 'refused: the document has no optimistic lock (metadata.policy_hash); nothing was sent',
      next: 'export the policy to get its hash, pass --expected-version, or --force-unlocked',
      problems: [
        ...prepared.problems,
        { ...(prepared.file === null ? {} : { file: prepared.file }), path: 'metadata.policy_hash', code: 'missing_lock', message: 'no optimistic lock', severity: 'error' },
      ],
    });
  }

  let live: LivePolicy | undefined;
  let mode: 'replace' | 'merge' = options.mode === 'merge' ? 'merge' : 'replace';
  if (options.mode === 'auto') {
    try {
      live = await readLivePolicy(client, prepared.target);
    } catch (error) {
      return errorReport(prepared, error, 'reading the live policy for --mode auto');
    }
    const changes = !isEmptyDiff(diffPolicy(live.policy, prepared.document.policy));
    // checkMerge is ShoreGuard's exact test; it also sees landlock/version changes the diff hides,
    // which would make a merge fail *after* the quorum's votes were consumed (trap 10).
    mode = changes && checkMerge(live.policy, prepared.document.policy).mergeable ? 'merge' : 'replace';
  }

  let outcome;
  try {
    outcome = await client.policies.apply(gateway, sandbox, {
      yaml: prepared.canonical,
      mode,
      ...(lock === undefined ? {} : { expectedVersion: lock }),
    });
  } catch (error) {
    return failedApply(client, prepared, error, mode);
  }
  return { ...(await outcomeReport(client, prepared, outcome, options, live, mode)), requestId: outcome.requestId };
}

async function outcomeReport(
  client: ShoreGuardClient,
  prepared: PreparedPolicy,
  outcome: PolicyApplyOutcome,
  options: ApplyOptions,
  live: LivePolicy | undefined,
  mode: 'replace' | 'merge',
): Promise<TargetReport> {
  const context = live === undefined ? {} : { oldPolicy: live.policy, newPolicy: prepared.document.policy };
  switch (outcome.status) {
    case 'pinned':
      return pinnedReport(prepared, outcome);
    case 'conflict':
      return conflictReport(client, prepared, outcome, { dryRun: false, rebase: options.rebase ?? false, ...(live === undefined ? {} : { live }) });
    case 'up_to_date':
      return targetReport({
        ...targetFields(prepared),
        status: 'up_to_date',
        summary: 'up to date: the live policy already matches the file; nothing was written',
        problems: prepared.problems,
        diff: targetDiff(fromSdkDiff(outcome.diff)),
        liveHash: outcome.currentHash,
        mode,
      });
    case 'applied': {
      const diff = targetDiff(fromSdkDiff(outcome.diff), context);
      return targetReport({
        ...targetFields(prepared),
        status: 'applied',
        summary: `applied ${diff.summary.total} change${diff.summary.total === 1 ? '' : 's'} (${mode}); the live policy is now ${outcome.appliedVersion ?? 'unknown'}`,
        next: refreshHint(prepared),
        problems: prepared.problems,
        diff,
        mode,
        liveHash: outcome.currentHash,
        ...(outcome.appliedVersion === null ? {} : { appliedHash: outcome.appliedVersion }),
      });
    }
    case 'vote_recorded': {
      const votes: VoteState = { needed: outcome.votesNeeded, cast: outcome.votesCast, chunkId: outcome.chunkId };
      return voteReport(prepared, votes, `vote recorded: ${describeVotes(votes)}`, {
        diff: targetDiff(fromSdkDiff(outcome.diff), context),
        liveHash: outcome.currentHash,
        mode,
      });
    }
    case 'dry_run':
      return targetReport({
        ...targetFields(prepared),
        status: 'error',
        summary: "apply answered 'dry_run' for a real apply",
        problems: prepared.problems,
        error: { code: 'invalid_response', message: 'unexpected status dry_run' },
      });
  }
}

function voteReport(prepared: PreparedPolicy, votes: VoteState, summary: string, extra: Partial<TargetReport>): TargetReport {
  const missing = votes.cast === null ? 'more' : String(Math.max(votes.needed - votes.cast, 0));
  return targetReport({
    ...targetFields(prepared),
    ...extra,
    status: 'vote_recorded',
    summary,
    next:
      `${missing} more approval(s) needed: another eligible operator runs ` +
      `\`shoreguard-gitops apply -g ${prepared.target.gateway} -s ${prepared.target.sandbox}${prepared.file === null ? '' : ` -f ${prepared.file}`}\` ` +
      `with their own key on the same commit (same bytes = same vote id ${votes.chunkId})`,
    problems: prepared.problems,
    votes,
    workflow: 'quorum',
  });
}

async function failedApply(client: ShoreGuardClient, prepared: PreparedPolicy, error: unknown, mode: 'replace' | 'merge'): Promise<TargetReport> {
  if (error instanceof TransportError && error.requestMayHaveReachedServer) return recoverLostResponse(client, prepared, error);
  if (error instanceof ValidationError && error.mergeUnsupported !== null) {
    const report = errorReport(prepared, error, `apply (mode ${mode})`);
    return {
      ...report,
      next:
        'run again with --mode replace (or --mode auto). Under an approval workflow ShoreGuard consumed the votes before refusing the merge, so the quorum must vote again',
    };
  }
  if (isShoreGuardError(error) && error.code === 'conflict' && /already voted/i.test(error.detail ?? '')) {
    // A re-run by the same voter: the vote stands, which is what they wanted.
    try {
      const state = await readVotes(client, prepared.target, voteChunkId(prepared.canonical));
      if (state.workflow === 'quorum') {
        return voteReport(prepared, state.votes, `your vote on this document was already recorded: ${describeVotes(state.votes)}`, {
          mode,
          ...(error.requestId === undefined ? {} : { requestId: error.requestId }),
        });
      }
    } catch (readError) {
      if (!isReportableError(readError)) throw readError;
    }
  }
  return errorReport(prepared, error, 'apply');
}

/**
 * The apply may have happened but its answer was lost. Never re-send blindly: read the truth.
 */
async function recoverLostResponse(client: ShoreGuardClient, prepared: PreparedPolicy, lost: TransportError): Promise<TargetReport> {
  // The id the client sent with the lost request: the server's log may hold it.
  const sent = lost.requestId === undefined ? {} : { requestId: lost.requestId };
  return { ...(await readBackOutcome(client, prepared, lost)), ...sent };
}

async function readBackOutcome(client: ShoreGuardClient, prepared: PreparedPolicy, lost: TransportError): Promise<TargetReport> {
  const lostText = `the apply's response was lost (${lost.causeCode ?? (lost.timedOut ? 'timeout' : 'network error')})`;
  try {
    const live = await readLivePolicy(client, prepared.target);
    const remaining = diffPolicy(live.policy, prepared.document.policy);
    if (isEmptyDiff(remaining)) {
      return targetReport({
        ...targetFields(prepared),
        status: 'applied',
        summary: `applied: ${lostText}, but the live policy now equals the file (live ${live.hash})`,
        next: refreshHint(prepared),
        problems: prepared.problems,
        liveHash: live.hash,
        appliedHash: live.hash,
        recovered: `${lostText}; read back: the live policy equals the file`,
      });
    }
    const state = await readVotes(client, prepared.target, voteChunkId(prepared.canonical));
    if (state.workflow === 'quorum' && (state.votes.cast ?? 0) > 0) {
      return voteReport(prepared, state.votes, `vote recorded: ${lostText}; this document's vote pool holds ${describeVotes(state.votes)}`, {
        recovered: `${lostText}; read back: the document's vote pool holds ${state.votes.cast} vote(s)`,
        liveHash: live.hash,
        diff: targetDiff(remaining, { oldPolicy: live.policy, newPolicy: prepared.document.policy }),
      });
    }
    return targetReport({
      ...targetFields(prepared),
      status: 'error',
      summary: `${lostText}; read back: the live policy is unchanged and no vote is recorded, so the apply did not take effect`,
      next: 'run the apply again',
      problems: prepared.problems,
      liveHash: live.hash,
      error: errorState(lost),
      recovered: `${lostText}; read back: nothing changed`,
    });
  } catch (error) {
    if (!isReportableError(error)) throw error;
    return targetReport({
      ...targetFields(prepared),
      status: 'error',
      summary: `${lostText} and reading the outcome back failed too (${errorState(error).message}); the apply may or may not have happened`,
      next: 'run plan to see the live state before applying again',
      problems: prepared.problems,
      error: errorState(lost),
    });
  }
}

function refreshHint(prepared: PreparedPolicy): string {
  return (
    `the file's lock is now stale: re-export and commit it (shoreguard-gitops export -g ${prepared.target.gateway} ` +
    `-s ${prepared.target.sandbox}${prepared.file === null ? '' : ` -o ${prepared.file}`}) before the next change`
  );
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
