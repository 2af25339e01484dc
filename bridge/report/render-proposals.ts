/**
 * The proposal-specific parts of a target report (pending proposals, provenance of a pull, the
 * proposals an apply closed) for the text and markdown renderers. The agent's rationale is shown
 * as a quoted hint: what is reviewed is the rule, not the agent's description of it.
 */
import type { ProposalState, ProvenanceState, TargetReport } from './report';

function votes(proposal: ProposalState): string {
  if (proposal.votes === null) return 'votes not read';
  if (!proposal.votes.workflow) return 'no approval workflow: one approval decides';
  const who = proposal.votes.voters.length > 0 ? ` (${proposal.votes.voters.join(', ')})` : '';
  return `${proposal.votes.cast} of ${proposal.votes.needed} approvals${who}`;
}

function origin(proposal: ProposalState): string {
  return proposal.origin === 'agent' ? `agent proposal, confidence ${Math.round(proposal.confidence * 100)}%` : 'drafted from denials';
}

const CHANGE: Readonly<Record<NonNullable<ProposalState['change']>, string>> = {
  added: 'adds rule',
  extended: 'extends rule',
  in_file: 'already allowed by rule',
};

/** Plain-text lines (the caller indents them). */
export function proposalTextLines(target: TargetReport): string[] {
  const lines: string[] = [];
  for (const p of target.proposals ?? []) {
    lines.push(`proposal ${p.chunkId}: ${p.ruleName} [${p.layer ?? 'no rule'}] (${origin(p)})${p.change === undefined ? '' : ` → ${CHANGE[p.change]} ${p.fileRule ?? p.ruleName}`}`);
    for (const endpoint of p.endpoints) lines.push(`  ${endpoint}`);
    lines.push(`  binary: ${p.binaries.length > 0 ? p.binaries.join(', ') : p.binary || '(none)'}`);
    if (p.rationale !== '') lines.push(`  rationale (the proposer's hint, not the contract): ${JSON.stringify(p.rationale)}`);
    if (p.securityFlagged) lines.push(`  SECURITY: ${p.securityNotes}`);
    if (p.narrowness !== undefined && p.narrowness.verdict === 'over_broad') lines.push(`  over-broad: ${p.narrowness.reasons.join('; ')}`);
    lines.push(`  votes: ${votes(p)}`);
  }
  for (const p of target.provenance ?? []) lines.push(...provenanceText(p));
  for (const s of target.settled ?? []) lines.push(`settled proposal ${s.chunkId} (${s.ruleName}): ${s.outcome}${s.detail === undefined ? '' : ` — ${s.detail}`}; reason ${JSON.stringify(s.reason)}`);
  return lines;
}

function provenanceText(state: ProvenanceState): string[] {
  if (state.chunks.length === 0) {
    return [`rule ${state.rule}: ${state.change}${state.change === 'removed' ? '' : ', not from an approved proposal (changed in ShoreGuard directly)'}`];
  }
  return [
    `rule ${state.rule}: ${state.change} from ${state.chunks.length} approved chunk(s)`,
    ...state.chunks.flatMap((c) => [
      `  ${c.origin === 'agent' ? 'agent proposal' : 'denial draft'} ${c.chunkId}: approved by ${c.approvedBy ?? 'unknown (needs an admin key)'}${c.approvedAt === null ? '' : ` at ${c.approvedAt}`}${c.voters.length > 1 ? `, votes ${c.voters.join(', ')}` : ''}${c.bulk ? ', via approve-all' : ''}`,
      ...c.endpoints.map((e) => `    ${e}`),
      ...(c.rationale === '' ? [] : [`    rationale (hint): ${JSON.stringify(c.rationale)}`]),
    ]),
  ];
}

/** Markdown blocks; `inline` escapes user-controlled text, `code` makes a code span. */
export function proposalMarkdownBlocks(target: TargetReport, inline: (text: string) => string, code: (text: string) => string): string[] {
  const blocks: string[] = [];
  const proposals = target.proposals ?? [];
  if (proposals.length > 0) {
    const rows = proposals.map((p) => {
      const lines = [
        `#### ${p.securityFlagged ? '⚠️ ' : ''}${code(p.ruleName)} — ${p.layer ?? 'no rule'} ${inline(`(${origin(p)})`)}`,
        '',
        `- **Chunk:** ${code(p.chunkId)}${p.change === undefined ? '' : ` — ${CHANGE[p.change]} ${code(p.fileRule ?? p.ruleName)} in the file`}`,
        `- **Rule:** ${p.endpoints.map(code).join('<br>')}`,
        `- **Binary:** ${(p.binaries.length > 0 ? p.binaries : [p.binary || '(none)']).map(code).join(', ')}`,
        ...(p.rationale === '' ? [] : [`- **Rationale** (the proposer's hint, not the contract — review the rule): _${inline(p.rationale)}_`]),
        ...(p.securityFlagged ? [`- **Security flag:** ${inline(p.securityNotes)}`] : []),
        ...(p.narrowness !== undefined && p.narrowness.verdict === 'over_broad' ? [`- **Over-broad:** ${inline(p.narrowness.reasons.join('; '))}`] : []),
        `- **Votes:** ${inline(votes(p))}`,
      ];
      return lines.join('\n');
    });
    blocks.push(...rows);
  }
  const provenance = target.provenance ?? [];
  if (provenance.length > 0) {
    const rows = provenance.map((state) => {
      if (state.chunks.length === 0) return `- ${code(state.rule)} ${state.change}${state.change === 'removed' ? '' : ': not from an approved proposal (changed in ShoreGuard directly)'}`;
      return state.chunks
        .map(
          (c) =>
            `- ${code(state.rule)} ${state.change} by ${c.origin === 'agent' ? 'agent proposal' : 'denial draft'} ${code(c.chunkId)}: ${c.endpoints.map(code).join(', ')}; approved by ${inline(c.approvedBy ?? 'unknown (needs an admin key)')}${c.approvedAt === null ? '' : ` at ${inline(c.approvedAt)}`}${c.voters.length > 1 ? `, votes ${inline(c.voters.join(', '))}` : ''}${c.bulk ? ', via approve-all' : ''}${c.rationale === '' ? '' : ` — rationale (hint): _${inline(c.rationale)}_`}`,
        )
        .join('\n');
    });
    blocks.push(`**Where the changes came from:**\n\n${rows.join('\n')}`);
  }
  const settled = target.settled ?? [];
  if (settled.length > 0) {
    blocks.push(`**Proposals this apply settled:**\n\n${settled.map((s) => `- ${code(s.chunkId)} (${code(s.ruleName)}): ${s.outcome}${s.detail === undefined ? '' : ` — ${inline(s.detail)}`}`).join('\n')}`);
  }
  return blocks;
}
