// Smoke test of the REAL ShoreGuard 0.40.0 (PyPI) driven over plain fetch, with the fake OpenShell
// gateway as its upstream: register → seed → export → dry-run → apply → stale apply → pin → 423.
// The first run builds the Debian sid root + venv (scripts/real-shoreguard/setup.sh, ~1 min).
import { z } from 'zod';
import { SEED_POLICY } from '../../conformance/cases/fixtures';
import { startFakeOpenShell, type FakeOpenShell } from '../../support/fake-openshell';
import { ensureRealShoreGuardBuilt, startRealShoreGuard, type Principal, type RealShoreGuard } from '../../support/real-shoreguard';

const BUILD_AND_START_TIMEOUT_MS = 15 * 60 * 1000;
jest.setTimeout(120_000);

const GATEWAY = 'fake-gw';
const SANDBOX = 'sb1';
const POLICY_PATH = `/api/gateways/${GATEWAY}/sandboxes/${SANDBOX}/policy`;

const ExportSchema = z.object({
  yaml: z.string(),
  gateway: z.string(),
  sandbox: z.string(),
  version: z.number(),
  policy_hash: z.string(),
});
const ApplySchema = z.object({
  status: z.string(),
  current_hash: z.string(),
  diff: z.object({ filesystem: z.record(z.string(), z.unknown()) }).passthrough(),
  applied_version: z.string().nullable(),
});
const ProblemSchema = z.object({ status: z.number(), title: z.string(), detail: z.string(), code: z.string() });

interface Reply {
  status: number;
  contentType: string;
  body: unknown;
}

describe('real ShoreGuard 0.40.0 with a fake OpenShell gateway', () => {
  let sg: RealShoreGuard | undefined;
  let fake: FakeOpenShell | undefined;

  const call = async (principal: Principal, method: string, path: string, body?: unknown): Promise<Reply> => {
    if (!sg) throw new Error('ShoreGuard did not start');
    const response = await fetch(`${sg.url}${path}`, {
      method,
      headers: sg.headers(principal),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      body: text ? JSON.parse(text) : undefined,
    };
  };
  const exportPolicy = async () => {
    const reply = await call('viewer', 'GET', `${POLICY_PATH}/export`);
    expect(reply.status).toBe(200);
    return ExportSchema.parse(reply.body);
  };

  beforeAll(async () => {
    // The fake gateway loads the protobuf descriptors that the build dumps, so build first.
    await ensureRealShoreGuardBuilt();
    fake = await startFakeOpenShell({ port: 0 });
    sg = await startRealShoreGuard();
  }, BUILD_AND_START_TIMEOUT_MS);

  afterAll(async () => {
    await sg?.stop();
    await fake?.close();
  });

  test('GIVEN the fake gateway on 127.0.0.1 WHEN an admin registers it THEN 201 with connected:true', async () => {
    const reply = await call('admin', 'POST', '/api/gateway/register', {
      name: GATEWAY,
      endpoint: fake?.endpoint,
      scheme: 'http',
      auth_mode: 'insecure',
    });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ name: GATEWAY, endpoint: fake?.endpoint, connected: true, status: 'connected' });
    expect(fake?.calls()).toContain('Health');
  });

  test('GIVEN a seeded sandbox WHEN a viewer exports its policy THEN the YAML carries revision 1 and the gateway hash', async () => {
    const seeded = fake?.seedSandbox(SANDBOX, SEED_POLICY);
    const exported = await exportPolicy();
    expect(exported).toMatchObject({ gateway: GATEWAY, sandbox: SANDBOX, version: 1, policy_hash: seeded?.policy_hash });
    expect(exported.yaml.startsWith('# managed-by: shoreguard-gitops\n')).toBe(true);
    expect(exported.yaml).toContain(`  policy_hash: ${seeded?.policy_hash}\n`);
    expect(exported.yaml).toContain('    - /etc\n');
  });

  test('GIVEN an edited export WHEN an operator dry-runs it THEN 200 dry_run with the diff and no write', async () => {
    const edited = (await exportPolicy()).yaml.replace('    - /etc\n', '    - /etc\n    - /var/lib\n');
    fake?.resetCalls();
    const reply = await call('operator', 'POST', `${POLICY_PATH}/apply`, { yaml: edited, dry_run: true });
    expect(reply.status).toBe(200);
    const body = ApplySchema.parse(reply.body);
    expect(body.status).toBe('dry_run');
    expect(body.applied_version).toBeNull();
    expect(body.diff.filesystem).toEqual({ read_only_added: ['/var/lib'] });
    expect(fake?.calls()).not.toContain('UpdateConfig');
    expect(fake?.getRevision(SANDBOX)?.version).toBe(1);
  });

  test('GIVEN an edited export WHEN an operator applies it THEN 200 applied and the gateway holds revision 2', async () => {
    const before = await exportPolicy();
    const edited = before.yaml.replace('    - /etc\n', '    - /etc\n    - /var/lib\n');
    const reply = await call('operator', 'POST', `${POLICY_PATH}/apply`, { yaml: edited });
    expect(reply.status).toBe(200);
    const body = ApplySchema.parse(reply.body);
    const live = fake?.getRevision(SANDBOX);
    expect(body).toMatchObject({ status: 'applied', current_hash: before.policy_hash, applied_version: live?.policy_hash });
    expect(live?.version).toBe(2);
    expect(fake?.getPolicy(SANDBOX)?.filesystem?.read_only).toEqual(['/usr', '/etc', '/var/lib']);

    const again = await call('operator', 'POST', `${POLICY_PATH}/apply`, { yaml: (await exportPolicy()).yaml });
    expect(ApplySchema.parse(again.body).status).toBe('up_to_date');
    expect(fake?.getRevision(SANDBOX)?.version).toBe(2);
  });

  test('GIVEN an out-of-band edit on the gateway WHEN the old export is applied THEN 409 version_mismatch', async () => {
    const stale = await exportPolicy();
    const outOfBand = fake?.editPolicyOutOfBand(SANDBOX, { ...SEED_POLICY, landlock: { compatibility: 'hard_requirement' } });
    const reply = await call('operator', 'POST', `${POLICY_PATH}/apply`, { yaml: stale.yaml.replace('    - /tmp\n', '') });
    expect(reply.status).toBe(409);
    expect(reply.contentType).toContain('application/json');
    expect(reply.body).toEqual({
      status: 'version_mismatch',
      current_hash: outOfBand?.policy_hash,
      expected_version: stale.policy_hash,
    });
  });

  test('GIVEN a pinned sandbox WHEN an operator applies (even dry-run) THEN 423 and the gateway is untouched', async () => {
    const pin = await call('operator', 'POST', `${POLICY_PATH}/pin`, { reason: 'release freeze' });
    expect(pin.status).toBe(200);
    const live = fake?.getRevision(SANDBOX);
    expect(pin.body).toMatchObject({ sandbox_name: SANDBOX, pinned_version: live?.version, pinned_by: 'sp:ts-operator1' });

    const current = await exportPolicy();
    const edited = current.yaml.replace('    - /tmp\n', '    - /tmp\n    - /scratch\n');
    for (const dryRun of [false, true]) {
      const reply = await call('operator', 'POST', `${POLICY_PATH}/apply`, { yaml: edited, dry_run: dryRun });
      expect(reply.status).toBe(423);
      expect(reply.contentType).toContain('application/problem+json');
      const problem = ProblemSchema.parse(reply.body);
      expect(problem.detail).toContain('pinned');
      expect(problem.code).toBe('INTERNAL_ERROR');
    }
    expect(fake?.getRevision(SANDBOX)).toEqual(live);
  });

  test('GIVEN a 2-approval workflow WHEN two operators post the same YAML THEN 202 vote_recorded, then 200 applied', async () => {
    expect((await call('operator', 'DELETE', `${POLICY_PATH}/pin`)).status).toBe(204);
    const workflowPath = `/api/gateways/${GATEWAY}/sandboxes/${SANDBOX}/approval-workflow`;
    expect((await call('operator', 'GET', workflowPath)).body).toEqual({});
    const put = await call('admin', 'PUT', workflowPath, { required_approvals: 2, distinct_actors: true });
    expect(put.status).toBe(200);

    const yaml = (await exportPolicy()).yaml.replace('    - /tmp\n', '    - /tmp\n    - /scratch\n');
    const before = fake?.getRevision(SANDBOX);
    const first = await call('operator', 'POST', `${POLICY_PATH}/apply`, { yaml });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ status: 'vote_recorded', votes_needed: 2, votes_cast: 1 });
    const again = await call('operator', 'POST', `${POLICY_PATH}/apply`, { yaml });
    expect(again.status).toBe(409);
    expect(fake?.getRevision(SANDBOX)).toEqual(before);

    const second = await call('operator2', 'POST', `${POLICY_PATH}/apply`, { yaml });
    expect(second.status).toBe(200);
    expect(ApplySchema.parse(second.body).status).toBe('applied');
    expect(fake?.getRevision(SANDBOX)?.version).toBe((before?.version ?? 0) + 1);
    expect(fake?.getPolicy(SANDBOX)?.filesystem?.read_write).toEqual(['/tmp', '/scratch']);
  });
});
