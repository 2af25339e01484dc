import { JSON_HEADERS, PROBLEM_HEADERS, harness, problem } from './helpers';

const wireUser = (id: number, email: string) => ({
  id,
  email,
  role: 'viewer',
  is_active: true,
  pending_invite: false,
  created_at: '2026-04-20T12:00:00',
  oidc_provider: null,
});
const wireGroup = (overrides: Record<string, unknown> = {}) => ({
  id: 7,
  name: 'sre',
  role: 'operator',
  description: 'on-call',
  created_at: '2026-04-20T12:00:00',
  member_count: null,
  ...overrides,
});
const ok = { ok: true };

describe('client.users', () => {
  test('GIVEN users WHEN listing THEN they are mapped to camelCase', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/auth/users', method: 'GET' }).reply(200, [wireUser(1, 'a@example.com')], { headers: JSON_HEADERS });
    await expect(h.client.users.list()).resolves.toEqual([
      { id: 1, email: 'a@example.com', role: 'viewer', isActive: true, pendingInvite: false, createdAt: '2026-04-20T12:00:00', oidcProvider: null },
    ]);
  });

  test('GIVEN a mixed-case email WHEN finding THEN the compare is case-insensitive', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/auth/users', method: 'GET' }).reply(200, [wireUser(1, 'a@example.com'), wireUser(2, 'bob@example.com')], { headers: JSON_HEADERS }).times(2);
    expect((await h.client.users.findByEmail(' Bob@Example.COM '))?.id).toBe(2);
    expect(await h.client.users.findByEmail('carol@example.com')).toBeNull();
  });

  test('GIVEN an email and role WHEN creating THEN POST sends them and the invite token comes back', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/auth/users', method: 'POST' }).reply(201, { id: 3, email: 'c@example.com', role: 'operator', created_at: '2026-04-20T12:00:00+00:00', invite_token: 'inv-1' }, { headers: JSON_HEADERS });
    await expect(h.client.users.create({ email: 'c@example.com', role: 'operator' })).resolves.toMatchObject({ id: 3, inviteToken: 'inv-1' });
    expect(h.bodyOf(0)).toEqual({ email: 'c@example.com', role: 'operator' });
  });

  test('GIVEN a user id WHEN deleting THEN DELETE /api/auth/users/{id} is called', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/auth/users/3', method: 'DELETE' }).reply(200, ok, { headers: JSON_HEADERS });
    await expect(h.client.users.delete(3)).resolves.toBeUndefined();
    expect(h.calls()).toHaveLength(1);
  });
});

describe('client.servicePrincipals', () => {
  const wireSp = { id: 4, name: 'ci', role: 'operator', key_prefix: 'sg_abcdefghi', created_at: '2026-04-20T12:00:00', created_by: null, last_used: null, expires_at: null };

  test('GIVEN principals WHEN listing THEN they are mapped', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/auth/service-principals', method: 'GET' }).reply(200, [wireSp], { headers: JSON_HEADERS });
    await expect(h.client.servicePrincipals.list()).resolves.toEqual([
      { id: 4, name: 'ci', role: 'operator', keyPrefix: 'sg_abcdefghi', createdAt: '2026-04-20T12:00:00', createdBy: null, lastUsed: null, expiresAt: null },
    ]);
  });

  test('GIVEN a Date expiry WHEN creating THEN expires_at is sent as ISO and the key is returned', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/auth/service-principals', method: 'POST' }).reply(201, { ...wireSp, key: 'sg_newkey' }, { headers: JSON_HEADERS });
    const created = await h.client.servicePrincipals.create({ name: 'ci', role: 'operator', expiresAt: new Date('2027-01-01T00:00:00Z') });
    expect(created.key).toBe('sg_newkey');
    expect(h.bodyOf(0)).toEqual({ name: 'ci', role: 'operator', expires_at: '2027-01-01T00:00:00.000Z' });
  });

  test('GIVEN a malformed expiry string WHEN creating THEN it is rejected locally', async () => {
    const h = harness();
    await expect(h.client.servicePrincipals.create({ name: 'ci', expiresAt: 'next tuesday' })).rejects.toMatchObject({ code: 'validation', status: undefined });
    expect(h.calls()).toHaveLength(0);
  });

  test('GIVEN an id WHEN deleting THEN DELETE is called', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/auth/service-principals/4', method: 'DELETE' }).reply(200, ok, { headers: JSON_HEADERS });
    await expect(h.client.servicePrincipals.delete(4)).resolves.toBeUndefined();
  });
});

describe('client.groups', () => {
  test('GIVEN groups WHEN listing THEN member counts are mapped', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/auth/groups', method: 'GET' }).reply(200, [wireGroup({ member_count: 3 })], { headers: JSON_HEADERS });
    const [group] = await h.client.groups.list();
    expect(group).toEqual({ id: 7, name: 'sre', role: 'operator', description: 'on-call', createdAt: '2026-04-20T12:00:00', memberCount: 3 });
  });

  test('GIVEN a group with members WHEN getting THEN members are returned', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/auth/groups/7', method: 'GET' }).reply(200, { ...wireGroup(), members: [{ id: 1, email: 'a@example.com', role: 'viewer' }] }, { headers: JSON_HEADERS });
    await expect(h.client.groups.get(7)).resolves.toMatchObject({ memberCount: null, members: [{ id: 1, email: 'a@example.com', role: 'viewer' }] });
  });

  test('GIVEN a name, role and description WHEN creating THEN all three are sent', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/auth/groups', method: 'POST' }).reply(201, wireGroup({ member_count: 0 }), { headers: JSON_HEADERS });
    await h.client.groups.create({ name: 'sre', role: 'operator', description: 'on-call' });
    expect(h.bodyOf(0)).toEqual({ name: 'sre', role: 'operator', description: 'on-call' });
  });

  test('GIVEN an update without description WHEN updating THEN the current description is read and sent back', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/auth/groups/7', method: 'GET' }).reply(200, { ...wireGroup({ description: 'keep me' }), members: [] }, { headers: JSON_HEADERS });
    h.pool.intercept({ path: '/api/auth/groups/7', method: 'PUT' }).reply(200, wireGroup({ role: 'admin', description: 'keep me' }), { headers: JSON_HEADERS });
    await h.client.groups.update(7, { role: 'admin' });
    expect(h.calls().map((c) => c.method)).toEqual(['GET', 'PUT']);
    expect(h.bodyOf(1)).toEqual({ role: 'admin', description: 'keep me' });
  });

  test('GIVEN an explicit description WHEN updating THEN no read happens and it is sent', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/auth/groups/7', method: 'PUT' }).reply(200, wireGroup({ description: 'new' }), { headers: JSON_HEADERS });
    await h.client.groups.update(7, { name: 'sre2', description: 'new' });
    expect(h.calls().map((c) => c.method)).toEqual(['PUT']);
    expect(h.bodyOf(0)).toEqual({ name: 'sre2', description: 'new' });
  });

  test('GIVEN description null WHEN updating THEN null is sent to clear it', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/auth/groups/7', method: 'PUT' }).reply(200, wireGroup({ description: null }), { headers: JSON_HEADERS });
    await h.client.groups.update(7, { description: null });
    expect(h.bodyOf(0)).toEqual({ description: null });
  });

  test('GIVEN an unknown group WHEN updating without description THEN not_found comes from the read', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/auth/groups/99', method: 'GET' }).reply(404, problem(404, 'NOT_FOUND', 'Group not found'), { headers: PROBLEM_HEADERS });
    await expect(h.client.groups.update(99, { role: 'admin' })).rejects.toMatchObject({ code: 'not_found' });
  });

  test('GIVEN a group WHEN deleting THEN DELETE is called', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/auth/groups/7', method: 'DELETE' }).reply(200, ok, { headers: JSON_HEADERS });
    await expect(h.client.groups.delete(7)).resolves.toBeUndefined();
  });

  test('GIVEN a user WHEN adding a member THEN user_id is sent and the membership mapped', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/auth/groups/7/members', method: 'POST' }).reply(201, { group_id: 7, group_name: 'sre', user_id: 1, user_email: 'a@example.com' }, { headers: JSON_HEADERS });
    await expect(h.client.groups.addMember(7, 1)).resolves.toEqual({ groupId: 7, groupName: 'sre', userId: 1, userEmail: 'a@example.com' });
    expect(h.bodyOf(0)).toEqual({ user_id: 1 });
  });

  test('GIVEN an existing member WHEN adding again THEN conflict is thrown', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/auth/groups/7/members', method: 'POST' }).reply(409, problem(409, 'CONFLICT', 'User is already a member'), { headers: PROBLEM_HEADERS });
    await expect(h.client.groups.addMember(7, 1)).rejects.toMatchObject({ code: 'conflict' });
  });

  test('GIVEN a member WHEN removing THEN DELETE …/members/{userId} is called', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/auth/groups/7/members/1', method: 'DELETE' }).reply(200, ok, { headers: JSON_HEADERS });
    await expect(h.client.groups.removeMember(7, 1)).resolves.toBeUndefined();
  });

  test('GIVEN gateway roles WHEN listing THEN they are mapped', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/auth/groups/7/gateway-roles', method: 'GET' }).reply(200, [{ gateway_name: 'gw', role: 'admin', user_id: null, sp_id: null, group_id: null }], { headers: JSON_HEADERS });
    await expect(h.client.groups.listGatewayRoles(7)).resolves.toEqual([{ gatewayName: 'gw', role: 'admin', userId: null, spId: null, groupId: null }]);
  });

  test('GIVEN a role WHEN setting a gateway role THEN PUT sends {role}', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/auth/groups/7/gateway-roles/gw', method: 'PUT' }).reply(200, { gateway_name: 'gw', role: 'operator', user_id: null, sp_id: null, group_id: 7 }, { headers: JSON_HEADERS });
    await expect(h.client.groups.setGatewayRole(7, 'gw', 'operator')).resolves.toMatchObject({ groupId: 7, role: 'operator' });
    expect(h.bodyOf(0)).toEqual({ role: 'operator' });
  });

  test('GIVEN a gateway role WHEN removing THEN DELETE is called', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/auth/groups/7/gateway-roles/gw', method: 'DELETE' }).reply(200, ok, { headers: JSON_HEADERS });
    await expect(h.client.groups.removeGatewayRole(7, 'gw')).resolves.toBeUndefined();
  });
});
