/**
 * Closing the loop (issue #10, step 5): after an apply made the live policy carry a pending
 * proposal's rule (typically because the reviewed pull request of `proposals --write` merged), the
 * proposal must not stay pending, and approving it later must not merge the rule a second time.
 *
 * The bridge rejects each pending chunk the live policy already covers, with a reason that says
 * where the rule came from ("applied from Git …; covered by active policy revision N"), which is
 * how newer OpenShell gateways close covered chunks themselves. A reject of a pending chunk never
 * touches the live policy (no new revision, so the file's fresh lock stays valid); an approve
 * would merge the rule again. See docs/real-shoreguard-findings.md for what the real server does.
 *
 * Requests: 2 (pending chunks, live policy) + 1 reject per covered chunk. Failures never undo the
 * apply: they become a note and the chunk stays pending.
 */
import { isShoreGuardError, type ShoreGuardClient } from '../../sdk';
import type { SettledProposal } from '../report/report';
import type { Target } from './layout';
import { errorState, isReportableError } from './remote';

export interface SettleOptions {
  /** Where the applied document came from (a commit, a file), for the reason the reject carries. */
  readonly source?: string;
}

export interface Settlement {
  readonly settled: readonly SettledProposal[];
  /** Set when the pending chunks could not be read or closed. */
  readonly note?: string;
}

/** ShoreGuard keeps at most 1000 characters of a reject reason. */
const REASON_LIMIT = 1000;

export function settleReason(source: string | undefined, version: number): string {
  const reason = `applied from Git${source === undefined || source === '' ? '' : ` (${source})`}: covered by active policy revision ${version}`;
  return reason.length > REASON_LIMIT ? `${reason.slice(0, REASON_LIMIT - 1)}…` : reason;
}

/** Rejects the target's pending chunks that the live policy already covers. Never throws for server failures. */
export async function settleCoveredProposals(client: ShoreGuardClient, target: Target, options: SettleOptions = {}): Promise<Settlement> {
  let covered;
  try {
    covered = await client.approvals.coveredPending(target.gateway, target.sandbox);
  } catch (error) {
    if (!isReportableError(error)) throw error;
    // A gateway without the draft RPCs has no proposals to settle.
    if (isShoreGuardError(error) && error.code === 'not_found') return { settled: [] };
    return { settled: [], note: `pending proposals covered by this apply could not be read (${errorState(error).message}); close them in ShoreGuard` };
  }
  const settled: SettledProposal[] = [];
  for (const { chunk, policyVersion } of covered) {
    const reason = settleReason(options.source, policyVersion);
    try {
      const outcome = await client.approvals.reject(target.gateway, target.sandbox, chunk.id, { reason });
      settled.push({
        chunkId: chunk.id,
        ruleName: chunk.ruleName,
        outcome: outcome.status,
        reason,
        ...(outcome.status === 'rejected' ? {} : { detail: outcome.detail }),
      });
    } catch (error) {
      if (!isReportableError(error)) throw error;
      settled.push({ chunkId: chunk.id, ruleName: chunk.ruleName, outcome: 'error', reason, detail: errorState(error).message });
    }
  }
  const failed = settled.filter((s) => s.outcome === 'error');
  return failed.length === 0
    ? { settled }
    : { settled, note: `${failed.length} covered proposal(s) could not be closed and stay pending: ${failed.map((s) => `${s.chunkId} (${s.detail ?? 'error'})`).join('; ')}` };
}

/** "closed 1 pending proposal the apply covers: 3f2a… (allow_api_github_com_443)". */
export function describeSettlement(settled: readonly SettledProposal[]): string | undefined {
  const closed = settled.filter((s) => s.outcome === 'rejected');
  if (closed.length === 0) return undefined;
  return `closed ${closed.length} pending proposal${closed.length === 1 ? '' : 's'} this apply covers: ${closed.map((s) => `${s.chunkId} (${s.ruleName})`).join(', ')}`;
}
