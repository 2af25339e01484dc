/**
 * The whole GitOps story through the `shoreguard-gitops` CLI against the emulator: export → plan
 * clean → edit → plan drift → apply under a quorum-2 workflow with two keys (202, then applied,
 * one voter on a CRLF checkout) → stale lock + --rebase → pin → plan/apply 423 → unpin →
 * out-of-band edit → apply 409 with the live-vs-file diff → --rebase refuses.
 */
import { join } from 'node:path';
import { createClient, type ShoreGuardClient } from '../../../sdk';
import { BASE_POLICY, readText, requestsTo, runCli, runJson, useGitopsEmulator, writeText } from './harness';

const APPLY = 'POST /api/gateways/{gw}/sandboxes/{name}/policy/apply';
const EXPORT = 'GET /api/gateways/{gw}/sandboxes/{name}/policy/export';

describe('shoreguard-gitops: the whole story against the emulator', () => {
  const { emulator, dir, env } = useGitopsEmulator();
  let admin: ShoreGuardClient;

  beforeEach(() => {
    emulator().state.registerGateway({ name: 'prod' });
    emulator().state.seedSandbox('prod', 'agent-1', BASE_POLICY);
    emulator().state.seedSandbox('prod', 'agent-2', BASE_POLICY);
    admin = createClient({ url: emulator().url, token: emulator().keys.admin });
  });

  afterEach(async () => {
    await admin.close();
  });

  it('GIVEN two sandboxes WHEN the story runs THEN every step reports and exits as documented', async () => {
    const tree = join(dir(), 'policies');
    const file = join(tree, 'prod', 'agent-1.yaml');

    // export --all: canonical files, and re-exporting changes no byte.
    const exported = await runJson(['export', '--all', '--dir', tree], { env: env(emulator().keys.viewer) });
    expect(exported.code).toBe(0);
    expect(exported.report.counts).toEqual({ exported: 2 });
    const first = await readText(file);
    expect(first).toMatch(/^# managed-by: shoreguard-gitops\nmetadata:\n  gateway: prod\n  policy_hash: [0-9a-f]{64}\n  sandbox: agent-1\n  version: 1\npolicy:\n/);
    expect(first).not.toContain('exported_at');
    const again = await runJson(['export', '--all', '--dir', tree], { env: env(emulator().keys.viewer) });
    expect(again.report.counts).toEqual({ unchanged: 2 });
    expect(await readText(file)).toBe(first);

    // plan clean: exit 0, one request per target.
    emulator().resetStats();
    const clean = await runJson(['plan', '--dir', tree], { env: env() });
    expect(clean.code).toBe(0);
    expect(clean.report.targets.map((t) => t.status)).toEqual(['in_sync', 'in_sync']);
    expect(emulator().stats().requests).toBe(2);

    // edit → plan drift: exit 1 (2 with --detailed-exitcode), rendered per section.
    await writeText(file, first.replace('    - /etc\n', '    - /etc\n    - /opt\n'));
    const drift = await runCli(['plan', '--dir', tree], { env: env() });
    expect(drift.code).toBe(1);
    expect(drift.stdout).toContain('+ filesystem.read_only: /opt');
    expect(drift.stdout).toContain('no approval workflow');
    expect((await runCli(['plan', '--dir', tree, '--detailed-exitcode'], { env: env() })).code).toBe(2);

    // quorum 2: the plan shows the votes needed; first voter 202, second voter (CRLF checkout) applies.
    await admin.workflows.put('prod', 'agent-1', { requiredApprovals: 2 });
    const planned = await runJson(['plan', '-g', 'prod', '-s', 'agent-1', '-f', file], { env: env() });
    expect(planned.report.targets[0]).toMatchObject({ status: 'drift', workflow: 'quorum', votes: { needed: 2, cast: 0 } });
    // --no-votes: the strict one-request-per-target plan, without the tally.
    emulator().resetStats();
    const strict = await runJson(['plan', '-g', 'prod', '-s', 'agent-1', '-f', file, '--no-votes'], { env: env() });
    expect(strict.code).toBe(1);
    expect(strict.report.targets[0]?.status).toBe('drift');
    expect(strict.report.targets[0]?.votes).toBeUndefined();
    expect(emulator().stats().requests).toBe(1);

    const vote = await runJson(['apply', '-f', file], { env: env(emulator().keys.operator) });
    expect(vote.code).toBe(1);
    const voted = vote.report.targets[0];
    expect(voted).toMatchObject({ status: 'vote_recorded', votes: { needed: 2, cast: 1 } });
    expect(voted?.votes?.chunkId).toMatch(/^policy\.apply:[0-9a-f]{16}$/);
    expect(voted?.next).toContain(`shoreguard-gitops apply -g prod -s agent-1 -f ${file}`);
    expect(voted?.votes?.chunkId).toBe(planned.report.targets[0]?.votes?.chunkId);

    const crlf = join(dir(), 'crlf', 'agent-1.yaml');
    await writeText(crlf, (await readText(file)).replace(/\n/g, '\r\n'));
    const second = await runJson(['apply', '-g', 'prod', '-s', 'agent-1', '-f', crlf], { env: env(emulator().keys.operator2) });
    expect(second.code).toBe(0);
    expect(second.report.targets[0]).toMatchObject({ status: 'applied', mode: 'replace' });
    expect(emulator().state.getPolicy('prod', 'agent-1').policy?.['filesystem']).toMatchObject({ read_only: ['/usr', '/etc', '/opt'] });

    // The file's lock is now stale, but the file matches the live policy: 409, and --rebase succeeds.
    await admin.workflows.delete('prod', 'agent-1');
    const stale = await runJson(['apply', '-f', file], { env: env() });
    expect(stale.code).toBe(2);
    expect(stale.report.targets[0]).toMatchObject({ status: 'conflict' });
    const rebased = await runJson(['apply', '-f', file, '--rebase'], { env: env() });
    expect(rebased.code).toBe(0);
    expect(rebased.report.targets[0]).toMatchObject({ status: 'up_to_date', rebased: true });

    // pin → plan and apply report 423 with owner, reason and expiry → exit 2.
    await runCli(['export', '-g', 'prod', '-s', 'agent-1', '-o', file], { env: env() });
    await admin.pins.pin('prod', 'agent-1', { reason: 'release freeze', expiresAt: '2099-01-01T00:00:00+00:00' });
    const pinnedPlan = await runCli(['plan', '-f', file], { env: env() });
    expect(pinnedPlan.code).toBe(2);
    expect(pinnedPlan.stdout).toContain('pinned by sp:emulator-admin');
    expect(pinnedPlan.stdout).toContain('"release freeze"');
    expect(pinnedPlan.stdout).toContain('until 2099-01-01T00:00:00');
    const pinnedApply = await runJson(['apply', '-f', file], { env: env() });
    expect(pinnedApply.code).toBe(2);
    expect(pinnedApply.report.targets[0]?.pin).toMatchObject({ pinnedBy: 'sp:emulator-admin', reason: 'release freeze' });
    await admin.pins.unpin('prod', 'agent-1');

    // out-of-band edit → apply 409 with the live hash and the live-vs-file diff; --rebase refuses.
    const live = emulator().state.editPolicyOutOfBand('prod', 'agent-1', { ...BASE_POLICY, process: { run_as_user: 'root', run_as_group: 'sandbox' } });
    emulator().resetStats();
    const conflict = await runJson(['apply', '-f', file], { env: env() });
    expect(conflict.code).toBe(2);
    expect(conflict.report.targets[0]?.conflict).toMatchObject({ liveHash: live.policyHash });
    expect(conflict.report.targets[0]?.conflict?.liveDiff?.raw.process).toEqual({ run_as_user_changed: ['root', 'sandbox'] });
    expect(requestsTo(emulator(), APPLY) + requestsTo(emulator(), EXPORT)).toBe(2);
    const refused = await runJson(['apply', '-f', file, '--rebase'], { env: env() });
    expect(refused.code).toBe(2);
    expect(refused.report.targets[0]?.next).toContain('--rebase refused');
    expect(emulator().state.getPolicy('prod', 'agent-1').policyHash).toBe(live.policyHash);
  });
});
