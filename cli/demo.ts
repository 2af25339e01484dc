/**
 * `shoreguard-iac demo`: a guided tour of what the package does, against the bundled emulator
 * (seeded with sandboxes and policies the way an OpenShell gateway would hold them). Every step is a
 * real API call; the narration says what a platform team would see.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { parseDocument } from 'yaml';
import { createClient, parseShoreGuardTime, type ShoreGuardClient, type PolicyApplyOutcome } from '../sdk';

export interface DemoOptions {
  readonly out: Writable;
}

const GATEWAY = 'demo-prod';
const SANDBOX = 'agent-1';

const BASE_POLICY = {
  version: 1,
  filesystem: { include_workdir: true, read_only: ['/usr', '/etc'], read_write: ['/tmp'] },
  process: { run_as_user: 'sandbox', run_as_group: 'sandbox' },
  landlock: { compatibility: 'best_effort' },
  network_policies: {
    github: {
      name: 'github',
      endpoints: [{ host: 'api.github.com', port: 443, protocol: 'rest', rules: [{ allow: { method: 'GET', path: '/repos/**', command: '' } }] }],
      binaries: [{ path: '/usr/bin/git' }],
    },
  },
};

export async function runDemo(options: DemoOptions): Promise<void> {
  const say = (line = '') => options.out.write(`${line}\n`);

  const { startEmulator } = require('../emulator') as typeof import('../emulator');
  const emulator = await startEmulator({ port: 0 });
  say(`ShoreGuard emulator listening on ${emulator.url}`);
  // The demo seeds the OpenShell side (a sandbox with a policy) the way a real gateway would hold it.
  emulator.state.seedSandbox(GATEWAY, SANDBOX, BASE_POLICY);
  emulator.state.seedSandbox('demo-staging', SANDBOX, BASE_POLICY);
  const admin = createClient({ url: emulator.url, token: emulator.keys.admin });
  const voters = [emulator.keys.operator, emulator.keys.operator2].map((token) => createClient({ url: emulator.url, token }));
  try {
    await tour(say, admin, voters);
    await gitopsTour(say, admin);
    say('\nDone. Everything above ran through shoreguard-iac against the bundled ShoreGuard emulator.');
  } finally {
    await Promise.all([admin, ...voters].map((c) => c.close()));
    await emulator.close();
  }
}

async function tour(say: (line?: string) => void, admin: ShoreGuardClient, voters: readonly ShoreGuardClient[]): Promise<void> {
  say('\n1. Infrastructure (what Pulumi/Terraform resources manage)');
  const gw = await admin.gateways.register({ name: GATEWAY, endpoint: '127.0.0.1:50051', scheme: 'http', authMode: 'none', labels: { env: 'prod' } });
  say(`   gateway ${gw.name} registered: status=${gw.status}, connected=${gw.connected}`);
  await admin.gateways.register({ name: 'demo-staging', endpoint: '127.0.0.1:50052', scheme: 'http', authMode: 'none', labels: { env: 'staging' } });
  const prod = await admin.gateways.list({ labels: { env: 'prod' } });
  say(`   gateways labelled env=prod: ${prod.map((g) => g.name).join(', ')}`);

  const user = await admin.users.create({ email: 'alice@example.com', role: 'viewer' });
  const group = await admin.groups.create({ name: 'sre', role: 'viewer', description: 'Site reliability' });
  await admin.groups.addMember(group.id, user.id);
  await admin.groups.setGatewayRole(group.id, GATEWAY, 'operator');
  say(`   group ${group.name} (#${group.id}) with alice@example.com, operator on ${GATEWAY}`);

  const workflow = await admin.workflows.put(GATEWAY, SANDBOX, { requiredApprovals: 2, requiredRoles: ['operator', 'admin'], distinctActors: true });
  say(`   approval workflow on ${GATEWAY}/${SANDBOX}: ${workflow.requiredApprovals} approvals from ${workflow.requiredRoles.join(' or ')}`);
  const hook = await admin.bootHooks.create(GATEWAY, SANDBOX, { name: 'warm-cache', phase: 'post_create', command: 'pip download -r requirements.txt' });
  say(`   boot hook ${hook.name} (${hook.phase}) #${hook.id}`);

  say('\n2. Policy content (what the GitOps bridge manages, never a resource)');
  const exported = await admin.policies.export(GATEWAY, SANDBOX);
  say(`   exported revision ${exported.version}, policy_hash ${exported.policyHash.slice(0, 12)}…`);
  // The change under review: one more writable path. Both voters must send these exact bytes.
  const document = parseDocument(exported.yaml);
  document.addIn(['policy', 'filesystem', 'read_write'], '/var/cache');
  const edited = document.toString();
  const plan = await admin.policies.apply(GATEWAY, SANDBOX, { yaml: edited, dryRun: true, expectedVersion: exported.policyHash });
  say(`   dry run: ${describe(plan)}`);

  for (const [index, voter] of voters.entries()) {
    const outcome = await voter.policies.apply(GATEWAY, SANDBOX, { yaml: edited, expectedVersion: exported.policyHash });
    say(`   operator ${index + 1} applies: ${describe(outcome)}`);
  }

  say('\n3. Safety rails');
  const pin = await admin.pins.pin(GATEWAY, SANDBOX, { reason: 'change freeze for the release', expiresAt: new Date(Date.now() + 3_600_000) });
  say(`   pinned at revision ${pin.pinnedVersion} by ${pin.pinnedBy} until ${pin.expiresAt === null ? 'unpinned by hand' : parseShoreGuardTime(pin.expiresAt).toISOString()}`);
  const blocked = await admin.policies.apply(GATEWAY, SANDBOX, { yaml: exported.yaml, dryRun: true });
  say(`   apply while pinned: ${describe(blocked)}`);
  await admin.pins.unpin(GATEWAY, SANDBOX);
  const stale = await admin.policies.apply(GATEWAY, SANDBOX, { yaml: exported.yaml, dryRun: true, expectedVersion: exported.policyHash });
  say(`   apply of the old export after the change: ${describe(stale)}`);
}

/** The same policies as files in Git: export a tree, edit one file, plan the tree. */
async function gitopsTour(say: (line?: string) => void, admin: ShoreGuardClient): Promise<void> {
  // Loaded here: the bridge is only needed for this part of the tour.
  const { canonicalize, exportTree, parsePolicyDocument, renderText, syncTree } = require('../bridge') as typeof import('../bridge');
  say('\n4. The GitOps bridge (what `shoreguard-gitops` does in CI)');
  const root = mkdtempSync(join(tmpdir(), 'shoreguard-demo-'));
  try {
    const exported = await exportTree(admin, { dir: root });
    say(`   export --all: ${exported.targets.length} canonical files under policies/<gateway>/<sandbox>.yaml (no exported_at, so re-exports are byte-identical)`);
    const file = join(root, 'demo-staging', `${SANDBOX}.yaml`);
    const parsed = parsePolicyDocument(readFileSync(file, 'utf8'), { file });
    const policy = parsed.document.policy;
    const filesystem = policy.filesystem ?? { include_workdir: false, read_only: [], read_write: [] };
    writeFileSync(file, canonicalize({ ...parsed.document, policy: { ...policy, filesystem: { ...filesystem, read_only: [...(filesystem.read_only ?? []), '/opt/models'] } } }));
    say(`   edited demo-staging/${SANDBOX}.yaml: one more read-only path`);
    const plan = await syncTree(admin, { root, dryRun: true });
    say('   sync --dir --dry-run:');
    for (const line of renderText(plan).trimEnd().split('\n')) say(`     ${line}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function describe(outcome: PolicyApplyOutcome): string {
  switch (outcome.status) {
    case 'vote_recorded':
      return `vote recorded (${outcome.votesCast}/${outcome.votesNeeded}), chunk ${outcome.chunkId}`;
    case 'pinned':
      return `refused with 423 — ${outcome.detail}${outcome.pin?.reason ? ` (reason: ${outcome.pin.reason})` : ''}`;
    case 'conflict':
      return `refused with 409 — live policy is ${outcome.currentHash.slice(0, 12)}…, the file was based on ${outcome.expectedVersion.slice(0, 12)}…`;
    case 'applied':
      return `applied, new policy_hash ${String(outcome.appliedVersion).slice(0, 12)}…`;
    case 'dry_run': {
      const np = outcome.diff.networkPolicies;
      const fs = outcome.diff.filesystem;
      return `dry run, read_write +[${fs.readWriteAdded.join(', ')}] -[${fs.readWriteRemoved.join(', ')}], network +${np.added.length} -${np.removed.length} ~${np.changed.length}`;
    }
    case 'up_to_date':
      return 'up to date';
  }
}
