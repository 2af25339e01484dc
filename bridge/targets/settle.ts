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
 * Coverage is checked against the applied document itself (OpenShell's own `policy_covers_rule`
 * test, sdk `ruleCoveredBy`): after a replace the live policy is that document, after a merge it
 * holds every network rule of it, so a chunk the document covers is covered live.
 *
 * Requests: 1 (pending chunks) + 1 reject per covered chunk. Failures never undo the apply: they
 * become a note and the chunk stays pending.
 */
import { isShoreGuardError, type DraftChunk, type ShoreGuardClient } from '../../sdk';
import type { Policy } from '../document/document';
import { documentCoversRule } from '../proposals/merge';
import type { SettledProposal } from '../report/report';
import type { Target } from './layout';
import { errorState, isReportableError } from './remote';

export interface SettleOptions {
  /** Where the applied document came from (a commit, a file), for the reason the reject carries. */
  readonly source?: string;
  /** The live policy hash after the apply, named in the reason. */
  readonly appliedHash?: string;
}

export interface Settlement {
  readonly settled: readonly SettledProposal[];
  /** Set when the pending chunks could not be read or closed. */
  readonly note?: string;
}

/** ShoreGuard keeps at most 1000 characters of a reject reason. */
const REASON_LIMIT = 1000;

export function settleReason(source: string | undefined, appliedHash: string | undefined): string {
  const live = appliedHash === undefined || appliedHash === '' ? 'the active policy' : `the active policy ${appliedHash.slice(0, 12)}`;
  const reason = `applied from Git${source === undefined || source === '' ? '' : ` (${source})`}: the rule is covered by ${live}`;
  return reason.length > REASON_LIMIT ? `${reason.slice(0, REASON_LIMIT - 1)}…` : reason;
}

/** Rejects the target's pending chunks that the applied `policy` covers. Never throws for server failures. */
export async function settleCoveredProposals(client: ShoreGuardClient, target: Target, policy: Policy, options: SettleOptions = {}): Promise<Settlement> {
  let covered: DraftChunk[];
  try {
    covered = (await client.approvals.pending(target.gateway, target.sandbox)).filter((chunk) => chunk.rule !== null && documentCoversRule(policy, chunk.rule));
  } catch (error) {
    if (!isReportableError(error)) throw error;
    // A gateway without the draft RPCs has no proposals to settle.
    if (isShoreGuardError(error) && error.code === 'not_found') return { settled: [] };
    return { settled: [], note: `pending proposals covered by this apply could not be read (${errorState(error).message}); close them in ShoreGuard` };
  }
  const settled: SettledProposal[] = [];
  const reason = settleReason(options.source, options.appliedHash);
  for (const chunk of covered) {
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
