/** The SDK against the emulator: approval workflows, policy pins (with expiry) and boot hooks. */
import { ValidationError, parseShoreGuardTime } from '../../../sdk';
import { BASE_POLICY, failure, policyYaml, seedSandboxWithPolicy, useSdkEmulator } from './harness';

const h = useSdkEmulator();
const GW = 'prod-gw';
const SB = 'agent-1';
const HOUR_MS = 3_600_000;

describe('approval workflows', () => {
  it('GIVEN no workflow WHEN get THEN null (the server sends {}), and decisions say no_workflow', async () => {
    const operator = h.client('operator');
    expect(await operator.workflows.get(GW, SB)).toBeNull();
    expect(await operator.workflows.decisions(GW, SB, 'policy.apply:0000000000000000')).toEqual({ status: 'no_workflow', votes: 0, needed: 0, decisions: [] });
  });

  it('GIVEN an admin WHEN put with every field THEN the server stores them under the real wire names (read back equal)', async () => {
    const admin = h.client('admin');
    const stored = await admin.workflows.put(GW, SB, { requiredApprovals: 3, requiredRoles: ['operator', 'admin'], distinctActors: false, escalationTimeoutMinutes: 90 });
    const expected = { gatewayName: GW, sandboxName: SB, requiredApprovals: 3, requiredRoles: ['admin', 'operator'], distinctActors: false, escalationTimeoutMinutes: 90, createdBy: 'sp:emulator-admin' };
    expect(stored).toMatchObject(expected);
    expect(await h.client('operator').workflows.get(GW, SB)).toMatchObject(expected);
  });

  it('GIVEN a workflow WHEN put again with one field THEN the others fall back to server defaults (a replace, not a patch)', async () => {
    const admin = h.client('admin');
    await admin.workflows.put(GW, SB, { requiredApprovals: 3, requiredRoles: ['admin'], escalationTimeoutMinutes: 5 });
    expect(await admin.workflows.put(GW, SB, { requiredApprovals: 4 })).toMatchObject({ requiredApprovals: 4, requiredRoles: [], distinctActors: true, escalationTimeoutMinutes: null });
  });

  it('GIVEN required approvals out of range WHEN put THEN validation (422) naming the field', async () => {
    const error = await failure(h.client('admin').workflows.put(GW, SB, { requiredApprovals: 0 }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.status).toBe(422);
    expect((error as ValidationError).issues[0]?.loc).toEqual(['body', 'required_approvals']);
  });

  it('GIVEN a viewer WHEN get the workflow THEN forbidden (403: reading needs operator); an operator cannot put (403)', async () => {
    expect(await failure(h.client('viewer').workflows.get(GW, SB))).toMatchObject({ code: 'forbidden', status: 403, detail: 'Requires operator role' });
    expect(await failure(h.client('operator').workflows.put(GW, SB, {}))).toMatchObject({ code: 'forbidden', status: 403, detail: 'Requires admin role' });
  });

  it('GIVEN a workflow WHEN delete twice THEN it is gone and the second delete is not_found (404)', async () => {
    const admin = h.client('admin');
    await admin.workflows.put(GW, SB, {});
    await admin.workflows.delete(GW, SB);
    expect(await admin.workflows.get(GW, SB)).toBeNull();
    expect(await failure(admin.workflows.delete(GW, SB))).toMatchObject({ code: 'not_found', status: 404, gateway: GW, sandbox: SB });
  });
});

describe('policy pins', () => {
  beforeEach(() => seedSandboxWithPolicy(h.emulator(), GW, SB));

  it('GIVEN an unpinned sandbox WHEN get THEN null; WHEN pin THEN the pin carries version, actor, reason and expiry', async () => {
    const operator = h.client('operator');
    expect(await operator.pins.get(GW, SB)).toBeNull();
    const expiresAt = new Date(h.serverClock.now().getTime() + HOUR_MS);
    const pin = await operator.pins.pin(GW, SB, { reason: 'release freeze', expiresAt });
    expect(pin).toMatchObject({ gatewayName: GW, sandboxName: SB, pinnedVersion: 1, pinnedBy: 'sp:emulator-operator', reason: 'release freeze' });
    expect(parseShoreGuardTime(pin.expiresAt ?? '')).toEqual(expiresAt);
    expect(await h.client('viewer').pins.get(GW, SB)).toEqual(pin);
  });

  it('GIVEN a pin expiring in one hour WHEN the server clock passes the expiry THEN get returns null and apply is no longer blocked (lazy expiry)', async () => {
    const operator = h.client('operator');
    await operator.pins.pin(GW, SB, { expiresAt: new Date(h.serverClock.now().getTime() + HOUR_MS) });
    h.serverClock.advance(HOUR_MS - 1_000);
    expect(await operator.pins.get(GW, SB)).not.toBeNull();
    expect((await operator.policies.apply(GW, SB, { yaml: policyYaml(BASE_POLICY), dryRun: true })).status).toBe('pinned');
    h.serverClock.advance(2_000);
    expect(await operator.pins.get(GW, SB)).toBeNull();
    expect((await operator.policies.apply(GW, SB, { yaml: policyYaml(BASE_POLICY), dryRun: true })).status).toBe('dry_run');
  });

  it('GIVEN a pin WHEN pinned again THEN it is replaced (upsert, no 409)', async () => {
    const operator = h.client('operator');
    await operator.pins.pin(GW, SB, { reason: 'first' });
    const second = await h.client('operator2').pins.pin(GW, SB, { reason: 'second' });
    expect(second).toMatchObject({ reason: 'second', pinnedBy: 'sp:emulator-operator-2', expiresAt: null });
  });

  it('GIVEN a pin WHEN unpin twice THEN true then false (the 404 is a value)', async () => {
    const operator = h.client('operator');
    await operator.pins.pin(GW, SB);
    expect(await operator.pins.unpin(GW, SB)).toBe(true);
    expect(await operator.pins.unpin(GW, SB)).toBe(false);
    expect(await operator.pins.get(GW, SB)).toBeNull();
  });

  it('GIVEN an unparseable expiry WHEN pin THEN a local ValidationError and nothing is sent (the server would 500)', async () => {
    const error = await failure(h.client('operator').pins.pin(GW, SB, { expiresAt: 'next tuesday' }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.status).toBeUndefined();
    expect(h.hits('POST', '/api/gateways/{gw}/sandboxes/{name}/policy/pin')).toBe(0);
  });

  it('GIVEN a viewer WHEN pin THEN forbidden (403)', async () => {
    expect(await failure(h.client('viewer').pins.pin(GW, SB))).toMatchObject({ code: 'forbidden', status: 403, gateway: GW, sandbox: SB });
  });

  it('GIVEN a disconnected gateway WHEN pin THEN server error 503 GATEWAY_NOT_CONNECTED with a gateway hint, sent once (a write)', async () => {
    h.emulator().state.setGatewayConnected(GW, false);
    const error = await failure(h.client('operator').pins.pin(GW, SB));
    expect(error).toMatchObject({ code: 'server', status: 503, serverCode: 'GATEWAY_NOT_CONNECTED', attempts: 1 });
    expect(error.hint).toMatch(/registered but not connected/);
    expect(h.hits('POST', '/api/gateways/{gw}/sandboxes/{name}/policy/pin')).toBe(1);
  });
});

describe('sandbox boot hooks', () => {
  it('GIVEN two hooks WHEN listed, read, updated and reordered THEN the server state follows each call', async () => {
    const admin = h.client('admin');
    const first = await admin.bootHooks.create(GW, SB, { name: 'warm-cache', phase: 'pre_create', command: 'make warm', env: { A: '1' }, timeoutSeconds: 60 });
    const second = await admin.bootHooks.create(GW, SB, { name: 'lint', phase: 'pre_create', command: 'make lint' });
    expect(first).toMatchObject({ gatewayName: GW, sandboxName: SB, name: 'warm-cache', env: { A: '1' }, timeoutSeconds: 60, enabled: true, continueOnFailure: false });
    expect((await admin.bootHooks.list(GW, SB)).map((hook) => hook.name)).toEqual(['warm-cache', 'lint']);
    expect(await h.client('viewer').bootHooks.get(GW, SB, second.id)).toMatchObject({ id: second.id, command: 'make lint' });

    expect(await admin.bootHooks.update(GW, SB, first.id, { enabled: false, command: 'make warm-all' })).toMatchObject({ enabled: false, command: 'make warm-all', timeoutSeconds: 60 });
    const reordered = await admin.bootHooks.reorder(GW, SB, 'pre_create', [second.id, first.id]);
    expect(reordered.map((hook) => [hook.name, hook.order])).toEqual([['lint', 0], ['warm-cache', 1]]);
    expect((await admin.bootHooks.list(GW, SB, { phase: 'pre_create' })).map((hook) => hook.name)).toEqual(['lint', 'warm-cache']);
    expect(await admin.bootHooks.list(GW, SB, { phase: 'post_create' })).toEqual([]);
  });

  it('GIVEN a hook WHEN an operator runs it THEN the result comes back and the hook records the run', async () => {
    const hook = await h.client('admin').bootHooks.create(GW, SB, { name: 'check', phase: 'pre_create', command: 'true' });
    const result = await h.client('operator').bootHooks.run(GW, SB, hook.id);
    expect(result).toMatchObject({ hookId: hook.id, name: 'check', phase: 'pre_create', status: 'success' });
    expect(await h.client('viewer').bootHooks.get(GW, SB, hook.id)).toMatchObject({ lastStatus: 'success' });
  });

  it('GIVEN a hook WHEN deleted THEN get is not_found (404) and a second delete too', async () => {
    const admin = h.client('admin');
    const hook = await admin.bootHooks.create(GW, SB, { name: 'check', phase: 'post_create', command: 'true' });
    await admin.bootHooks.delete(GW, SB, hook.id);
    expect(await failure(admin.bootHooks.get(GW, SB, hook.id))).toMatchObject({ code: 'not_found', status: 404 });
    expect(await failure(admin.bootHooks.delete(GW, SB, hook.id))).toMatchObject({ code: 'not_found', status: 404 });
  });

  it('GIVEN a hook name taken in the phase WHEN created again THEN validation (400, the server\'s duplicate rule)', async () => {
    const admin = h.client('admin');
    await admin.bootHooks.create(GW, SB, { name: 'check', phase: 'pre_create', command: 'true' });
    const error = await failure(admin.bootHooks.create(GW, SB, { name: 'check', phase: 'pre_create', command: 'false' }));
    expect(error).toMatchObject({ code: 'validation', status: 400 });
    expect(error.detail).toMatch(/already exists/);
  });

  it('GIVEN reorder ids that are not the phase set WHEN reorder THEN validation (400)', async () => {
    const admin = h.client('admin');
    const hook = await admin.bootHooks.create(GW, SB, { name: 'check', phase: 'pre_create', command: 'true' });
    expect(await failure(admin.bootHooks.reorder(GW, SB, 'pre_create', [hook.id, 999]))).toMatchObject({ code: 'validation', status: 400 });
  });

  it('GIVEN a timeout above 600 s WHEN create THEN validation (422) with the field in the issues', async () => {
    const error = await failure(h.client('admin').bootHooks.create(GW, SB, { name: 'x', phase: 'pre_create', command: 'true', timeoutSeconds: 601 }));
    expect(error.status).toBe(422);
    expect((error as ValidationError).issues.map((issue) => issue.loc.join('.'))).toEqual(['body.timeout_seconds']);
  });

  it('GIVEN an operator WHEN create a hook THEN forbidden (403: hook writes are admin only)', async () => {
    expect(await failure(h.client('operator').bootHooks.create(GW, SB, { name: 'x', phase: 'pre_create', command: 'true' }))).toMatchObject({ code: 'forbidden', status: 403 });
  });
});
