// Draft-policy approvals (0.40.0 api/routes/approvals.py over the gateway's draft RPCs): agent
// proposals listed, approved, rejected, voted on, pinned, bulk-approved, edited, undone, cleared,
// audited; and what happens to a proposal whose rule a Git change already made live (issue #10 §5).
import { stringify } from 'yaml';
import type { ConformancePolicy } from '../../support/conformance/targets';
import type { CaseContext, ConformanceCase } from '../../support/conformance/runner';
import {
  agentSubmission,
  BROAD_L4_PROPOSAL,
  FLAGGED_DB_PROPOSAL,
  L7_GITHUB_PROPOSAL,
  mechanisticSubmission,
} from '../../support/proposals';
import { sandboxPath, SEED_POLICY, stringField, yamlOf } from './fixtures';

/**
 * `GET …/policy` lists `network_policies` in the order of the gateway's protobuf map as Python's
 * upb iterates it (not insertion order), so policy reads are compared with the rules sorted by key.
 */
function rulesSorted(body: unknown): unknown {
  if (body === null || typeof body !== 'object') return body;
  const snapshot = body as { policy?: { network_policies?: Record<string, unknown> } };
  const rules = snapshot.policy?.network_policies;
  if (!rules) return body;
  const sorted = Object.fromEntries(Object.keys(rules).sort().map((key) => [key, rules[key]]));
  return { ...snapshot, policy: { ...snapshot.policy, network_policies: sorted } };
}

interface Seeded {
  base: string;
  sandbox: string;
  l7: string;
  flagged: string;
  broad: string;
}

/** A sandbox with the seed policy and the three standard proposals (broad L4, flagged DB, narrow L7). */
async function seedProposals(c: CaseContext): Promise<Seeded> {
  const sandbox = await c.seedSandbox('sb', SEED_POLICY);
  const broad = await c.submitProposal(sandbox, 'broad', mechanisticSubmission(BROAD_L4_PROPOSAL));
  const flagged = await c.submitProposal(sandbox, 'flagged', agentSubmission(FLAGGED_DB_PROPOSAL));
  const l7 = await c.submitProposal(sandbox, 'l7', agentSubmission(L7_GITHUB_PROPOSAL));
  return { base: sandboxPath(c.gateway, sandbox), sandbox, l7, flagged, broad };
}

/** The seed policy plus the proposal's rule under its own name, exactly as the agent proposed it. */
function policyWithProposedRule(extraEndpointFields: Record<string, unknown> = {}): ConformancePolicy {
  const rule = L7_GITHUB_PROPOSAL.rule;
  return {
    ...SEED_POLICY,
    network_policies: {
      ...SEED_POLICY.network_policies,
      [L7_GITHUB_PROPOSAL.ruleName]: { ...rule, endpoints: rule.endpoints.map((endpoint) => ({ ...endpoint, ...extraEndpointFields })) },
    },
  };
}

/** Applies `policy` as a reviewed Git change would (replace, locked to the exported hash). */
async function applyFromGit(c: CaseContext, base: string, label: string, policy: ConformancePolicy): Promise<void> {
  const exported = await c.send('operator', 'GET', `${base}/policy/export`);
  const yaml = stringify({ metadata: { policy_hash: stringField(exported.body, 'policy_hash') }, policy });
  await c.step(label, 'operator', 'POST', `${base}/policy/apply`, { body: { yaml } });
}

export const approvalCases: ConformanceCase[] = [
  {
    id: 'approvals/list-pending-history',
    title:
      'GIVEN an agent L7 proposal, a flagged DB one and a mechanistic L4 draft WHEN listed THEN newest first with gateway security notes, narrowness, float32 confidence; history "proposed"; unknown sandbox 404',
    requires: { proposals: true },
    async run(c) {
      const { base } = await seedProposals(c);
      await c.step('draft', 'viewer', 'GET', `${base}/approvals`);
      await c.step('draft, approved only', 'viewer', 'GET', `${base}/approvals?status_filter=approved`);
      await c.step('pending', 'viewer', 'GET', `${base}/approvals/pending`);
      await c.step('history', 'viewer', 'GET', `${base}/approvals/history`);
      await c.step('pending of an unknown sandbox', 'viewer', 'GET', `${sandboxPath(c.gateway, c.name('nope'))}/approvals/pending`);
    },
  },
  {
    id: 'approvals/approve-reject-undo',
    title:
      'GIVEN pending chunks and no workflow WHEN approve, approve again, reject, reject again, undo, undo again, unknown ids THEN 200 merged revision (folded into the rule for the same host:port), 409 FAILED_PRECONDITION, 404',
    requires: { proposals: true },
    async run(c) {
      const { base, l7, broad } = await seedProposals(c);
      await c.step('viewer approves', 'viewer', 'POST', `${base}/approvals/${l7}/approve`);
      await c.step('approve l7', 'operator', 'POST', `${base}/approvals/${l7}/approve`);
      await c.step('policy after approve', 'viewer', 'GET', `${base}/policy`, { select: rulesSorted });
      await c.step('approve l7 again', 'operator', 'POST', `${base}/approvals/${l7}/approve`);
      await c.step('reject broad with reason', 'operator', 'POST', `${base}/approvals/${broad}/reject`, { body: { reason: 'too broad: narrow it to the package paths' } });
      await c.step('reject broad again, no body', 'operator', 'POST', `${base}/approvals/${broad}/reject`);
      await c.step('reject reason too long', 'operator', 'POST', `${base}/approvals/${broad}/reject`, { body: { reason: 'x'.repeat(1001) } });
      await c.step('approve with wait_loaded=maybe', 'operator', 'POST', `${base}/approvals/${broad}/approve?wait_loaded=maybe`);
      await c.step('approve the rejected chunk, waiting for the load', 'operator', 'POST', `${base}/approvals/${broad}/approve?wait_loaded=true`);
      await c.step('undo l7', 'operator', 'POST', `${base}/approvals/${l7}/undo`);
      await c.step('policy after undo', 'viewer', 'GET', `${base}/policy`, { select: rulesSorted });
      await c.step('undo l7 again (pending)', 'operator', 'POST', `${base}/approvals/${l7}/undo`);
      await c.step('approve unknown chunk', 'operator', 'POST', `${base}/approvals/no-such-chunk/approve`);
      await c.step('reject unknown chunk', 'operator', 'POST', `${base}/approvals/no-such-chunk/reject`);
      await c.step('draft', 'viewer', 'GET', `${base}/approvals`);
      await c.step('history', 'viewer', 'GET', `${base}/approvals/history`);
    },
  },
  {
    id: 'approvals/workflow-votes',
    title:
      'GIVEN a quorum-2 workflow WHEN operators vote THEN 202 pending with votes/needed, 409 already voted, quorum fires the merge once (decisions cleared), one reject kills a chunk, approve-all 409 for an operator and allowed for an admin, an unknown chunk id takes a 202 vote',
    requires: { proposals: true },
    async run(c) {
      const { base, l7, flagged } = await seedProposals(c);
      await c.send('admin', 'PUT', `${base}/approval-workflow`, { body: { required_approvals: 2 } });
      await c.step('operator approves l7', 'operator', 'POST', `${base}/approvals/${l7}/approve`);
      await c.step('operator votes again', 'operator', 'POST', `${base}/approvals/${l7}/approve`);
      await c.step('decisions after one vote', 'viewer', 'GET', `${base}/approvals/${l7}/decisions`);
      await c.step('still pending', 'viewer', 'GET', `${base}/approvals/pending`);
      await c.step('operator2 approves l7 (quorum)', 'operator2', 'POST', `${base}/approvals/${l7}/approve`);
      await c.step('decisions after quorum', 'viewer', 'GET', `${base}/approvals/${l7}/decisions`);
      await c.step('policy after quorum', 'viewer', 'GET', `${base}/policy`, { select: rulesSorted });
      await c.step('operator approves flagged', 'operator', 'POST', `${base}/approvals/${flagged}/approve`);
      await c.step('operator2 rejects flagged', 'operator2', 'POST', `${base}/approvals/${flagged}/reject`, { body: { reason: 'no database access from agents' } });
      await c.step('decisions after reject', 'viewer', 'GET', `${base}/approvals/${flagged}/decisions`);
      await c.step('operator approve-all', 'operator', 'POST', `${base}/approvals/approve-all`);
      await c.step('admin approve-all', 'admin', 'POST', `${base}/approvals/approve-all`);
      await c.step('vote on an unknown chunk', 'operator', 'POST', `${base}/approvals/no-such-chunk/approve`);
      await c.step('quorum on an unknown chunk', 'operator2', 'POST', `${base}/approvals/no-such-chunk/approve`);
      await c.step('decisions on the unknown chunk', 'viewer', 'GET', `${base}/approvals/no-such-chunk/decisions`);
      await c.step('draft', 'viewer', 'GET', `${base}/approvals`);
    },
  },
  {
    id: 'approvals/pinned',
    title: 'GIVEN a pinned sandbox WHEN approve / approve-all / reject / undo THEN 423 for approve and approve-all, reject and undo are not pin-checked',
    requires: { proposals: true },
    async run(c) {
      const { base, l7, broad } = await seedProposals(c);
      await c.step('approve broad before the pin', 'operator', 'POST', `${base}/approvals/${broad}/approve`);
      await c.send('operator', 'POST', `${base}/policy/pin`, { body: { reason: 'release freeze' } });
      await c.step('approve while pinned', 'operator', 'POST', `${base}/approvals/${l7}/approve`);
      await c.step('approve-all while pinned', 'operator', 'POST', `${base}/approvals/approve-all`);
      await c.step('undo while pinned', 'operator', 'POST', `${base}/approvals/${broad}/undo`);
      await c.step('reject while pinned', 'operator', 'POST', `${base}/approvals/${l7}/reject`);
      await c.step('policy (changed under the pin by undo)', 'viewer', 'GET', `${base}/policy`, { select: rulesSorted });
      await c.send('operator', 'DELETE', `${base}/policy/pin`);
    },
  },
  {
    id: 'approvals/approve-all-edit-clear',
    title:
      'GIVEN pending chunks WHEN approve-all (flagged skipped, then included, then nothing left), edit, clear THEN counts, 409 FAILED_PRECONDITION, edit 200/409/422, clear {cleared:null, chunks_cleared}',
    requires: { proposals: true },
    async run(c) {
      const { base, sandbox } = await seedProposals(c);
      await c.step('approve-all', 'operator', 'POST', `${base}/approvals/approve-all`);
      await c.step('approve-all including flagged, waiting for the load', 'operator', 'POST', `${base}/approvals/approve-all?wait_loaded=true`, { body: { include_security_flagged: true } });
      await c.step('approve-all with nothing pending', 'operator', 'POST', `${base}/approvals/approve-all`);
      await c.step('policy after approve-all', 'viewer', 'GET', `${base}/policy`, { select: rulesSorted });
      const again = await c.submitProposal(sandbox, 'again', mechanisticSubmission({ ...BROAD_L4_PROPOSAL, ruleName: 'allow_pypi_org_443', rule: { ...BROAD_L4_PROPOSAL.rule, name: 'allow_pypi_org_443', endpoints: [{ host: 'pypi.org', port: 443 }] } }));
      const narrower = {
        name: 'pypi_simple',
        endpoints: [{ host: 'pypi.org', port: 443, protocol: 'rest', enforcement: 'enforce', rules: [{ allow: { method: 'GET', path: '/simple/**' } }] }],
        binaries: [{ path: '/opt/fake/bin/node' }],
      };
      await c.step('edit the pending chunk', 'operator', 'POST', `${base}/approvals/${again}/edit`, { body: { proposed_rule: narrower } });
      await c.step('edit without a rule', 'operator', 'POST', `${base}/approvals/${again}/edit`, { body: {} });
      await c.step('pending after edit', 'viewer', 'GET', `${base}/approvals/pending`);
      await c.step('viewer clears', 'viewer', 'POST', `${base}/approvals/clear`);
      await c.step('clear', 'operator', 'POST', `${base}/approvals/clear`);
      await c.step('edit a cleared chunk', 'operator', 'POST', `${base}/approvals/${again}/edit`, { body: { proposed_rule: narrower } });
      await c.step('clear again', 'operator', 'POST', `${base}/approvals/clear`);
      await c.step('draft after clear (decided chunks stay)', 'viewer', 'GET', `${base}/approvals`);
    },
  },
  {
    id: 'approvals/audit-provenance',
    title: 'GIVEN votes, an approval, a rejection and a bulk approval WHEN the admin reads the audit log THEN approval.vote_cast / approve / reject / approve_all rows with actor, role and detail; a non-admin 403',
    requires: { proposals: true },
    async run(c) {
      const { base, sandbox, l7, flagged } = await seedProposals(c);
      await c.send('admin', 'PUT', `${base}/approval-workflow`, { body: { required_approvals: 2 } });
      await c.send('operator', 'POST', `${base}/approvals/${l7}/approve`);
      await c.send('operator2', 'POST', `${base}/approvals/${l7}/approve`);
      await c.send('operator', 'POST', `${base}/approvals/${flagged}/reject`, { body: { reason: 'no' } });
      await c.send('admin', 'POST', `${base}/approvals/approve-all`);
      const mine = (body: unknown): unknown => {
        const entries = (body as { entries?: Array<{ detail?: { sandbox?: string } | null; resource_id?: string }> }).entries ?? [];
        return entries.filter((entry) => entry.detail?.sandbox === sandbox || entry.resource_id === sandbox);
      };
      const gw = encodeURIComponent(c.gateway);
      for (const action of ['approval.vote_cast', 'approval.approve', 'approval.reject', 'approval.approve_all']) {
        await c.step(`audit ${action}`, 'admin', 'GET', `/api/audit?action=${action}&gateway=${gw}&limit=1000`, { select: mine });
      }
      await c.step('operator reads the audit log', 'operator', 'GET', `/api/audit?action=approval.approve`);
    },
  },
  {
    id: 'approvals/rule-already-live',
    title:
      'GIVEN a pending L7 proposal WHEN a Git apply makes its rule live THEN the chunk stays pending; approving it merges again (a new revision that only adds ports: [443]); with ports in Git the approve is a no-op (same revision); reject and clear never touch the live policy',
    requires: { proposals: true },
    async run(c) {
      const { base, sandbox, l7 } = await seedProposals(c);
      await applyFromGit(c, base, 'apply the Git change carrying the rule', policyWithProposedRule());
      await c.step('pending after the apply', 'viewer', 'GET', `${base}/approvals/pending`);
      await c.step('approve the already-live chunk', 'operator', 'POST', `${base}/approvals/${l7}/approve`);
      await c.step('policy after approving', 'viewer', 'GET', `${base}/policy`, { select: rulesSorted });
      const exported = await c.step('export after approving', 'viewer', 'GET', `${base}/policy/export`);
      c.fact('export lists ports: [443] on the merged endpoint', yamlOf(exported.body).includes('ports:\n'));

      // The same rule in Git with the gateway's normalised ports: approving changes nothing.
      const second = await c.submitProposal(sandbox, 'l7-second', agentSubmission(L7_GITHUB_PROPOSAL));
      await applyFromGit(c, base, 'apply with ports in Git', policyWithProposedRule({ ports: [443] }));
      await c.step('approve with the normalised rule live', 'operator', 'POST', `${base}/approvals/${second}/approve`);

      const third = await c.submitProposal(sandbox, 'l7-third', agentSubmission(L7_GITHUB_PROPOSAL));
      await c.step('reject the already-live chunk', 'operator', 'POST', `${base}/approvals/${third}/reject`, { body: { reason: 'covered by the Git change' } });
      const fourth = await c.submitProposal(sandbox, 'l7-fourth', agentSubmission(L7_GITHUB_PROPOSAL));
      await c.step('clear with the rule live', 'operator', 'POST', `${base}/approvals/clear`);
      await c.step('policy after reject and clear (unchanged)', 'viewer', 'GET', `${base}/policy`, { select: rulesSorted });
      await c.step('draft', 'viewer', 'GET', `${base}/approvals`);
      c.fact('cleared chunk is gone', fourth.length > 0);
    },
  },
];
