/**
 * What plan and apply share when talking to ShoreGuard: reading the live policy, turning SDK
 * outcomes and errors into report pieces, and the 409 story (live hash, live-vs-file diff,
 * `--rebase`). Every function here costs at most one request, and says so.
 */
import {
  isShoreGuardError,
  type PolicyApplyConflict,
  type PolicyApplyPinned,
  type PolicyDiff as SdkPolicyDiff,
  type ShoreGuardClient,
} from '../../sdk';
import { fromExport } from '../document/canonical';
import type { Policy } from '../document/document';
import { diffPolicy, explainIgnoredChanges, isEmptyDiff, type FilesystemDiff, type PolicyDiff, type ProcessDiff } from '../document/diff';
import { diffToData, type DiffContext } from '../report/diff-render';
import { BridgeError, describeThrown } from '../core/errors';
import type { PreparedPolicy } from './local';
import type { Target } from './layout';
import type { Problem } from '../core/problems';
import { describePin, targetReport, type ConflictState, type ErrorState, type PinState, type TargetDiff, type TargetReport, type VoteState } from '../report/report';

/** The live policy of a target, from one export. */
export interface LivePolicy {
  readonly policy: Policy;
  /** The lock token (`""` when the sandbox has no revision). */
  readonly hash: string;
  /** The OpenShell revision number. */
  readonly version: number;
  /** The canonical document (what `export` writes). */
  readonly canonical: string;
}

/** One request: `GET …/policy/export`. */
export async function readLivePolicy(client: ShoreGuardClient, target: Target): Promise<LivePolicy> {
  const exported = await client.policies.export(target.gateway, target.sandbox);
  const canonical = fromExport(exported);
  return { policy: canonical.document.policy, hash: exported.policyHash, version: exported.version, canonical: canonical.text };
}

/** The SDK's camelCase diff back in ShoreGuard's own shape (keys only when non-empty). */
export function fromSdkDiff(diff: SdkPolicyDiff): PolicyDiff {
  const fs = diff.filesystem;
  const filesystem: FilesystemDiff = {};
  const lists = [
    ['read_only_added', fs.readOnlyAdded],
    ['read_only_removed', fs.readOnlyRemoved],
    ['read_write_added', fs.readWriteAdded],
    ['read_write_removed', fs.readWriteRemoved],
  ] as const;
  for (const [key, values] of lists) if (values.length > 0) filesystem[key] = [...values];
  if (fs.includeWorkdirChanged !== null) filesystem.include_workdir_changed = [...fs.includeWorkdirChanged];
  const process: ProcessDiff = {};
  if (diff.process.runAsUserChanged !== null) process.run_as_user_changed = [...diff.process.runAsUserChanged];
  if (diff.process.runAsGroupChanged !== null) process.run_as_group_changed = [...diff.process.runAsGroupChanged];
  const np = diff.networkPolicies;
  return { filesystem, process, network_policies: { added: [...np.added], removed: [...np.removed], changed: [...np.changed] } };
}

export function targetDiff(raw: PolicyDiff, context: DiffContext = {}): TargetDiff {
  return { ...diffToData(raw, context), raw };
}

/** `gw/sb` as report fields. */
export function targetFields(prepared: Pick<PreparedPolicy, 'target' | 'file'>): { gateway: string; sandbox: string; file: string | null } {
  return { gateway: prepared.target.gateway, sandbox: prepared.target.sandbox, file: prepared.file };
}

/** Failures the bridge reports per target; anything else is a bug and propagates. */
export function isReportableError(error: unknown): boolean {
  return isShoreGuardError(error) || error instanceof BridgeError;
}

export function errorState(error: unknown): ErrorState {
  if (isShoreGuardError(error)) {
    return {
      code: error.code,
      message: error.message,
      ...(error.status === undefined ? {} : { status: error.status }),
      ...(error.requestId === undefined ? {} : { requestId: error.requestId }),
      ...(error.hint === undefined ? {} : { hint: error.hint }),
    };
  }
  if (error instanceof BridgeError) return { code: error.code, message: error.message };
  return { code: 'internal', message: describeThrown(error).message };
}

/** A target that failed with an error (reportable ones only; see `isReportableError`). */
export function errorReport(prepared: PreparedPolicy, error: unknown, what: string): TargetReport {
  if (!isReportableError(error)) throw error;
  const state = errorState(error);
  return targetReport({
    ...targetFields(prepared),
    status: 'error',
    summary: `${what} failed: ${state.message}`,
    ...(state.hint === undefined ? {} : { next: state.hint }),
    problems: prepared.problems,
    error: state,
  });
}

export function pinState(outcome: PolicyApplyPinned): PinState {
  const pin = outcome.pin;
  return {
    pinnedBy: pin?.pinnedBy ?? outcome.pinnedBy,
    reason: pin?.reason ?? null,
    expiresAt: pin?.expiresAt ?? null,
    pinnedAt: pin?.pinnedAt ?? null,
    pinnedVersion: pin?.pinnedVersion ?? outcome.pinnedVersion,
    detail: outcome.detail,
  };
}

/** The 423 report: who pinned, why, until when; nothing was checked or written. */
export function pinnedReport(prepared: PreparedPolicy, outcome: PolicyApplyPinned): TargetReport {
  const pin = pinState(outcome);
  return targetReport({
    ...targetFields(prepared),
    status: 'pinned',
    summary: `${describePin(pin)}; ShoreGuard refuses plans and applies while pinned`,
    next: `unpin the sandbox (or wait for the pin to expire), then run this again`,
    problems: prepared.problems,
    pin,
  });
}

export interface ConflictContext {
  readonly dryRun: boolean;
  readonly rebase: boolean;
  /** The live policy when the caller already read it (saves the export). */
  readonly live?: LivePolicy;
}

/**
 * The 409 report. Reads the live policy (one request, unless given) to show what changed since
 * the file's lock was taken. `--rebase` succeeds only when the file already matches the live
 * policy: blindly re-sending with the new hash would overwrite a change nobody reviewed.
 */
export async function conflictReport(
  client: ShoreGuardClient,
  prepared: PreparedPolicy,
  outcome: PolicyApplyConflict,
  context: ConflictContext,
): Promise<TargetReport> {
  let live = context.live;
  let readError: string | undefined;
  if (live === undefined) {
    try {
      live = await readLivePolicy(client, prepared.target);
    } catch (error) {
      if (!isReportableError(error)) throw error;
      readError = errorState(error).message;
    }
  }
  const liveHash = live?.hash ?? outcome.currentHash;
  const rawDiff = live === undefined ? undefined : diffPolicy(live.policy, prepared.document.policy);
  const conflict: ConflictState = {
    liveHash,
    expectedHash: outcome.expectedVersion,
    ...(rawDiff === undefined || live === undefined
      ? {}
      : { liveDiff: targetDiff(rawDiff, { oldPolicy: live.policy, newPolicy: prepared.document.policy }) }),
  };
  const refresh = `re-export to refresh the lock: shoreguard-gitops export -g ${prepared.target.gateway} -s ${prepared.target.sandbox}${prepared.file === null ? '' : ` -o ${prepared.file}`}`;

  if (context.rebase && live !== undefined && rawDiff !== undefined && isEmptyDiff(rawDiff)) {
    return targetReport({
      ...targetFields(prepared),
      status: context.dryRun ? 'in_sync' : 'up_to_date',
      summary: `the file's lock ${outcome.expectedVersion} is stale (live ${liveHash}), but the file already matches the live policy: nothing to do`,
      next: refresh,
      problems: [...prepared.problems, ...ignoredChangeProblems(prepared, live.policy)],
      conflict,
      liveHash,
      rebased: true,
    });
  }
  const summary =
    `version conflict: the live policy is ${liveHash}, the file was based on ${outcome.expectedVersion}` +
    (readError === undefined ? '' : ` (the live policy could not be read for a diff: ${readError})`);
  const next = context.rebase
    ? `--rebase refused: the live policy has changes the file does not contain (shown as live → file). ${refresh}, re-apply your edit and review it`
    : `the live policy changed since the file was exported (shown as live → file). ${refresh}, re-apply your edit, or use --rebase if the file already holds the live changes`;
  return targetReport({ ...targetFields(prepared), status: 'conflict', summary, next, problems: prepared.problems, conflict, liveHash });
}

/** Warnings for differences ShoreGuard's diff cannot see (landlock, version, …), given the live policy. */
export function ignoredChangeProblems(prepared: PreparedPolicy, livePolicy: Policy): Problem[] {
  return explainIgnoredChanges(livePolicy, prepared.document.policy).map((change) => {
    const position = prepared.source?.locate(['policy', change.section], 'key');
    return {
      ...(prepared.file === null ? {} : { file: prepared.file }),
      ...(position === undefined ? {} : { line: position.line, column: position.column }),
      path: `policy.${change.section}`,
      code: 'ignored_change' as const,
      message: `compared with the live policy: ${change.message}`,
      severity: 'warning' as const,
    };
  });
}

export type WorkflowState = { readonly workflow: 'none' } | { readonly workflow: 'quorum'; readonly votes: VoteState };

/** One request: the vote pool of this exact document (`GET …/approvals/<chunk>/decisions`, viewer). */
export async function readVotes(client: ShoreGuardClient, target: Target, chunkId: string): Promise<WorkflowState> {
  const decisions = await client.workflows.decisions(target.gateway, target.sandbox, chunkId);
  if (decisions.status === 'no_workflow') return { workflow: 'none' };
  const voters = decisions.decisions.filter((d) => d.decision === 'approve').map((d) => d.actor);
  return { workflow: 'quorum', votes: { needed: decisions.needed, cast: decisions.votes, chunkId, voters } };
}
