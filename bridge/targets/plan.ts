/**
 * `plan`: a dry-run apply per target. Drift is read from the returned diff — a dry run answers
 * `dry_run` whether or not anything differs. Pin and workflow state are fetched only when there is
 * something to show:
 *
 * | case | requests |
 * |---|---|
 * | in sync | 1 (dry run) |
 * | drift | 2 (+ the vote pool of this document: votes needed and cast); 1 with `votes: false` |
 * | drift with `details` and changed network rules | 3 (+ export, for field-level changes) |
 * | pinned (423) | 2 (the SDK reads the pin for reason and expiry) |
 * | conflict (409) | 2 (+ export, for the live-vs-file diff) |
 */
import type { PolicyApplyOutcome, ShoreGuardClient } from '../../sdk';
import { isEmptyDiff } from '../document/diff';
import type { PreparedPolicy } from './local';
import {
  conflictReport,
  errorReport,
  errorState,
  fromSdkDiff,
  ignoredChangeProblems,
  isReportableError,
  pinnedReport,
  readLivePolicy,
  readVotes,
  targetDiff,
  targetFields,
  type LivePolicy,
  type WorkflowState,
} from './remote';
import { describeVotes, targetReport, type TargetReport } from '../report/report';
import { voteChunkId } from '../document/vote-id';

export interface PlanOptions {
  /**
   * Lock to send instead of the file's `metadata.policy_hash` (single targets only).
   * @default the file's metadata.policy_hash
   */
  readonly expectedVersion?: string;
  /**
   * On a 409, report the target as in sync when the file already matches the live policy.
   * @default false
   */
  readonly rebase?: boolean;
  /**
   * Read the live policy of targets whose network rules changed, to show what changed inside
   * each rule (one more request per such target).
   * @default false
   */
  readonly details?: boolean;
  /**
   * For a drifted target, read the approval workflow's tally for this exact document (votes needed
   * and cast). One more request per drifted target; turn it off for a strict one-request-per-target
   * plan over a large fleet.
   * @default true
   */
  readonly votes?: boolean;
}

/** Plans one target. Never throws for server-side failures: they become `error` reports. */
export async function planTarget(client: ShoreGuardClient, prepared: PreparedPolicy, options: PlanOptions = {}): Promise<TargetReport> {
  const { gateway, sandbox } = prepared.target;
  const lock = options.expectedVersion ?? prepared.document.metadata?.policy_hash;
  let outcome;
  try {
    outcome = await client.policies.apply(gateway, sandbox, {
      yaml: prepared.canonical,
      dryRun: true,
      ...(lock === undefined || lock === '' ? {} : { expectedVersion: lock }),
    });
  } catch (error) {
    return errorReport(prepared, error, 'dry run');
  }
  return { ...(await outcomeReport(client, prepared, outcome, options)), requestId: outcome.requestId };
}

async function outcomeReport(client: ShoreGuardClient, prepared: PreparedPolicy, outcome: PolicyApplyOutcome, options: PlanOptions): Promise<TargetReport> {
  switch (outcome.status) {
    case 'pinned':
      return pinnedReport(prepared, outcome);
    case 'conflict':
      return conflictReport(client, prepared, outcome, { dryRun: true, rebase: options.rebase ?? false });
    case 'vote_recorded':
    case 'applied':
    case 'up_to_date':
      // A dry run never votes or writes; a server that did would be outside the contract.
      return targetReport({
        ...targetFields(prepared),
        status: 'error',
        summary: `dry run answered '${outcome.status}', which ShoreGuard never does for a dry run`,
        problems: prepared.problems,
        error: { code: 'invalid_response', message: `unexpected dry-run status ${outcome.status}` },
      });
    case 'dry_run':
      break;
  }

  const raw = fromSdkDiff(outcome.diff);
  if (isEmptyDiff(raw)) {
    return targetReport({
      ...targetFields(prepared),
      status: 'in_sync',
      summary: 'in sync: the live policy already matches the file',
      problems: prepared.problems,
      diff: targetDiff(raw),
      liveHash: outcome.currentHash,
    });
  }

  const notes: string[] = [];
  let workflow: WorkflowState | undefined;
  if (options.votes !== false) {
    try {
      workflow = await readVotes(client, prepared.target, voteChunkId(prepared.canonical));
    } catch (error) {
      if (!isReportableError(error)) throw error;
      notes.push(`could not read the approval workflow: ${errorState(error).message}`);
    }
  }
  let live: LivePolicy | undefined;
  if (options.details === true && raw.network_policies.changed.length > 0) {
    try {
      live = await readLivePolicy(client, prepared.target);
    } catch (error) {
      if (!isReportableError(error)) throw error;
      notes.push(`could not read the live policy for details: ${errorState(error).message}`);
    }
  }

  const diff = targetDiff(raw, live === undefined ? {} : { oldPolicy: live.policy, newPolicy: prepared.document.policy });
  const approval =
    workflow === undefined
      ? ''
      : workflow.workflow === 'none'
        ? '; no approval workflow: an apply writes at once'
        : `; an apply needs a quorum: ${describeVotes(workflow.votes)} so far`;
  return targetReport({
    ...targetFields(prepared),
    status: 'drift',
    summary: `${diff.summary.total} change${diff.summary.total === 1 ? '' : 's'} to apply${approval}`,
    problems: [...prepared.problems, ...(live === undefined ? [] : ignoredChangeProblems(prepared, live.policy))],
    diff,
    liveHash: outcome.currentHash,
    ...(workflow === undefined ? {} : workflow.workflow === 'none' ? { workflow: 'none' as const } : { workflow: 'quorum' as const, votes: workflow.votes }),
    ...(notes.length === 0 ? {} : { notes }),
  });
}
