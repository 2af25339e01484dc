/**
 * Provenance of a re-export: which approved draft chunks explain the network rules that moved
 * between the file in Git and the live policy. A chunk explains a rule when the live rule allows
 * everything the chunk proposed and the file did not already allow it (so chunks approved long
 * ago, already in Git, are not listed again). When no such chunk explains a moved rule, the
 * approved chunks the live rule covers are listed anyway (e.g. the file already carried the
 * proposal from `proposals --write`, and the gateway's merge then normalised the endpoint).
 */
import { liveRules, ruleCoveredBy, type ChunkProvenance, type DraftRule } from '../../sdk';
import { diffPolicy } from '../document/diff';
import type { Policy } from '../document/document';
import type { ProvenanceChunk, ProvenanceState } from '../report/report';
import { renderRule } from './render';
import { documentCoversRule } from './merge';

function rulesOf(policy: Policy, key: string): DraftRule[] {
  const map = policy.network_policies;
  if (map === undefined || map === null || !(key in map)) return [];
  try {
    return liveRules({ network_policies: { [key]: map[key] } });
  } catch {
    return [];
  }
}

/** The rules that moved from `file` to `live`, each with the approved chunks behind it. */
export function joinProvenance(file: Policy | undefined, live: Policy, approved: readonly ChunkProvenance[]): ProvenanceState[] {
  const moved = diffPolicy(file ?? {}, live).network_policies;
  const explain = (key: string): ProvenanceChunk[] => {
    const rules = rulesOf(live, key);
    const covering = approved.filter((chunk) => chunk.rule !== null && ruleCoveredBy(chunk.rule, rules));
    const fresh = covering.filter((chunk) => file === undefined || chunk.rule === null || !documentCoversRule(file, chunk.rule));
    return (fresh.length > 0 ? fresh : covering).map(provenanceChunk);
  };
  return [
    ...moved.added.map((rule) => ({ rule, change: 'added' as const, chunks: explain(rule) })),
    ...moved.changed.map((rule) => ({ rule, change: 'changed' as const, chunks: explain(rule) })),
    ...moved.removed.map((rule) => ({ rule, change: 'removed' as const, chunks: [] })),
  ];
}

function provenanceChunk(chunk: ChunkProvenance): ProvenanceChunk {
  return {
    chunkId: chunk.chunkId,
    origin: chunk.origin,
    approvedBy: chunk.approvedBy,
    approvedAt: chunk.approvedAt,
    voters: chunk.voters,
    bulk: chunk.bulk,
    rationale: chunk.rationale,
    endpoints: renderRule(chunk.rule),
  };
}

/** "github: added by agent proposal 3f2a… (approved by sp:ops at …)". */
export function describeProvenance(state: ProvenanceState): string {
  if (state.change === 'removed') return `${state.rule}: removed`;
  if (state.chunks.length === 0) return `${state.rule}: ${state.change}, not from an approved proposal (changed in ShoreGuard directly)`;
  const parts = state.chunks.map((chunk) => {
    const who = chunk.approvedBy === null ? 'approver unknown (the audit log needs an admin key)' : `approved by ${chunk.approvedBy}`;
    const voters = chunk.voters.length > 1 ? `, votes ${chunk.voters.join(', ')}` : '';
    return `${chunk.origin === 'agent' ? 'agent proposal' : 'denial draft'} ${chunk.chunkId} (${who}${chunk.approvedAt === null ? '' : ` at ${chunk.approvedAt}`}${voters}${chunk.bulk ? ', via approve-all' : ''})`;
  });
  return `${state.rule}: ${state.change} by ${parts.join('; ')}`;
}
