/**
 * The GitOps story with the built `shoreguard-gitops` CLI (child processes, SHOREGUARD_URL /
 * SHOREGUARD_TOKEN) against the REAL ShoreGuard 0.40.0, whose gateway is a fake OpenShell:
 * export → plan (clean) → edit → plan (drift) → apply under a quorum-2 workflow (operator: vote
 * recorded; operator2 on a CRLF checkout: applied) → re-export → pin → plan/apply 423 → unpin →
 * out-of-band edit on the gateway → apply 409 with the live hash. The second operator's apply writes a
 * signed evidence receipt, which `verify-receipt` checks. Exit codes as bridge/README.md
 * documents them: 0 clean, 1 drift or vote recorded, 2 error (pinned, conflict).
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { addNetworkPolicy, addReadOnlyPath, OUT_OF_BAND_POLICY, SEED_POLICY } from '../../conformance/cases/fixtures';
import { startLocalRealTarget, type ConformanceTarget, type Principal } from '../../support/conformance/targets';
import { gitopsSession, type GitopsSession } from '../../support/e2e/gitops-cli';
import { ServerProbe } from '../../support/e2e/probe';
import { REAL_STACK_START_TIMEOUT_MS } from '../../support/e2e/real-stack';

jest.setTimeout(2 * 60_000);

const GATEWAY = 'prod';
const PIN_REASON = 'release freeze: no policy changes until 2.0 ships';

const LiveExportSchema = z.object({ yaml: z.string(), version: z.number(), policy_hash: z.string() });

let target: ConformanceTarget;
let probe: ServerProbe;
let workDir: string;
let cli: GitopsSession;
let sandbox: string;
let file: string;

function token(principal: Principal): string {
  return target.key(principal);
}

/** The live policy as ShoreGuard exports it (what the gateway holds now). */
async function live(): Promise<z.infer<typeof LiveExportSchema>> {
  const reply = await probe.expect([200], 'GET', `/api/gateways/${GATEWAY}/sandboxes/${sandbox}/policy/export`, { as: 'viewer' });
  return LiveExportSchema.parse(reply.body);
}

/** Which revision is live (the export's `exported_at` changes on every read). */
function revision(exported: z.infer<typeof LiveExportSchema>): { version: number; hash: string } {
  return { version: exported.version, hash: exported.policy_hash };
}

beforeAll(async () => {
  target = await startLocalRealTarget(GATEWAY);
  probe = new ServerProbe(target.url, token);
  ({ sandbox } = await target.seedSandbox('agent-1', SEED_POLICY));
  workDir = await mkdtemp(join(tmpdir(), 'sg-gitops-real-'));
  cli = gitopsSession(target.url, workDir);
  file = join(workDir, 'policies', GATEWAY, `${sandbox}.yaml`);
}, REAL_STACK_START_TIMEOUT_MS);

afterAll(async () => {
  await target?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('shoreguard-gitops against the real ShoreGuard 0.40.0', () => {
  it('GIVEN a sandbox with a policy WHEN export --all THEN the file is the canonical document and a re-export changes no byte', async () => {
    const exported = await cli.run(['export', '--all', '--dir', 'policies'], token('viewer'));
    expect(exported.code).toBe(0);
    expect(exported.report.counts).toEqual({ exported: 1 });
    const text = await readFile(file, 'utf8');
    const { policy_hash: hash } = await live();
    expect(text.startsWith(`# managed-by: shoreguard-gitops\nmetadata:\n  gateway: ${GATEWAY}\n  policy_hash: ${hash}\n  sandbox: ${sandbox}\n  version: 1\npolicy:\n`)).toBe(true);
    expect(text).not.toContain('exported_at');

    const again = await cli.run(['export', '--all', '--dir', 'policies'], token('viewer'));
    expect([again.code, again.report.counts]).toEqual([0, { unchanged: 1 }]);
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  it('GIVEN the fresh export WHEN plan THEN it is in sync (exit 0)', async () => {
    const plan = await cli.run(['plan', '--dir', 'policies'], token('operator'));
    expect(plan.code).toBe(0);
    expect(plan.report.targets.map((t) => t.status)).toEqual(['in_sync']);
    expect(plan.stdout).toContain(`${GATEWAY}/${sandbox}`);
  });

  it('GIVEN a read-only path added to the file WHEN plan THEN it reports drift (exit 1) and the server is unchanged', async () => {
    await writeFile(file, addReadOnlyPath(await readFile(file, 'utf8')));
    const plan = await cli.run(['plan', '--dir', 'policies'], token('operator'));
    expect(plan.code).toBe(1);
    expect(plan.report.targets.map((t) => t.status)).toEqual(['drift']);
    expect(plan.stdout).toContain('+ filesystem.read_only: /var/lib');
    expect((await live()).version).toBe(1);
  });

  it('GIVEN a quorum-2 workflow WHEN the first operator applies THEN the vote is recorded (exit 1) and nothing is written', async () => {
    await probe.putWorkflow(GATEWAY, sandbox, { required_approvals: 2 });
    const vote = await cli.run(['apply', '-f', `policies/${GATEWAY}/${sandbox}.yaml`], token('operator'));
    expect(vote.code).toBe(1);
    const [voted] = vote.report.targets;
    expect(voted).toMatchObject({ status: 'vote_recorded', votes: { needed: 2, cast: 1 } });
    expect(voted?.votes?.chunkId).toMatch(/^policy\.apply:[0-9a-f]{16}$/);
    expect(voted?.next).toContain('shoreguard-gitops apply');
    expect(vote.stdout).toContain(voted?.votes?.chunkId ?? 'no chunk id');
    expect((await live()).version).toBe(1);
  });

  it('GIVEN one vote WHEN a second operator applies the same document from a CRLF checkout THEN it is applied (exit 0)', async () => {
    const crlf = join(workDir, 'crlf-checkout', `${sandbox}.yaml`);
    await mkdir(join(workDir, 'crlf-checkout'), { recursive: true });
    await writeFile(crlf, (await readFile(file, 'utf8')).replace(/\n/g, '\r\n'));
    const keys = generateKeyPairSync('ed25519');
    await writeFile(join(workDir, 'signing.pem'), keys.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await writeFile(join(workDir, 'signing.pub'), keys.publicKey.export({ type: 'spki', format: 'pem' }));
    const applied = await cli.run(['apply', '-g', GATEWAY, '-s', sandbox, '-f', crlf, '--receipt-dir', 'receipts', '--signing-key', 'signing.pem'], token('operator2'));
    expect(applied.code).toBe(0);
    expect(applied.report.targets.map((t) => t.status)).toEqual(['applied']);
    const now = await live();
    expect(now.version).toBe(2);
    expect(now.yaml).toContain('    - /var/lib\n');
    expect(applied.report.targets[0]?.appliedHash).toBe(now.policy_hash);

    // The evidence receipt of this apply: signed, and it verifies against the public key.
    const [receipt] = await readdir(join(workDir, 'receipts'));
    const text = await readFile(join(workDir, 'receipts', receipt ?? 'none'), 'utf8');
    cli.transcript.push(text, Buffer.from((JSON.parse(text) as { payload: string }).payload, 'base64').toString('utf8'));
    const statement = JSON.parse(Buffer.from((JSON.parse(text) as { payload: string }).payload, 'base64').toString('utf8')) as {
      predicate: { outcome: { status: string }; live: { before: { version: number | null }; after: { hash: string | null; version: number | null } }; request: { requestIds: string[] }; votes: unknown };
    };
    expect(statement.predicate.outcome.status).toBe('applied');
    // Read back from the real server after the write: the hash and revision that are live now.
    expect(statement.predicate.live.after).toEqual({ hash: now.policy_hash, version: 2 });
    expect(statement.predicate.live.before.version).toBe(1);
    expect(statement.predicate.request.requestIds).toHaveLength(1);
    const verified = await cli.run(['verify-receipt', join('receipts', receipt ?? 'none'), '--public-key', 'signing.pub'], token('viewer'));
    expect(verified.code).toBe(0);
    expect(verified.report.targets.map((t) => t.status)).toEqual(['valid']);
  });

  it('GIVEN the applied policy WHEN re-exported THEN the file carries the new version and lock', async () => {
    const exported = await cli.run(['export', '--all', '--dir', 'policies'], token('viewer'));
    expect([exported.code, exported.report.counts]).toEqual([0, { exported: 1 }]);
    const now = await live();
    expect(await readFile(file, 'utf8')).toContain(`  policy_hash: ${now.policy_hash}\n  sandbox: ${sandbox}\n  version: 2\n`);
  });

  it('GIVEN a pinned sandbox WHEN plan and apply THEN both stop with 423 (exit 2) naming the reason and who pinned it', async () => {
    await writeFile(file, addNetworkPolicy(await readFile(file, 'utf8')));
    await probe.setPin(GATEWAY, sandbox, { reason: PIN_REASON }, 'operator');
    const before = await live();
    for (const command of ['plan', 'apply']) {
      const run = await cli.run([command, '--dir', 'policies'], token('operator'));
      expect(run.code).toBe(2);
      const [pinned] = run.report.targets;
      expect(pinned).toMatchObject({ status: 'pinned', pin: { pinnedBy: 'sp:ts-operator1', reason: PIN_REASON, pinnedVersion: 2 } });
      expect(run.stdout).toContain(PIN_REASON);
      expect(run.stdout).toContain('sp:ts-operator1');
    }
    expect(revision(await live())).toEqual(revision(before));
  });

  it('GIVEN the pin removed and an out-of-band edit on the gateway WHEN apply THEN it stops with 409 (exit 2) showing the live hash', async () => {
    await probe.deletePin(GATEWAY, sandbox);
    const fileLock = /policy_hash: ([0-9a-f]+)\n/.exec(await readFile(file, 'utf8'))?.[1];
    await target.editPolicyOutOfBand(sandbox, OUT_OF_BAND_POLICY);
    const edited = await live();
    expect(edited.version).toBe(3);

    const run = await cli.run(['apply', '--dir', 'policies'], token('operator'));
    expect(run.code).toBe(2);
    const [conflict] = run.report.targets;
    expect(conflict).toMatchObject({ status: 'conflict', conflict: { liveHash: edited.policy_hash, expectedHash: fileLock } });
    expect(run.stdout).toContain(edited.policy_hash);
    // The live-vs-file diff: the gateway's /srv is not in the file, the file's edits are not live.
    expect(run.stdout).toContain('- filesystem.read_only: /srv');
    expect(run.stdout).toContain('+ network_policies.anthropic');
    expect(revision(await live())).toEqual(revision(edited));
  });

  it('GIVEN every run of the story WHEN its output and reports are searched THEN no API key appears', () => {
    const printed = cli.transcript.join('\n');
    expect(printed).toContain(GATEWAY);
    for (const principal of ['admin', 'operator', 'operator2', 'viewer'] as const) expect(printed).not.toContain(token(principal));
  });
});
