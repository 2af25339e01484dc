/**
 * Every resource handler's CRUD against the emulator, including the failures a plan meets in real
 * life: objects that already exist (adopt or a clear error), missing permissions (403), lost
 * responses and 5xx (retried reads, settled writes), objects deleted behind the provider's back
 * (read → null) and the pin expiry rules.
 */
import { isShoreGuardError } from '../../../sdk';
import { type Attributes, type ResourceHandler, isResourceError, lookups, resourceHandler } from '../../../provider/resources';
import { type ProviderHarness, manualClock, startProviderHarness } from '../../support/pulumi/emulator';

function checked(handler: ResourceHandler, raw: Attributes, prior?: Attributes): Attributes {
  const result = handler.check(raw, prior);
  if (!result.ok) throw new Error(`inputs rejected: ${JSON.stringify(result.problems)}`);
  return result.inputs;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUfake\n-----END CERTIFICATE-----\n';

const gateway = resourceHandler('shoreguard_gateway');
const group = resourceHandler('shoreguard_group');
const membership = resourceHandler('shoreguard_group_membership');
const gatewayRole = resourceHandler('shoreguard_group_gateway_role');
const workflow = resourceHandler('shoreguard_approval_workflow');
const pin = resourceHandler('shoreguard_policy_pin');
const hook = resourceHandler('shoreguard_sandbox_boot_hook');

let h: ProviderHarness;
beforeEach(async () => {
  h = await startProviderHarness();
});
afterEach(async () => {
  await h.close();
});

describe('gateway', () => {
  const inputs = { name: 'edge-1', endpoint: '10.0.0.5:8443', description: 'first', labels: { env: 'prod' }, ca_cert: PEM };

  it('GIVEN a new gateway WHEN created, read, updated and deleted THEN each step reflects ShoreGuard', async () => {
    const created = await gateway.create(h.ctx, checked(gateway, inputs));
    expect(created).toMatchObject({ id: 'edge-1', endpoint: '10.0.0.5:8443', has_ca_cert: true, has_client_cert: false, ca_cert: PEM, connected: true, status: 'connected' });
    expect(typeof created.registered_at).toBe('string');

    const read = await gateway.read(h.ctx, 'edge-1', created);
    // last_seen/last_status move with ShoreGuard's health monitor; everything else reads back as created.
    const { last_seen: _seen, last_status: _status, ...stable } = created;
    expect(read).toMatchObject(stable);
    expect(gateway.diff(read!, checked(gateway, inputs)).changed).toEqual([]);

    const updated = await gateway.update(h.ctx, 'edge-1', created, checked(gateway, { ...inputs, description: 'second', labels: null }));
    expect(updated).toMatchObject({ description: 'second', labels: null });
    expect((await h.admin.gateways.findByName('edge-1'))?.labels).toEqual({});

    await gateway.delete(h.ctx, 'edge-1', updated);
    expect(await gateway.read(h.ctx, 'edge-1', updated)).toBeNull();
    await expect(gateway.delete(h.ctx, 'edge-1', updated)).resolves.toBeUndefined();
  });

  it('GIVEN a registered gateway WHEN created without adopt THEN the error names it and tells how to adopt', async () => {
    h.emulator.state.registerGateway({ name: 'edge-1', endpoint: '10.0.0.5:8443' });
    const error = await rejection(gateway.create(h.ctx, checked(gateway, inputs)));
    expect(isResourceError(error) && error.code).toBe('already_exists');
    expect(error.message).toMatch(/gateway 'edge-1' is already registered \(endpoint 10\.0\.0\.5:8443, registered at .*status connected\)\. Set adopt: true/);
  });

  it('GIVEN a registered gateway WHEN created with adopt THEN it is taken over and its description/labels are reconciled', async () => {
    h.emulator.state.registerGateway({ name: 'edge-1', endpoint: '10.0.0.5:8443', description: 'hand-made' });
    const adopted = await gateway.create(h.ctx, checked(gateway, { ...inputs, ca_cert: null }), { adopt: true });
    expect(adopted).toMatchObject({ id: 'edge-1', description: 'first', labels: { env: 'prod' } });
    expect((await h.admin.gateways.findByName('edge-1'))?.description).toBe('first');
  });

  it('GIVEN a registered gateway with another endpoint WHEN adopted THEN it refuses and names the fixed field', async () => {
    h.emulator.state.registerGateway({ name: 'edge-1', endpoint: '10.9.9.9:1' });
    const error = await rejection(gateway.create(h.ctx, checked(gateway, inputs), { adopt: true }));
    expect(isResourceError(error) && error.code).toBe('adopt_mismatch');
    expect(error.message).toContain('endpoint is 10.9.9.9:1, the inputs say 10.0.0.5:8443');
    expect(error.message).toContain('ca_cert is not stored in ShoreGuard but given in the inputs');
  });

  it('GIVEN a viewer key WHEN creating a gateway THEN the 403 surfaces with the role it needs', async () => {
    const ctx = { client: h.clientFor(h.emulator.keys.viewer) };
    const error = await rejection(gateway.create(ctx, checked(gateway, inputs)));
    expect(isShoreGuardError(error) && error.code).toBe('forbidden');
    expect(error.message).toMatch(/403.*admin/);
  });

  it('GIVEN the registration response is lost WHEN creating THEN the provider reads back and reports the gateway created', async () => {
    h.emulator.faults.inject({ kind: 'lose-response', count: 1, match: { method: 'POST', path: '/api/gateway/register' } });
    const created = await gateway.create(h.ctx, checked(gateway, inputs));
    expect(created.id).toBe('edge-1');
    expect(h.emulator.state.gateways.has('edge-1')).toBe(true);
  });

  it('GIVEN the registration fails with 500 before anything is stored WHEN creating THEN the 5xx is reported, not hidden', async () => {
    h.emulator.faults.inject({ kind: 'status', status: 500, count: 1, match: { method: 'POST', path: '/api/gateway/register' } });
    const error = await rejection(gateway.create(h.ctx, checked(gateway, inputs)));
    expect(isShoreGuardError(error) && error.code).toBe('server');
    expect(h.emulator.state.gateways.has('edge-1')).toBe(false);
  });

  it('GIVEN a 429 with Retry-After on the registration WHEN creating THEN the write is retried (the server refused it before acting) and succeeds', async () => {
    h.emulator.faults.inject({ kind: 'status', status: 429, count: 1, retryAfterSeconds: 1, match: { method: 'POST', path: '/api/gateway/register' } });
    const created = await gateway.create(h.ctx, checked(gateway, inputs));
    expect(created.id).toBe('edge-1');
    expect(h.emulator.stats().byRoute['POST /api/gateway/register']).toBe(2);
  });

  it('GIVEN two 503s on the list WHEN reading THEN the retried read succeeds', async () => {
    const created = await gateway.create(h.ctx, checked(gateway, inputs));
    h.emulator.faults.inject({ kind: 'status', status: 503, count: 2, match: { method: 'GET', path: '/api/gateway/list' } });
    expect(await gateway.read(h.ctx, 'edge-1', created)).toMatchObject({ id: 'edge-1' });
    expect(h.emulator.faults.list()).toEqual([]);
  });

  it('GIVEN the gateway was re-registered without its certificate WHEN read THEN the certificate shows as drift', async () => {
    const created = await gateway.create(h.ctx, checked(gateway, inputs));
    h.emulator.state.unregisterGateway('edge-1');
    h.emulator.state.registerGateway({ name: 'edge-1', endpoint: '10.0.0.5:8443', description: 'first', labels: { env: 'prod' } });
    const read = await gateway.read(h.ctx, 'edge-1', created);
    expect(read).toMatchObject({ ca_cert: null, has_ca_cert: false });
    expect(gateway.diff(read!, checked(gateway, inputs))).toEqual({ changed: ['ca_cert'], replaces: ['ca_cert'], deleteBeforeReplace: true });
  });
});

describe('group, membership and gateway role', () => {
  it('GIVEN a group WHEN created, renamed, re-roled and deleted THEN ShoreGuard follows, keeping the description', async () => {
    const created = await group.create(h.ctx, checked(group, { name: 'sre', role: 'operator', description: 'on call' }));
    expect(created).toMatchObject({ name: 'sre', role: 'operator', description: 'on call' });
    expect(created.id).toMatch(/^[0-9]+$/);
    const updated = await group.update(h.ctx, created.id, created, checked(group, { name: 'sre-team', role: 'admin', description: 'on call' }));
    expect(updated).toMatchObject({ id: created.id, name: 'sre-team', role: 'admin', description: 'on call' });
    expect(await group.importState(h.ctx, 'sre-team')).toMatchObject({ id: created.id });
    await group.delete(h.ctx, created.id, updated);
    expect(await group.read(h.ctx, created.id, updated)).toBeNull();
  });

  it('GIVEN a group name in use WHEN created without adopt THEN the error names its id; with adopt it is reconciled', async () => {
    const existing = await h.admin.groups.create({ name: 'sre', role: 'viewer' });
    const error = await rejection(group.create(h.ctx, checked(group, { name: 'sre', role: 'operator' })));
    expect(error.message).toContain(`group 'sre' already exists (id ${existing.id}, role viewer)`);
    const adopted = await group.create(h.ctx, checked(group, { name: 'sre', role: 'operator' }), { adopt: true });
    expect(adopted).toMatchObject({ id: String(existing.id), role: 'operator' });
  });

  it('GIVEN a user WHEN added to a group twice THEN the second create names the member, and adopt takes it over', async () => {
    const user = h.emulator.state.addUser('alice@example.com');
    const sre = await group.create(h.ctx, checked(group, { name: 'sre' }));
    const inputs = checked(membership, { group_id: sre.id, user_id: String(user.id) });
    const created = await membership.create(h.ctx, inputs);
    expect(created).toEqual({ id: `${sre.id}/${user.id}`, group_id: sre.id, user_id: String(user.id), user_email: 'alice@example.com', group_name: 'sre' });
    const error = await rejection(membership.create(h.ctx, inputs));
    expect(error.message).toContain('user alice@example.com is already a member of group sre');
    expect(await membership.create(h.ctx, inputs, { adopt: true })).toEqual(created);
    await membership.delete(h.ctx, created.id, created);
    expect(await membership.read(h.ctx, created.id, created)).toBeNull();
  });

  it('GIVEN the group is deleted behind the provider WHEN the membership is read THEN it is gone', async () => {
    const user = h.emulator.state.addUser('bob@example.com');
    const sre = await group.create(h.ctx, checked(group, { name: 'sre' }));
    const created = await membership.create(h.ctx, checked(membership, { group_id: sre.id, user_id: String(user.id) }));
    await h.admin.groups.delete(Number(sre.id));
    expect(await membership.read(h.ctx, created.id, created)).toBeNull();
  });

  it('GIVEN a group role on a gateway WHEN created, changed and deleted THEN the binding follows; a second create is refused', async () => {
    h.emulator.state.registerGateway({ name: 'gw' });
    const sre = await group.create(h.ctx, checked(group, { name: 'sre' }));
    const created = await gatewayRole.create(h.ctx, checked(gatewayRole, { group_id: sre.id, gateway: 'gw', role: 'viewer' }));
    expect(created).toEqual({ id: `${sre.id}/gw`, group_id: sre.id, gateway: 'gw', role: 'viewer' });
    const again = await rejection(gatewayRole.create(h.ctx, checked(gatewayRole, { group_id: sre.id, gateway: 'gw', role: 'admin' })));
    expect(again.message).toContain(`group ${sre.id} already has role viewer on gateway 'gw'`);
    const updated = await gatewayRole.update(h.ctx, created.id, created, checked(gatewayRole, { group_id: sre.id, gateway: 'gw', role: 'operator' }));
    expect(updated.role).toBe('operator');
    expect(await gatewayRole.read(h.ctx, created.id, updated)).toEqual(updated);
    await gatewayRole.delete(h.ctx, created.id, updated);
    expect(await gatewayRole.read(h.ctx, created.id, updated)).toBeNull();
  });

  it('GIVEN an unregistered gateway WHEN binding a group role THEN the 404 names the gateway', async () => {
    const sre = await group.create(h.ctx, checked(group, { name: 'sre' }));
    const error = await rejection(gatewayRole.create(h.ctx, checked(gatewayRole, { group_id: sre.id, gateway: 'nowhere', role: 'viewer' })));
    expect(isShoreGuardError(error) && error.code).toBe('not_found');
    expect(error.message).toContain("Gateway 'nowhere' not found");
  });
});

describe('approval workflow', () => {
  const inputs = { gateway: 'gw', sandbox_name: 'agent-1', required_approvals: 2, required_roles: ['operator', 'admin'], escalation_timeout_minutes: 60 };

  it('GIVEN a workflow WHEN created, read, updated and deleted THEN ShoreGuard stores the real field names, roles sorted', async () => {
    const created = await workflow.create(h.ctx, checked(workflow, inputs));
    expect(created).toMatchObject({ id: 'gw/agent-1', required_approvals: 2, required_roles: ['admin', 'operator'], distinct_actors: true, escalation_timeout_minutes: 60, created_by: 'sp:emulator-admin' });
    const read = await workflow.read(h.ctx, 'gw/agent-1', created);
    expect(workflow.diff(read!, checked(workflow, inputs)).changed).toEqual([]);
    const updated = await workflow.update(h.ctx, 'gw/agent-1', created, checked(workflow, { ...inputs, required_approvals: 3, escalation_timeout_minutes: null }));
    expect(updated).toMatchObject({ required_approvals: 3, escalation_timeout_minutes: null });
    await workflow.delete(h.ctx, 'gw/agent-1', updated);
    expect(await workflow.read(h.ctx, 'gw/agent-1', updated)).toBeNull();
  });

  it('GIVEN an existing workflow WHEN created without adopt THEN the error names who created it', async () => {
    await h.admin.workflows.put('gw', 'agent-1', { requiredApprovals: 5 });
    const error = await rejection(workflow.create(h.ctx, checked(workflow, inputs)));
    expect(error.message).toMatch(/sandbox 'agent-1' on gateway 'gw' already has an approval workflow \(5 approvals, created by sp:emulator-admin at .+\)/);
    expect((await workflow.create(h.ctx, checked(workflow, inputs), { adopt: true })).required_approvals).toBe(2);
  });

  it('GIVEN an operator key WHEN creating a workflow THEN the 403 says admin is needed', async () => {
    const error = await rejection(workflow.create({ client: h.clientFor(h.emulator.keys.operator) }, checked(workflow, inputs), { adopt: true }));
    expect(isShoreGuardError(error) && error.code).toBe('forbidden');
    expect(error.message).toMatch(/admin/);
  });

  it('GIVEN a malformed id WHEN importing THEN the accepted shape is shown', async () => {
    const error = await rejection(workflow.importState(h.ctx, 'just-a-gateway'));
    expect(isResourceError(error) && error.code).toBe('invalid_import_id');
    expect(error.message).toContain('<gateway>/<sandbox_name>');
  });
});

describe('policy pin', () => {
  const future = () => new Date(Date.now() + 3_600_000).toISOString();

  function seed(): void {
    h.emulator.state.registerGateway({ name: 'gw' });
    h.emulator.state.seedSandbox('gw', 'agent-1', { filesystem: { read_only: ['/usr'] } });
  }

  it('GIVEN a sandbox WHEN pinned, re-reasoned and unpinned THEN ShoreGuard follows and pinned_version is the active revision', async () => {
    seed();
    const expiresAt = future();
    const created = await pin.create(h.ctx, checked(pin, { gateway: 'gw', sandbox_name: 'agent-1', reason: 'release freeze', expires_at: expiresAt }));
    expect(created).toMatchObject({ id: 'gw/agent-1', reason: 'release freeze', expires_at: expiresAt, pinned_version: 1, pinned_by: 'sp:emulator-admin' });
    const read = await pin.read(h.ctx, 'gw/agent-1', created);
    expect(read).toEqual(created);

    h.emulator.state.editPolicyOutOfBand('gw', 'agent-1', { filesystem: { read_only: ['/usr', '/opt'] } });
    const prior = { gateway: 'gw', sandbox_name: 'agent-1', reason: 'release freeze', expires_at: expiresAt };
    const updated = await pin.update(h.ctx, 'gw/agent-1', created, checked(pin, { ...prior, reason: 'extended' }, prior));
    // POST re-reads the active version: the pin moves to the current revision.
    expect(updated).toMatchObject({ reason: 'extended', pinned_version: 2 });

    await pin.delete(h.ctx, 'gw/agent-1', updated);
    expect(await h.admin.pins.get('gw', 'agent-1')).toBeNull();
    await expect(pin.delete(h.ctx, 'gw/agent-1', updated)).resolves.toBeUndefined();
  });

  it('GIVEN a pin set by a person WHEN created without adopt THEN the error names who, when, why and until when', async () => {
    seed();
    h.emulator.state.setPin('gw', 'agent-1', { pinnedBy: 'alice@example.com', reason: 'incident 42', expiresAt: '2099-01-01T00:00:00+00:00' });
    const error = await rejection(pin.create(h.ctx, checked(pin, { gateway: 'gw', sandbox_name: 'agent-1', reason: 'mine' })));
    expect(isResourceError(error) && error.code).toBe('already_exists');
    expect(error.message).toMatch(/already pinned at version 1 by alice@example\.com at .+, reason: "incident 42", expires 2099-01-01T00:00:00/);
    const adopted = await pin.create(h.ctx, checked(pin, { gateway: 'gw', sandbox_name: 'agent-1', reason: 'mine' }), { adopt: true });
    expect(adopted).toMatchObject({ pinned_by: 'sp:emulator-admin', reason: 'mine', expires_at: null });
  });

  it('GIVEN the gateway is disconnected WHEN pinning THEN the 503 says the gateway is not connected', async () => {
    seed();
    h.emulator.state.setGatewayConnected('gw', false);
    const error = await rejection(pin.create(h.ctx, checked(pin, { gateway: 'gw', sandbox_name: 'agent-1' })));
    expect(isShoreGuardError(error) && error.serverCode).toBe('GATEWAY_NOT_CONNECTED');
  });

  it('GIVEN someone unpinned before the declared expiry WHEN read THEN the pin is gone (the next apply pins again)', async () => {
    seed();
    const created = await pin.create(h.ctx, checked(pin, { gateway: 'gw', sandbox_name: 'agent-1', expires_at: future() }));
    await h.admin.pins.unpin('gw', 'agent-1');
    expect(await pin.read(h.ctx, 'gw/agent-1', created)).toBeNull();
  });

  it('GIVEN a pin with no expiry was removed WHEN read THEN it is gone', async () => {
    seed();
    const created = await pin.create(h.ctx, checked(pin, { gateway: 'gw', sandbox_name: 'agent-1' }));
    await h.admin.pins.unpin('gw', 'agent-1');
    expect(await pin.read(h.ctx, 'gw/agent-1', created)).toBeNull();
  });
});

describe('policy pin expiry (shared clock)', () => {
  it('GIVEN the declared expiry has passed WHEN read THEN state is kept unchanged, diff is empty and nothing is re-created', async () => {
    await h.close();
    const clock = manualClock();
    h = await startProviderHarness({ now: clock.now });
    h.emulator.state.registerGateway({ name: 'gw' });
    h.emulator.state.seedSandbox('gw', 'agent-1', { filesystem: { read_only: ['/usr'] } });
    const declared = { gateway: 'gw', sandbox_name: 'agent-1', reason: 'freeze', expires_at: new Date(clock.now().getTime() + 60_000).toISOString() };
    const created = await pin.create(h.ctx, checked(pin, declared));

    clock.advance(120_000);
    expect(await h.admin.pins.get('gw', 'agent-1')).toBeNull();
    const read = await pin.read(h.ctx, 'gw/agent-1', created);
    expect(read).toEqual(created);
    expect(pin.diff(read!, checked(pin, declared, declared)).changed).toEqual([]);
    const requests = h.emulator.stats().requests;
    expect(await pin.read(h.ctx, 'gw/agent-1', read!)).toEqual(created);
    expect(h.emulator.stats().byRoute['POST /api/gateways/{gw}/sandboxes/{name}/policy/pin']).toBe(1);
    expect(h.emulator.stats().requests).toBe(requests + 1);
  });
});

describe('sandbox boot hook', () => {
  const inputs = { gateway: 'gw', sandbox_name: 'agent-1', name: 'warm-cache', phase: 'pre_create', command: 'make warm', env: { A: '1' } };

  it('GIVEN a hook WHEN created, read, updated and deleted THEN ShoreGuard follows and the id carries gateway/sandbox/id', async () => {
    const created = await hook.create(h.ctx, checked(hook, inputs));
    expect(created).toMatchObject({ gateway: 'gw', sandbox_name: 'agent-1', name: 'warm-cache', workdir: '', env: { A: '1' }, timeout_seconds: 30, enabled: true, continue_on_failure: false });
    expect(created.id).toMatch(/^gw\/agent-1\/[0-9]+$/);
    expect(hook.diff((await hook.read(h.ctx, created.id, created))!, checked(hook, inputs)).changed).toEqual([]);
    const updated = await hook.update(h.ctx, created.id, created, checked(hook, { ...inputs, command: 'make warm-all', timeout_seconds: 90, enabled: false }));
    expect(updated).toMatchObject({ command: 'make warm-all', timeout_seconds: 90, enabled: false });
    expect(await hook.importState(h.ctx, 'gw/agent-1/pre_create/warm-cache')).toMatchObject({ id: created.id, command: 'make warm-all' });
    await hook.delete(h.ctx, created.id, updated);
    expect(await hook.read(h.ctx, created.id, updated)).toBeNull();
  });

  it('GIVEN a hook with the same name WHEN created without adopt THEN the 400 becomes a clear already-exists error; adopt updates it', async () => {
    const existing = await h.admin.bootHooks.create('gw', 'agent-1', { name: 'warm-cache', phase: 'pre_create', command: 'old' });
    const error = await rejection(hook.create(h.ctx, checked(hook, inputs)));
    expect(error.message).toContain(`already has a pre_create hook named 'warm-cache' (id ${existing.id}, created by sp:emulator-admin)`);
    const adopted = await hook.create(h.ctx, checked(hook, inputs), { adopt: true });
    expect(adopted).toMatchObject({ id: `gw/agent-1/${existing.id}`, command: 'make warm' });
  });

  it('GIVEN a malformed import id WHEN importing THEN both accepted shapes are shown', async () => {
    const error = await rejection(hook.importState(h.ctx, 'gw/agent-1'));
    expect(error.message).toContain('<gateway>/<sandbox_name>/<hook id>');
    expect(error.message).toContain('<gateway>/<sandbox_name>/<phase>/<name>');
  });
});

describe('lookups', () => {
  it('GIVEN a user WHEN looked up by e-mail in another case THEN its id and role come back; an unknown address fails clearly', async () => {
    const user = h.emulator.state.addUser('carol@example.com', 'operator');
    const query = lookups['shoreguard_user']!.check({ email: 'Carol@Example.com' });
    if (!query.ok) throw new Error('query rejected');
    expect(await lookups['shoreguard_user']!.lookup(h.ctx, query.inputs)).toMatchObject({ id: String(user.id), email: 'carol@example.com', role: 'operator', is_active: true });
    const missing = lookups['shoreguard_user']!.check({ email: 'nobody@example.com' });
    if (!missing.ok) throw new Error('query rejected');
    await expect(lookups['shoreguard_user']!.lookup(h.ctx, missing.inputs)).rejects.toThrow('no ShoreGuard user has the e-mail address nobody@example.com');
  });

  it('GIVEN a registered gateway WHEN looked up by name THEN its attributes come back without certificates', async () => {
    h.emulator.state.registerGateway({ name: 'gw', labels: { env: 'dev' } });
    const query = lookups['shoreguard_gateway']!.check({ name: 'gw' });
    if (!query.ok) throw new Error('query rejected');
    const found = await lookups['shoreguard_gateway']!.lookup(h.ctx, query.inputs);
    expect(found).toMatchObject({ id: 'gw', name: 'gw', labels: { env: 'dev' }, connected: true });
    expect(Object.keys(found)).not.toContain('ca_cert');
  });
});
