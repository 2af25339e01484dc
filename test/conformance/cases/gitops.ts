// Sandboxes (read), GitOps export and apply: dry run, up_to_date, applied, 409 version mismatch,
// 423 pinned (dry run too), 400 malformed / merge_unsupported, 422, and 202 votes with quorum (§10).
import type { CaseContext, ConformanceCase } from '../../support/conformance/runner';
import {
  addNetworkPolicy,
  addReadOnlyPath,
  expectedChunkId,
  onlyItems,
  OUT_OF_BAND_POLICY,
  sandboxPath,
  SEED_POLICY,
  stringField,
  withoutMetadata,
  yamlOf,
} from './fixtures';

/** Seeds a sandbox and returns its policy paths plus an export step's YAML. */
async function seededExport(c: CaseContext): Promise<{ sandbox: string; base: string; apply: string; yaml: string }> {
  const sandbox = await c.seedSandbox('sb', SEED_POLICY);
  const base = sandboxPath(c.gateway, sandbox);
  const exported = await c.step('export', 'viewer', 'GET', `${base}/policy/export`);
  return { sandbox, base, apply: `${base}/policy/apply`, yaml: yamlOf(exported.body) };
}

/** The document without its `exported_at` line (the only part that changes between exports). */
function withoutExportedAt(yaml: string): string {
  return yaml.replace(/^  exported_at: .*\n/m, '');
}

export const sandboxCases: ConformanceCase[] = [
  {
    id: 'sandboxes/list-and-get',
    title: 'GIVEN a seeded sandbox WHEN a viewer lists sandboxes and reads it and an unknown one THEN 200 {items,total:null}, 200, 404',
    async run(c) {
      const sandbox = await c.seedSandbox('sb', SEED_POLICY);
      await c.step('list', 'viewer', 'GET', `/api/gateways/${c.gateway}/sandboxes`, { select: onlyItems('name', [sandbox]) });
      await c.step('get', 'viewer', 'GET', sandboxPath(c.gateway, sandbox));
      await c.step('get unknown', 'viewer', 'GET', sandboxPath(c.gateway, c.name('ghost')));
      await c.step('list on unregistered gateway', 'viewer', 'GET', `/api/gateways/${c.name('nogw')}/sandboxes`);
    },
  },
];

export const exportCases: ConformanceCase[] = [
  {
    id: 'export/document',
    title: 'GIVEN a seeded sandbox WHEN a viewer exports its policy THEN 200 {yaml,gateway,sandbox,version,policy_hash} with the canonical document',
    async run(c) {
      const { base, yaml } = await seededExport(c);
      const again = await c.step('export again', 'viewer', 'GET', `${base}/policy/export`);
      c.fact('re-export differs at most in exported_at', withoutExportedAt(yamlOf(again.body)) === withoutExportedAt(yaml));
      await c.step('export unknown sandbox', 'viewer', 'GET', `${sandboxPath(c.gateway, c.name('ghost'))}/policy/export`);
      await c.step('export without credentials', null, 'GET', `${base}/policy/export`);
    },
  },
];

export const applyCases: ConformanceCase[] = [
  {
    id: 'apply/dry-run',
    title: 'GIVEN an export WHEN an operator dry-runs it unchanged and edited THEN 200 dry_run with an empty and a filled diff, and nothing is written',
    async run(c) {
      const { base, apply, yaml } = await seededExport(c);
      await c.step('dry run unchanged', 'operator', 'POST', apply, { body: { yaml, dry_run: true } });
      await c.step('dry run edited', 'operator', 'POST', apply, { body: { yaml: addReadOnlyPath(yaml), dry_run: true } });
      await c.step('dry run without lock', 'operator', 'POST', apply, { body: { yaml: withoutMetadata(addNetworkPolicy(yaml)), dry_run: true } });
      await c.step('export after dry runs', 'viewer', 'GET', `${base}/policy/export`);
    },
  },
  {
    id: 'apply/up-to-date-and-applied',
    title: 'GIVEN an export WHEN applied unchanged, then edited, then re-exported and re-applied THEN up_to_date, applied (new hash), version 2, up_to_date',
    async run(c) {
      const { base, apply, yaml } = await seededExport(c);
      await c.step('apply unchanged', 'operator', 'POST', apply, { body: { yaml } });
      const applied = await c.step('apply edited', 'operator', 'POST', apply, { body: { yaml: addReadOnlyPath(yaml) } });
      const reexported = await c.step('export after apply', 'viewer', 'GET', `${base}/policy/export`);
      c.fact('applied_version is the re-exported policy_hash', stringField(applied.body, 'applied_version') === stringField(reexported.body, 'policy_hash'));
      await c.step('apply the new export', 'operator', 'POST', apply, { body: { yaml: yamlOf(reexported.body) } });
      await c.step('apply the stale export', 'operator', 'POST', apply, { body: { yaml: addReadOnlyPath(yaml) } });
    },
  },
  {
    id: 'apply/409-version-mismatch',
    title: 'GIVEN an export and an out-of-band edit WHEN applying with the stale hash (metadata, expected_version, dry run) THEN 409 version_mismatch; without a lock THEN applied',
    async run(c) {
      const { sandbox, apply, yaml, base } = await seededExport(c);
      await c.editPolicyOutOfBand(sandbox, OUT_OF_BAND_POLICY);
      await c.step('stale metadata.policy_hash', 'operator', 'POST', apply, { body: { yaml: addReadOnlyPath(yaml) } });
      await c.step('stale metadata, dry run', 'operator', 'POST', apply, { body: { yaml: addReadOnlyPath(yaml), dry_run: true } });
      await c.step('explicit expected_version', 'operator', 'POST', apply, { body: { yaml: withoutMetadata(yaml), expected_version: 'deadbeef' } });
      await c.step('empty expected_version falls back to metadata', 'operator', 'POST', apply, { body: { yaml, expected_version: '' } });
      const fresh = await c.step('re-export', 'viewer', 'GET', `${base}/policy/export`);
      await c.step('explicit expected_version = live hash', 'operator', 'POST', apply, {
        body: { yaml: withoutMetadata(addNetworkPolicy(yaml)), expected_version: stringField(fresh.body, 'policy_hash') },
      });
      await c.step('no lock: last writer wins', 'operator', 'POST', apply, { body: { yaml: withoutMetadata(addReadOnlyPath(yaml)) } });
      await c.step('export', 'viewer', 'GET', `${base}/policy/export`);
    },
  },
  {
    id: 'apply/423-pinned',
    title: 'GIVEN a pinned sandbox WHEN applying, dry-running and exporting THEN 423 (Internal Error) for both applies, 200 export; after unpin THEN applied',
    async run(c) {
      const { base, apply, yaml } = await seededExport(c);
      await c.step('pin', 'operator2', 'POST', `${base}/policy/pin`, { body: { reason: 'freeze' } });
      await c.step('apply', 'operator', 'POST', apply, { body: { yaml: addReadOnlyPath(yaml) } });
      await c.step('dry run', 'operator', 'POST', apply, { body: { yaml: addReadOnlyPath(yaml), dry_run: true } });
      await c.step('malformed YAML while pinned', 'operator', 'POST', apply, { body: { yaml: 'key: : :' } });
      await c.step('export while pinned', 'viewer', 'GET', `${base}/policy/export`);
      await c.step('unpin', 'operator2', 'DELETE', `${base}/policy/pin`);
      await c.step('apply after unpin', 'operator', 'POST', apply, { body: { yaml: addReadOnlyPath(yaml) } });
    },
  },
  {
    id: 'apply/400-malformed-and-422',
    title: 'GIVEN bad apply requests WHEN an operator posts them THEN 400 VALIDATION_ERROR for the YAML problems and 422 for body problems',
    async run(c) {
      const { apply } = await seededExport(c);
      const post = (label: string, body: unknown) => c.step(label, 'operator', 'POST', apply, { body });
      await post('malformed YAML', { yaml: 'key: : :' });
      await post('empty string', { yaml: '' });
      await post('top-level list', { yaml: '- a\n- b\n' });
      await post('missing policy', { yaml: 'metadata: {}\n' });
      await post('policy not a mapping', { yaml: 'policy: 3\n' });
      await post('policy null', { yaml: 'policy:\n' });
      await post('metadata not a mapping', { yaml: 'metadata: 3\npolicy: {}\n' });
      await post('bad mode', { yaml: 'policy: {}\n', mode: 'upsert' });
      await post('numeric expected_version', { yaml: 'policy: {}\n', expected_version: 123 });
      await post('missing yaml', { dry_run: true });
      await c.step('invalid JSON', 'operator', 'POST', apply, { rawBody: '{"yaml": ' });
    },
  },
  {
    id: 'apply/merge-mode',
    title: 'GIVEN an export WHEN applying in merge mode a filesystem change and a network-only change THEN 400 merge_unsupported (repr string) and 200 applied',
    async run(c) {
      const { base, apply, yaml } = await seededExport(c);
      await c.step('merge a filesystem change', 'operator', 'POST', apply, { body: { yaml: addReadOnlyPath(yaml), mode: 'merge' } });
      await c.step('merge a network change', 'operator', 'POST', apply, { body: { yaml: addNetworkPolicy(yaml), mode: 'merge' } });
      await c.step('export after merge', 'viewer', 'GET', `${base}/policy/export`);
    },
  },
  {
    id: 'apply/202-votes-and-quorum',
    title: 'GIVEN a 2-approval workflow WHEN two operators apply the same YAML THEN 202 vote_recorded, 409 same actor, then 200 applied and the tally resets',
    async run(c) {
      const { base, apply, yaml } = await seededExport(c);
      const edited = addReadOnlyPath(yaml);
      const decisions = `${base}/approvals/${expectedChunkId(edited)}/decisions`;
      await c.step('workflow', 'admin', 'PUT', `${base}/approval-workflow`, { body: { required_approvals: 2 } });
      await c.step('dry run under workflow', 'operator', 'POST', apply, { body: { yaml: edited, dry_run: true } });
      await c.step('unchanged under workflow', 'operator', 'POST', apply, { body: { yaml } });
      const vote = await c.step('first vote', 'operator', 'POST', apply, { body: { yaml: edited } });
      c.fact('chunk_id is policy.apply:sha256(yaml)[:16]', stringField(vote.body, 'chunk_id') === expectedChunkId(edited));
      await c.step('same actor again', 'operator', 'POST', apply, { body: { yaml: edited } });
      await c.step('tally after one vote', 'viewer', 'GET', decisions);
      await c.step('export before quorum', 'viewer', 'GET', `${base}/policy/export`);
      await c.step('second voter', 'operator2', 'POST', apply, { body: { yaml: edited } });
      await c.step('tally after quorum', 'viewer', 'GET', decisions);
      await c.step('export after quorum', 'viewer', 'GET', `${base}/policy/export`);
    },
  },
  {
    id: 'apply/403-role-not-in-workflow',
    title: 'GIVEN a workflow requiring admin votes WHEN an operator applies THEN 403 "Role \'operator\' not permitted"; an admin vote THEN 202',
    async run(c) {
      const { base, apply, yaml } = await seededExport(c);
      const edited = addReadOnlyPath(yaml);
      await c.step('workflow', 'admin', 'PUT', `${base}/approval-workflow`, { body: { required_approvals: 2, required_roles: ['admin'] } });
      await c.step('operator vote', 'operator', 'POST', apply, { body: { yaml: edited } });
      await c.step('admin vote', 'admin', 'POST', apply, { body: { yaml: edited } });
      await c.step('tally', 'viewer', 'GET', `${base}/approvals/${expectedChunkId(edited)}/decisions`);
      await c.step('delete workflow', 'admin', 'DELETE', `${base}/approval-workflow`);
    },
  },
  {
    id: 'apply/same-actor-quorum-without-distinct-actors',
    title: 'GIVEN a 2-approval workflow with distinct_actors:false WHEN the same operator applies twice THEN 202 then 200 applied',
    async run(c) {
      const { base, apply, yaml } = await seededExport(c);
      const edited = addReadOnlyPath(yaml);
      await c.step('workflow', 'admin', 'PUT', `${base}/approval-workflow`, { body: { required_approvals: 2, distinct_actors: false } });
      await c.step('first vote', 'operator', 'POST', apply, { body: { yaml: edited } });
      await c.step('same actor again', 'operator', 'POST', apply, { body: { yaml: edited } });
      await c.step('export', 'viewer', 'GET', `${base}/policy/export`);
    },
  },
  {
    id: 'apply/votes-consumed-before-merge-check',
    title: 'GIVEN a 1-approval workflow WHEN a merge-mode apply changes the filesystem THEN 400 merge_unsupported and the vote is already consumed',
    async run(c) {
      const { base, apply, yaml } = await seededExport(c);
      const edited = addReadOnlyPath(yaml);
      await c.step('workflow', 'admin', 'PUT', `${base}/approval-workflow`, { body: { required_approvals: 1 } });
      await c.step('merge apply', 'operator', 'POST', apply, { body: { yaml: edited, mode: 'merge' } });
      await c.step('tally', 'viewer', 'GET', `${base}/approvals/${expectedChunkId(edited)}/decisions`);
      await c.step('pin', 'operator', 'POST', `${base}/policy/pin`);
      await c.step('apply while pinned under workflow', 'operator2', 'POST', apply, { body: { yaml: edited } });
      await c.step('export', 'viewer', 'GET', `${base}/policy/export`);
    },
  },
  {
    id: 'apply/unknown-sandbox-and-gateway',
    title: 'GIVEN a sandbox the gateway does not know, or a gateway that is not registered WHEN applying THEN 404 and 503 GATEWAY_NOT_CONNECTED',
    async run(c) {
      await c.step('unknown sandbox', 'operator', 'POST', `${sandboxPath(c.gateway, c.name('ghost'))}/policy/apply`, { body: { yaml: 'policy: {}\n', dry_run: true } });
      await c.step('unregistered gateway', 'operator', 'POST', `${sandboxPath(c.name('nogw'), 'sb')}/policy/apply`, { body: { yaml: 'policy: {}\n', dry_run: true } });
      await c.step('export on unregistered gateway', 'viewer', 'GET', `${sandboxPath(c.name('nogw'), 'sb')}/policy/export`);
    },
  },
];
