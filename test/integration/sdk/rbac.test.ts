/** The SDK against the emulator: users and RBAC groups with members and per-gateway roles. */
import { failure, useSdkEmulator } from './harness';

const h = useSdkEmulator();

describe('users', () => {
  it('GIVEN a fresh server WHEN users are listed THEN the bootstrap admin is there', async () => {
    const users = await h.client('admin').users.list();
    expect(users).toEqual([expect.objectContaining({ email: 'admin@localhost', role: 'admin' })]);
  });

  it('GIVEN an invited user WHEN findByEmail with different case and spaces THEN the user is found; an unknown email gives null', async () => {
    const admin = h.client('admin');
    const created = await admin.users.create({ email: 'Alice@Example.com', role: 'operator' });
    expect(created).toMatchObject({ email: 'alice@example.com', role: 'operator' });
    expect(created.inviteToken).toEqual(expect.any(String));
    expect(await admin.users.findByEmail('  ALICE@example.COM ')).toMatchObject({ id: created.id, email: 'alice@example.com', role: 'operator' });
    expect(await admin.users.findByEmail('bob@example.com')).toBeNull();
  });

  it('GIVEN an existing email WHEN create again THEN conflict (409)', async () => {
    const admin = h.client('admin');
    await admin.users.create({ email: 'alice@example.com' });
    expect(await failure(admin.users.create({ email: 'alice@example.com' }))).toMatchObject({ code: 'conflict', status: 409 });
  });

  it('GIVEN a malformed email WHEN create THEN validation (400)', async () => {
    expect(await failure(h.client('admin').users.create({ email: 'not-an-email' }))).toMatchObject({ code: 'validation', status: 400 });
  });

  it('GIVEN a user WHEN delete twice THEN the second is not_found (404)', async () => {
    const admin = h.client('admin');
    const created = await admin.users.create({ email: 'alice@example.com' });
    await admin.users.delete(created.id);
    expect(await admin.users.findByEmail('alice@example.com')).toBeNull();
    expect(await failure(admin.users.delete(created.id))).toMatchObject({ code: 'not_found', status: 404 });
  });

  it('GIVEN an operator key WHEN users are listed THEN forbidden (403): user management is admin only', async () => {
    expect(await failure(h.client('operator').users.list())).toMatchObject({ code: 'forbidden', status: 403, detail: 'Requires admin role' });
  });
});

describe('groups, members and per-gateway roles', () => {
  it('GIVEN a group WHEN members are added and removed THEN get shows them and counts follow', async () => {
    const admin = h.client('admin');
    const group = await admin.groups.create({ name: 'sre', role: 'viewer', description: 'Site reliability' });
    expect(group).toMatchObject({ name: 'sre', role: 'viewer', description: 'Site reliability', memberCount: 0 });
    const alice = await admin.users.create({ email: 'alice@example.com' });
    const bob = await admin.users.create({ email: 'bob@example.com' });

    expect(await admin.groups.addMember(group.id, bob.id)).toMatchObject({ groupId: group.id, groupName: 'sre', userId: bob.id, userEmail: 'bob@example.com' });
    await admin.groups.addMember(group.id, alice.id);
    const withMembers = await admin.groups.get(group.id);
    expect(withMembers.members.map((m) => m.email)).toEqual(['alice@example.com', 'bob@example.com']);
    expect((await admin.groups.list()).find((g) => g.id === group.id)?.memberCount).toBe(2);

    await admin.groups.removeMember(group.id, bob.id);
    expect((await admin.groups.get(group.id)).members.map((m) => m.email)).toEqual(['alice@example.com']);
    expect(await failure(admin.groups.removeMember(group.id, bob.id))).toMatchObject({ code: 'not_found', status: 404 });
  });

  it('GIVEN a member already in the group WHEN added again THEN conflict (409); an unknown user is not_found (404)', async () => {
    const admin = h.client('admin');
    const group = await admin.groups.create({ name: 'sre' });
    const alice = await admin.users.create({ email: 'alice@example.com' });
    await admin.groups.addMember(group.id, alice.id);
    expect(await failure(admin.groups.addMember(group.id, alice.id))).toMatchObject({ code: 'conflict', status: 409 });
    expect(await failure(admin.groups.addMember(group.id, 9999))).toMatchObject({ code: 'not_found', status: 404 });
  });

  it('GIVEN a group with a description WHEN update changes only the role THEN the description survives (PUT trap 13)', async () => {
    const admin = h.client('admin');
    const group = await admin.groups.create({ name: 'sre', description: 'keep me' });
    expect(await admin.groups.update(group.id, { role: 'operator' })).toMatchObject({ role: 'operator', description: 'keep me' });
    expect(await admin.groups.update(group.id, { description: null })).toMatchObject({ description: null });
  });

  it('GIVEN a taken group name WHEN create or rename THEN conflict (409)', async () => {
    const admin = h.client('admin');
    await admin.groups.create({ name: 'sre' });
    const other = await admin.groups.create({ name: 'dev' });
    expect(await failure(admin.groups.create({ name: 'sre' }))).toMatchObject({ code: 'conflict', status: 409 });
    expect(await failure(admin.groups.update(other.id, { name: 'sre' }))).toMatchObject({ code: 'conflict', status: 409 });
  });

  it('GIVEN a registered gateway WHEN a group role is set, upserted and removed THEN listGatewayRoles follows', async () => {
    const admin = h.client('admin');
    await admin.gateways.register({ name: 'prod-gw', endpoint: '127.0.0.1:50051' });
    const group = await admin.groups.create({ name: 'sre' });
    expect(await admin.groups.setGatewayRole(group.id, 'prod-gw', 'viewer')).toMatchObject({ gatewayName: 'prod-gw', role: 'viewer', groupId: group.id });
    await admin.groups.setGatewayRole(group.id, 'prod-gw', 'operator');
    expect(await admin.groups.listGatewayRoles(group.id)).toEqual([expect.objectContaining({ gatewayName: 'prod-gw', role: 'operator' })]);
    await admin.groups.removeGatewayRole(group.id, 'prod-gw');
    expect(await admin.groups.listGatewayRoles(group.id)).toEqual([]);
    expect(await failure(admin.groups.removeGatewayRole(group.id, 'prod-gw'))).toMatchObject({ code: 'not_found', status: 404 });
  });

  it('GIVEN an unregistered gateway WHEN a group role is set THEN not_found (404)', async () => {
    const admin = h.client('admin');
    const group = await admin.groups.create({ name: 'sre' });
    const error = await failure(admin.groups.setGatewayRole(group.id, 'ghost-gw', 'operator'));
    expect(error).toMatchObject({ code: 'not_found', status: 404, gateway: 'ghost-gw' });
  });

  it('GIVEN a group WHEN deleted THEN get is not_found (404) and its gateway roles list is empty', async () => {
    const admin = h.client('admin');
    await admin.gateways.register({ name: 'prod-gw', endpoint: '127.0.0.1:50051' });
    const group = await admin.groups.create({ name: 'sre' });
    await admin.groups.setGatewayRole(group.id, 'prod-gw', 'operator');
    await admin.groups.delete(group.id);
    expect(await failure(admin.groups.get(group.id))).toMatchObject({ code: 'not_found', status: 404 });
    expect(await admin.groups.listGatewayRoles(group.id)).toEqual([]);
    expect(await failure(admin.groups.delete(group.id))).toMatchObject({ code: 'not_found', status: 404 });
  });

  it('GIVEN an invalid role WHEN a group is created THEN validation (400)', async () => {
    const error = await failure(h.client('admin').groups.create({ name: 'x', role: 'superuser' as 'admin' }));
    expect(error).toMatchObject({ code: 'validation', status: 400 });
    expect(error.detail).toMatch(/Invalid role/);
  });
});
