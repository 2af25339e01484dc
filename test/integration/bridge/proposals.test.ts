/**
 * Two-way GitOps against the emulator (issue #10): an agent's proposal → `proposals` shows it as L7
 * → `proposals --write` changes the file (lock untouched) → `plan` shows the drift → `apply` under
 * a quorum-2 workflow with two keys closes the proposal (rejected as "applied from Git", no
 * second merge) → `pull` refreshes the lock → `plan` in sync. And the backflow: a proposal approved
 * in ShoreGuard directly → `pull` writes the file with provenance → `plan` in sync. Bad input
 * (unknown chunk, local edits, a pinned target) exits 2 and writes nothing.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { createClient, type ShoreGuardClient } from '../../../sdk';
import { canonicalizeText } from '../../../bridge/document/canonical';
import { AGENT_BINARY, agentSubmission, emulatorProposalSink, FLAGGED_DB_PROPOSAL, L7_GITHUB_PROPOSAL } from '../../support/proposals';
import { BASE_POLICY, readText, runCli, runJson, useGitopsEmulator, writeText } from './harness';

const PYPI_PROPOSAL = {
  ruleName: 'pypi_read_only',
  rule: {
    name: 'pypi_read_only',
    endpoints: [{ host: 'pypi.org', port: 443, protocol: 'rest', access: 'read-only' }],
    binaries: [{ path: '/opt/fake/bin/pip' }],
  },
  rationale: 'Install the pinned requirements from PyPI (read-only)',
  confidence: 0.75,
  hitCount: 1,
};

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });
}

describe('shoreguard-gitops proposals and pull against the emulator', () => {
  const { emulator, dir, env } = useGitopsEmulator();
  let admin: ShoreGuardClient;
  let tree: string;
  let file: string;
  let other: string;

  beforeEach(async () => {
    emulator().state.registerGateway({ name: 'prod' });
    emulator().state.seedSandbox('prod', 'agent-1', BASE_POLICY);
    emulator().state.seedSandbox('prod', 'agent-2', BASE_POLICY);
    admin = createClient({ url: emulator().url, token: emulator().keys.admin });
    tree = join(dir(), 'policies');
    file = join(tree, 'prod', 'agent-1.yaml');
    other = join(tree, 'prod', 'agent-2.yaml');
    git(dir(), 'init', '-q');
    expect((await runCli(['export', '--all', '--dir', tree], { env: env() })).code).toBe(0);
    git(dir(), 'add', '-A');
    git(dir(), 'commit', '-qm', 'export');
  });

  afterEach(async () => {
    await admin.close();
  });

  const submit = (chunk: Parameters<typeof agentSubmission>[0], sandbox = 'agent-1') => emulatorProposalSink(emulator(), 'prod').submit(sandbox, agentSubmission(chunk));

  it('GIVEN an agent proposal WHEN proposals, --write, plan, a quorum-2 apply and pull run THEN the rule lands once, the proposal is closed and plan is in sync', async () => {
    const submitted = await submit(L7_GITHUB_PROPOSAL);
    const chunkId = submitted.acceptedChunkIds[0] ?? '';

    // proposals: the rule by enforcement layer, the rationale as a hint, the votes.
    emulator().resetStats();
    const listed = await runJson(['proposals', '--dir', tree], { env: env() });
    expect(listed.code).toBe(1);
    expect(listed.report.targets.map((t) => t.status)).toEqual(['proposal_pending', 'no_proposals']);
    const [proposal] = listed.report.targets[0]?.proposals ?? [];
    expect(proposal).toMatchObject({
      chunkId,
      ruleName: 'github_contents_x_md',
      layer: 'L7',
      endpoints: ['api.github.com:443 [L7 rest, allow PUT /repos/o/r/contents/x.md]'],
      binaries: [AGENT_BINARY],
      origin: 'agent',
      rationale: L7_GITHUB_PROPOSAL.rationale,
      securityFlagged: false,
      votes: { workflow: false, cast: 0, needed: 1 },
    });
    // agent-1: pending + pin + 1 tally; agent-2: pending only.
    expect(emulator().stats().requests).toBe(4);
    const text = await runCli(['proposals', '--dir', tree], { env: env() });
    expect(text.stdout).toContain('api.github.com:443 [L7 rest, allow PUT /repos/o/r/contents/x.md]');
    expect(text.stdout).toContain("rationale (the proposer's hint, not the contract)");

    // proposals --write: the exact YAML change, canonical, lock untouched; the markdown is the PR body.
    const before = await readText(file);
    const otherBefore = await readText(other);
    const written = await runJson(['proposals', '--dir', tree, '--write', '--markdown-file', join(dir(), 'pr.md')], { env: env() });
    expect(written.code).toBe(1);
    expect(written.report.targets[0]).toMatchObject({ status: 'proposal_written', proposals: [{ chunkId, change: 'extended', fileRule: 'github' }] });
    const after = await readText(file);
    expect(after).not.toBe(before);
    expect(canonicalizeText(after)).toBe(after);
    expect(after.split('policy:\n')[0]).toBe(before.split('policy:\n')[0]);
    expect(after).toContain('method: PUT');
    expect(after).toContain(`path: ${AGENT_BINARY}`);
    expect(await readText(other)).toBe(otherBefore);
    const body = await readText(join(dir(), 'pr.md'));
    expect(body).toContain('<!-- shoreguard-gitops:proposals -->');
    expect(body).toContain('`api.github.com:443 [L7 rest, allow PUT /repos/o/r/contents/x.md]`');
    // A second --write changes nothing: the file already allows the proposal.
    const again = await runJson(['proposals', '--dir', tree, '--write'], { env: env() });
    expect(again.report.targets[0]).toMatchObject({ status: 'proposal_pending', proposals: [{ change: 'in_file', fileRule: 'github' }] });
    expect(await readText(file)).toBe(after);
    git(dir(), 'commit', '-qam', 'proposal (reviewed pull request merged)');

    // plan: the drift of the merged pull request.
    const plan = await runJson(['plan', '--dir', tree], { env: env() });
    expect(plan.code).toBe(1);
    expect(plan.report.targets[0]).toMatchObject({ status: 'drift', diff: { raw: { network_policies: { changed: ['github'] } } } });

    // apply under quorum 2 with two keys: the second vote applies and closes the proposal.
    await admin.workflows.put('prod', 'agent-1', { requiredApprovals: 2 });
    const vote = await runJson(['apply', '-f', file], { env: env(emulator().keys.operator) });
    expect(vote.report.targets[0]).toMatchObject({ status: 'vote_recorded', votes: { cast: 1, needed: 2 } });
    expect((await admin.approvals.pending('prod', 'agent-1')).map((c) => c.id)).toEqual([chunkId]);
    const applied = await runJson(['apply', '-f', file], { env: env(emulator().keys.operator2) });
    expect(applied.code).toBe(0);
    expect(applied.report.targets[0]).toMatchObject({ status: 'applied', settled: [{ chunkId, outcome: 'rejected' }] });
    expect(applied.report.targets[0]?.settled?.[0]?.reason).toMatch(/^applied from Git \(commit [0-9a-f]{12}, .*agent-1\.yaml\): the rule is covered by the active policy [0-9a-f]{12}$/);
    expect(await admin.approvals.pending('prod', 'agent-1')).toEqual([]);
    expect((await admin.approvals.chunk('prod', 'agent-1', chunkId)).status).toBe('rejected');
    // The rule is live once: the live policy is what Git holds, no second merge.
    const live = await admin.policies.export('prod', 'agent-1');
    expect(live.version).toBe(2);
    expect(live.yaml.match(/method: PUT/g)).toHaveLength(1);

    // pull refreshes the stale lock; then plan is in sync and a second pull has nothing to do.
    const pulled = await runJson(['pull', '--dir', tree], { env: env() });
    expect(pulled.code).toBe(1);
    expect(pulled.report.targets.map((t) => t.status)).toEqual(['pulled', 'unchanged']);
    expect(pulled.report.targets[0]?.diff?.drift).toBe(false);
    git(dir(), 'commit', '-qam', 'pull');
    const synced = await runJson(['plan', '--dir', tree], { env: env() });
    expect([synced.code, synced.report.targets.map((t) => t.status)]).toEqual([0, ['in_sync', 'in_sync']]);
    expect((await runJson(['pull', '--dir', tree], { env: env() })).code).toBe(0);
  });

  it('GIVEN a proposal approved in ShoreGuard directly WHEN pull THEN the file is re-exported with who approved which rule, and plan is in sync', async () => {
    const chunkId = (await submit(PYPI_PROPOSAL)).acceptedChunkIds[0] ?? '';
    await admin.workflows.put('prod', 'agent-1', { requiredApprovals: 2 });
    const operator = createClient({ url: emulator().url, token: emulator().keys.operator });
    const operator2 = createClient({ url: emulator().url, token: emulator().keys.operator2 });
    try {
      expect(await operator.approvals.approve('prod', 'agent-1', chunkId)).toMatchObject({ status: 'vote_recorded' });
      expect(await operator2.approvals.approve('prod', 'agent-1', chunkId)).toMatchObject({ status: 'approved' });
    } finally {
      await operator.close();
      await operator2.close();
    }

    emulator().resetStats();
    const pulled = await runJson(['pull', '--dir', tree, '--markdown-file', join(dir(), 'pull.md')], { env: env(emulator().keys.admin) });
    expect(pulled.code).toBe(1);
    // agent-1 moved: export + approved chunks + 3 audit reads + the live policy (SDK provenance); agent-2: export only.
    expect(emulator().stats().requests).toBe(7);
    const [target] = pulled.report.targets;
    expect(target?.status).toBe('pulled');
    expect(target?.provenance).toEqual([
      {
        rule: 'pypi_read_only',
        change: 'added',
        chunks: [
          expect.objectContaining({
            chunkId,
            origin: 'agent',
            approvedBy: 'sp:emulator-operator-2',
            voters: ['sp:emulator-operator', 'sp:emulator-operator-2'],
            endpoints: ['pypi.org:443 [L7 rest, access=read-only]'],
          }),
        ],
      },
    ]);
    expect(await readText(file)).toContain('access: read-only');
    const body = await readText(join(dir(), 'pull.md'));
    expect(body).toContain('<!-- shoreguard-gitops:pull -->');
    expect(body).toContain(`\`pypi_read_only\` added by agent proposal \`${chunkId}\``);
    expect(body).toContain('approved by sp:emulator-operator-2');
    // Nothing moved since: the second pull is clean.
    expect((await runCli(['pull', '--dir', tree], { env: env(emulator().keys.admin) })).code).toBe(0);
    git(dir(), 'commit', '-qam', 'pull');
    const synced = await runJson(['plan', '--dir', tree], { env: env() });
    expect([synced.code, synced.report.targets.map((t) => t.status)]).toEqual([0, ['in_sync', 'in_sync']]);
  });

  it('GIVEN a non-admin key WHEN pull THEN the approver is unknown and said so, the rest of the provenance is there', async () => {
    const chunkId = (await submit(PYPI_PROPOSAL)).acceptedChunkIds[0] ?? '';
    await admin.approvals.approve('prod', 'agent-1', chunkId);
    const pulled = await runJson(['pull', '--dir', tree], { env: env(emulator().keys.viewer) });
    expect(pulled.code).toBe(1);
    expect(pulled.report.targets[0]?.provenance?.[0]?.chunks[0]).toMatchObject({ chunkId, approvedBy: null, origin: 'agent' });
    expect(pulled.report.targets[0]?.notes?.join(' ')).toContain('needs an admin key');
  });

  it('GIVEN an unknown --chunk WHEN proposals --write THEN exit 2 naming the chunk and nothing is written', async () => {
    await submit(L7_GITHUB_PROPOSAL);
    const before = await readText(file);
    const run = await runJson(['proposals', '--dir', tree, '--write', '--chunk', 'no-such-chunk'], { env: env() });
    expect(run.code).toBe(2);
    expect(run.report.problems).toEqual([expect.objectContaining({ code: 'unknown_chunk', message: expect.stringContaining('--chunk no-such-chunk') })]);
    expect(await readText(file)).toBe(before);
    const text = await runCli(['proposals', '--dir', tree, '--write', '--chunk', 'no-such-chunk'], { env: env() });
    expect(text.stdout).toContain('no-such-chunk');
  });

  it('GIVEN --chunk naming one of two proposals WHEN proposals --write THEN only that rule is written', async () => {
    await submit(L7_GITHUB_PROPOSAL);
    const pypi = (await submit(PYPI_PROPOSAL)).acceptedChunkIds[0] ?? '';
    const run = await runJson(['proposals', '--dir', tree, '--write', '--chunk', pypi], { env: env() });
    expect(run.code).toBe(1);
    expect(run.report.targets[0]?.proposals?.map((p) => p.chunkId)).toEqual([pypi]);
    const after = await readText(file);
    expect(after).toContain('pypi_read_only:');
    expect(after).not.toContain('method: PUT');
  });

  it('GIVEN a pinned target WHEN proposals --write THEN exit 2 with the pin and nothing is written in any file', async () => {
    await submit(L7_GITHUB_PROPOSAL);
    await submit(PYPI_PROPOSAL, 'agent-2');
    await admin.pins.pin('prod', 'agent-1', { reason: 'release freeze' });
    const before = [await readText(file), await readText(other)];
    const run = await runJson(['proposals', '--dir', tree, '--write'], { env: env() });
    expect(run.code).toBe(2);
    expect(run.report.targets.map((t) => t.status)).toEqual(['pinned', 'skipped']);
    expect(run.report.targets[0]?.pin).toMatchObject({ reason: 'release freeze' });
    expect([await readText(file), await readText(other)]).toEqual(before);
    // Listing alone still works on a pinned sandbox, and says so.
    const listed = await runJson(['proposals', '--dir', tree], { env: env() });
    expect(listed.code).toBe(1);
    expect(listed.report.targets[0]?.notes?.join(' ')).toContain('release freeze');
  });

  it('GIVEN a tree file with uncommitted edits WHEN pull would overwrite it THEN it reports local_edits, exits 2 and writes nothing', async () => {
    await admin.approvals.approve('prod', 'agent-1', (await submit(PYPI_PROPOSAL)).acceptedChunkIds[0] ?? '');
    await admin.approvals.approve('prod', 'agent-2', (await submit(PYPI_PROPOSAL, 'agent-2')).acceptedChunkIds[0] ?? '');
    const edited = (await readText(file)).replace('    - /etc\n', '    - /etc\n    - /opt\n');
    await writeText(file, edited);
    const otherBefore = await readText(other);
    const run = await runJson(['pull', '--dir', tree], { env: env() });
    expect(run.code).toBe(2);
    expect(run.report.targets.map((t) => t.status)).toEqual(['local_edits', 'skipped']);
    expect(run.report.targets[0]?.summary).toContain('uncommitted edits');
    expect(await readText(file)).toBe(edited);
    expect(await readText(other)).toBe(otherBefore);
  });

  it('GIVEN a security-flagged proposal WHEN proposals runs in GitHub Actions THEN the flag is a warning annotation on the file', async () => {
    await submit(FLAGGED_DB_PROPOSAL);
    const run = await runCli(['proposals', '--dir', tree], { env: { ...env(), GITHUB_ACTIONS: 'true' } });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::warning file=[^,]*agent-1\.yaml,title=[^:]*::security-flagged proposal .* \(internal_postgres\): .*internal\/private address/);
    expect(run.stdout).toContain('10.0.0.5:5432 [L4]');
  });

  it.each([
    [['proposals'], 'name the targets'],
    [['proposals', '-g', 'prod'], '-g/--gateway and -s/--sandbox go together'],
    [['proposals', '-g', 'prod', '-s', 'agent-1', '--write'], 'needs the file to write into'],
    [['proposals', '--dir', 'x', '--chunk', ''], "option '--chunk <id>' argument '' is invalid"],
    [['pull'], "required option '--dir <dir>' not specified"],
  ])('GIVEN bad flags %j WHEN run THEN one error line names the problem and the exit code is 2', async (argv, message) => {
    emulator().resetStats();
    const run = await runCli(argv, { env: env() });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(emulator().stats().requests).toBe(0);
  });

  it('GIVEN -g/-s and --dir WHEN proposals --write THEN the target\'s file in the tree is written', async () => {
    await submit(PYPI_PROPOSAL);
    const run = await runJson(['proposals', '-g', 'prod', '-s', 'agent-1', '--dir', tree, '--write'], { env: env() });
    expect(run.code).toBe(1);
    expect(run.report.targets).toHaveLength(1);
    expect(run.report.targets[0]).toMatchObject({ status: 'proposal_written', file });
    expect(await readText(file)).toContain('pypi_read_only:');
  });

  it('GIVEN -g/-s without a file WHEN proposals THEN the target is listed and nothing is read or written locally', async () => {
    await submit(PYPI_PROPOSAL);
    const run = await runJson(['proposals', '-g', 'prod', '-s', 'agent-1'], { env: env() });
    expect(run.code).toBe(1);
    expect(run.report.targets[0]).toMatchObject({ status: 'proposal_pending', file: null, proposals: [{ ruleName: 'pypi_read_only', endpoints: ['pypi.org:443 [L7 rest, access=read-only]'] }] });
    expect(run.report.targets[0]?.proposals?.[0]?.change).toBeUndefined();
  });

  it('GIVEN a directory outside git WHEN pull would write THEN it refuses with exit 2', async () => {
    const loose = join(dir(), '..', `loose-${process.pid}-${Date.now()}`);
    expect((await runCli(['export', '--all', '--dir', loose], { env: env() })).code).toBe(0);
    await admin.approvals.approve('prod', 'agent-1', (await submit(PYPI_PROPOSAL)).acceptedChunkIds[0] ?? '');
    const run = await runJson(['pull', '--dir', loose], { env: env() });
    expect(run.code).toBe(2);
    expect(run.report.targets[0]?.summary).toContain('git work tree');
    execFileSync('rm', ['-rf', loose]);
  });
});
