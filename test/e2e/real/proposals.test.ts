/**
 * Two-way GitOps (issue #10) with the built `shoreguard-gitops` CLI (child processes) against the
 * REAL ShoreGuard 0.40.0 (whose gateway is the fake OpenShell, serving the draft RPCs) and, with
 * the same steps, against the emulator:
 *
 * agent proposal submitted on the gateway → `proposals` shows it as L7 → `proposals --write`
 * changes the file (lock untouched) → `plan` shows the drift → `apply` under a quorum-2 workflow
 * with two keys → the proposal is no longer pending (rejected as applied from Git, the rule is
 * live once) → `pull` refreshes the lock → `plan` in sync. Then the backflow: a proposal approved
 * in ShoreGuard directly → `pull` writes the file with provenance → `plan` in sync. And bad input:
 * an unknown chunk and a file with local edits exit 2 and write nothing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { SEED_POLICY } from '../../conformance/cases/fixtures';
import { startEmulatorTarget, startLocalRealTarget, type ConformanceTarget } from '../../support/conformance/targets';
import { gitopsSession, type GitopsSession } from '../../support/e2e/gitops-cli';
import { ServerProbe } from '../../support/e2e/probe';
import { REAL_STACK_START_TIMEOUT_MS } from '../../support/e2e/real-stack';
import { AGENT_BINARY, agentSubmission, L7_GITHUB_PROPOSAL } from '../../support/proposals';

jest.setTimeout(3 * 60_000);

const GATEWAY = 'prod';

const PYPI_PROPOSAL = {
  ruleName: 'pypi_read_only',
  rule: { name: 'pypi_read_only', endpoints: [{ host: 'pypi.org', port: 443, protocol: 'rest', access: 'read-only' }], binaries: [{ path: '/opt/fake/bin/pip' }] },
  rationale: 'Install the pinned requirements from PyPI',
  confidence: 0.75,
  hitCount: 1,
};

const ChunkListSchema = z.array(z.object({ id: z.string(), status: z.string() }));
const DraftSchema = z.object({ chunks: z.array(z.object({ id: z.string(), status: z.string() })) });
const ExportSchema = z.object({ yaml: z.string(), version: z.number(), policy_hash: z.string() });

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', '-c', 'commit.gpgsign=false', ...args], { cwd, stdio: 'ignore' });
}

describe.each([
  ['the real ShoreGuard 0.40.0', startLocalRealTarget],
  ['the emulator', startEmulatorTarget],
])('shoreguard-gitops proposals and pull against %s', (_name, start) => {
  let target: ConformanceTarget;
  let probe: ServerProbe;
  let workDir: string;
  let cli: GitopsSession;
  let sandbox: string;
  let file: string;
  let l7: string;
  const base = () => `/api/gateways/${GATEWAY}/sandboxes/${sandbox}`;
  const pending = async () => ChunkListSchema.parse((await probe.expect([200], 'GET', `${base()}/approvals/pending`, { as: 'viewer' })).body);
  const status = async (id: string) => DraftSchema.parse((await probe.expect([200], 'GET', `${base()}/approvals`, { as: 'viewer' })).body).chunks.find((c) => c.id === id)?.status;
  const live = async () => ExportSchema.parse((await probe.expect([200], 'GET', `${base()}/policy/export`, { as: 'viewer' })).body);
  const submit = async (chunk: Parameters<typeof agentSubmission>[0]) => {
    const result = await target.submitProposal(sandbox, agentSubmission(chunk));
    const id = result.acceptedChunkIds[0];
    if (id === undefined) throw new Error(`proposal not accepted: ${JSON.stringify(result)}`);
    return id;
  };

  beforeAll(async () => {
    target = await start(GATEWAY);
    probe = new ServerProbe(target.url, (principal) => target.key(principal));
    ({ sandbox } = await target.seedSandbox('agent-7', SEED_POLICY));
    workDir = await mkdtemp(join(tmpdir(), 'sg-proposals-e2e-'));
    cli = gitopsSession(target.url, workDir);
    file = join(workDir, 'policies', GATEWAY, `${sandbox}.yaml`);
    git(workDir, 'init', '-q');
  }, REAL_STACK_START_TIMEOUT_MS);

  afterAll(async () => {
    await target?.close();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('GIVEN an exported tree and an agent proposal WHEN proposals THEN it is shown as L7 with the rationale as a hint (exit 1)', async () => {
    expect((await cli.run(['export', '--all', '--dir', 'policies'], target.key('viewer'))).code).toBe(0);
    git(workDir, 'add', '-A');
    git(workDir, 'commit', '-qm', 'export');
    l7 = await submit(L7_GITHUB_PROPOSAL);
    const run = await cli.run(['proposals', '--dir', 'policies'], target.key('operator'));
    expect(run.code).toBe(1);
    expect(run.report.targets[0]).toMatchObject({
      status: 'proposal_pending',
      proposals: [{ chunkId: l7, layer: 'L7', endpoints: ['api.github.com:443 [L7 rest, allow PUT /repos/o/r/contents/x.md]'], origin: 'agent' }],
    });
    expect(run.stdout).toContain("rationale (the proposer's hint, not the contract)");
  });

  it('GIVEN the pending proposal WHEN proposals --write THEN the file carries the rule, canonical, with its lock untouched', async () => {
    const before = await readFile(file, 'utf8');
    const run = await cli.run(['proposals', '--dir', 'policies', '--write', '--markdown-file', 'pr.md'], target.key('operator'));
    expect(run.code).toBe(1);
    expect(run.report.targets[0]).toMatchObject({ status: 'proposal_written', proposals: [{ chunkId: l7, change: 'extended', fileRule: 'github' }] });
    const after = await readFile(file, 'utf8');
    expect(after.split('policy:\n')[0]).toBe(before.split('policy:\n')[0]);
    expect(after).toContain('method: PUT');
    expect(after).toContain(`- path: ${AGENT_BINARY}`);
    expect(await readFile(join(workDir, 'pr.md'), 'utf8')).toContain('<!-- shoreguard-gitops:proposals -->');
    git(workDir, 'commit', '-qam', 'merge the reviewed proposal');
  });

  it('GIVEN the merged change WHEN plan THEN it shows the drift (exit 1)', async () => {
    const run = await cli.run(['plan', '--dir', 'policies'], target.key('operator'));
    expect(run.code).toBe(1);
    expect(run.report.targets[0]?.status).toBe('drift');
    expect(run.stdout).toContain('~ network_policies.github');
  });

  it('GIVEN a quorum-2 workflow WHEN two operators apply THEN the rule is live once and the proposal is no longer pending', async () => {
    await probe.putWorkflow(GATEWAY, sandbox, { required_approvals: 2 });
    const first = await cli.run(['apply', '--dir', 'policies'], target.key('operator'));
    expect(first.code).toBe(1);
    expect(first.report.targets[0]?.status).toBe('vote_recorded');
    expect((await pending()).map((c) => c.id)).toEqual([l7]);
    const before = await live();

    const second = await cli.run(['apply', '--dir', 'policies'], target.key('operator2'));
    expect(second.code).toBe(0);
    expect(second.report.targets[0]).toMatchObject({ status: 'applied', settled: [{ chunkId: l7, outcome: 'rejected' }] });
    expect(second.report.targets[0]?.settled?.[0]?.reason).toMatch(/^applied from Git \(commit [0-9a-f]{12}, policies\/prod\/agent-7\.yaml\): /);
    expect(await pending()).toEqual([]);
    expect(await status(l7)).toBe('rejected');
    const after = await live();
    expect(after.version).toBe(before.version + 1);
    expect(after.yaml.match(/method: PUT/g)).toHaveLength(1);
  });

  it('GIVEN the applied change WHEN pull THEN the lock is refreshed, and plan is in sync (exit 0)', async () => {
    const pulled = await cli.run(['pull', '--dir', 'policies'], target.key('operator'));
    expect(pulled.code).toBe(1);
    expect(pulled.report.targets[0]?.status).toBe('pulled');
    expect(await readFile(file, 'utf8')).toContain(`policy_hash: ${(await live()).policy_hash}`);
    git(workDir, 'commit', '-qam', 'pull');
    const plan = await cli.run(['plan', '--dir', 'policies'], target.key('operator'));
    expect([plan.code, plan.report.targets[0]?.status]).toEqual([0, 'in_sync']);
  });

  it('GIVEN a proposal approved in ShoreGuard directly WHEN pull THEN the file is re-exported with who approved it, and plan is in sync', async () => {
    const pypi = await submit(PYPI_PROPOSAL);
    await probe.expect([202], 'POST', `${base()}/approvals/${pypi}/approve`, { as: 'operator' });
    await probe.expect([200], 'POST', `${base()}/approvals/${pypi}/approve`, { as: 'operator2' });

    const pulled = await cli.run(['pull', '--dir', 'policies'], target.key('admin'));
    expect(pulled.code).toBe(1);
    const [moved] = pulled.report.targets;
    expect(moved?.status).toBe('pulled');
    expect(moved?.provenance).toEqual([
      {
        rule: 'pypi_read_only',
        change: 'added',
        chunks: [expect.objectContaining({ chunkId: pypi, origin: 'agent', approvedBy: expect.stringMatching(/^sp:.*2$/), endpoints: ['pypi.org:443 [L7 rest, access=read-only]'] })],
      },
    ]);
    expect(moved?.provenance?.[0]?.chunks[0]?.voters).toHaveLength(2);
    expect(pulled.stdout).toContain('agent proposal');
    expect(await readFile(file, 'utf8')).toContain('access: read-only');
    git(workDir, 'commit', '-qam', 'pull the approval');
    const plan = await cli.run(['plan', '--dir', 'policies'], target.key('operator'));
    expect([plan.code, plan.report.targets[0]?.status]).toEqual([0, 'in_sync']);
    expect((await cli.run(['pull', '--dir', 'policies'], target.key('operator'))).code).toBe(0);
  });

  it('GIVEN an unknown chunk WHEN proposals --write THEN exit 2 naming it, nothing written', async () => {
    await submit({ ...PYPI_PROPOSAL, ruleName: 'pypi_again', rule: { ...PYPI_PROPOSAL.rule, name: 'pypi_again', endpoints: [{ host: 'files.pythonhosted.org', port: 443 }] } });
    const before = await readFile(file, 'utf8');
    const run = await cli.run(['proposals', '--dir', 'policies', '--write', '--chunk', 'no-such-chunk'], target.key('operator'));
    expect(run.code).toBe(2);
    expect(run.report.problems?.[0]?.code).toBe('unknown_chunk');
    expect(run.stdout).toContain('no-such-chunk');
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('GIVEN a file with local edits and a moved live policy WHEN pull THEN it reports local_edits (exit 2) and keeps the edits', async () => {
    const id = (await pending())[0]?.id ?? '';
    await probe.expect([202], 'POST', `${base()}/approvals/${id}/approve`, { as: 'operator' });
    await probe.expect([200], 'POST', `${base()}/approvals/${id}/approve`, { as: 'operator2' });
    const edited = `${await readFile(file, 'utf8')}`.replace('    - /etc\n', '    - /etc\n    - /opt\n');
    await writeFile(file, edited);
    const run = await cli.run(['pull', '--dir', 'policies'], target.key('operator'));
    expect(run.code).toBe(2);
    expect(run.report.targets[0]?.status).toBe('local_edits');
    expect(await readFile(file, 'utf8')).toBe(edited);
  });

  it('GIVEN every run WHEN the transcript is searched THEN no API key appears', () => {
    const keys = (['admin', 'operator', 'operator2', 'viewer'] as const).map((p) => target.key(p));
    for (const text of cli.transcript) for (const key of keys) expect(text).not.toContain(key);
  });
});
