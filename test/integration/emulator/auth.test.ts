import { useEmulator } from './harness';

const OFFSET_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/;
const NAIVE_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$/;

describe('emulator: authentication, users and service principals (§2, §3)', () => {
  const { api, emulator } = useEmulator();

  it('GIVEN the bootstrap keys WHEN listing service principals THEN four SPs with prefixes and no secrets', async () => {
    const response = await api().get('/api/auth/service-principals');
    expect(response.body.map((sp: { name: string }) => sp.name)).toEqual([
      'emulator-admin',
      'emulator-operator',
      'emulator-operator-2',
      'emulator-viewer',
    ]);
    expect(Object.keys(response.body[0])).toEqual(['id', 'name', 'role', 'key_prefix', 'created_at', 'created_by', 'last_used', 'expires_at']);
    expect(response.body[0].key_prefix).toBe(emulator().adminKey.slice(0, 12));
    expect(response.body[0].last_used).toMatch(NAIVE_TIMESTAMP);
    expect(response.text).not.toContain(emulator().adminKey);
  });

  it('GIVEN a new SP WHEN created THEN 201 with a 46-char sg_ key that authenticates, created_at with +00:00', async () => {
    const created = await api().post('/api/auth/service-principals', { name: '  ci-bot  ', role: 'operator', expires_at: '2099-01-01T00:00:00Z' });
    expect(created.status).toBe(201);
    expect(Object.keys(created.body)).toEqual(['id', 'name', 'role', 'key_prefix', 'created_at', 'created_by', 'last_used', 'expires_at', 'key']);
    expect(created.body).toMatchObject({ name: 'ci-bot', role: 'operator', created_by: null, last_used: null, expires_at: '2099-01-01T00:00:00+00:00' });
    expect(created.body.key).toMatch(/^sg_[A-Za-z0-9_-]{43}$/);
    expect(created.body.created_at).toMatch(OFFSET_TIMESTAMP);
    const check = await api().get('/api/auth/check', { key: created.body.key });
    expect(check.body).toMatchObject({ authenticated: true, role: 'operator', email: null, needs_setup: false, local_mode: true });
  });

  it.each([
    [{ name: 'x', role: 'root' }, 400, "Invalid role: 'root' (must be one of ('admin', 'operator', 'viewer'))"],
    [{ name: '   ' }, 400, 'Name is required'],
    [{ name: 'emulator-viewer' }, 409, "A service principal named 'emulator-viewer' already exists"],
  ])('GIVEN %j WHEN creating an SP THEN %i %s', async (body, status, detail) => {
    const response = await api().post('/api/auth/service-principals', body);
    expect(response.status).toBe(status);
    expect(response.body.detail).toBe(detail);
  });

  it('GIVEN an SP WHEN rotated THEN the old key dies at once and created_at is null', async () => {
    const created = await api().post('/api/auth/service-principals', { name: 'rot', role: 'viewer' });
    const rotated = await api().post(`/api/auth/service-principals/${created.body.id}/rotate`);
    expect(rotated.body).toMatchObject({ created_at: null, created_by: null, last_used: null, expires_at: null });
    expect((await api().get('/api/auth/check', { key: created.body.key })).body.authenticated).toBe(false);
    expect((await api().get('/api/gateway/list', { key: rotated.body.key })).status).toBe(200);
    expect((await api().post('/api/auth/service-principals/999/rotate')).status).toBe(404);
  });

  it('GIVEN an expired SP WHEN it calls the API THEN 401', async () => {
    const created = await api().post('/api/auth/service-principals', { name: 'old', role: 'admin', expires_at: '2000-01-01T00:00:00' });
    expect(created.body.expires_at).toBe('2000-01-01T00:00:00');
    expect((await api().get('/api/gateway/list', { key: created.body.key })).status).toBe(401);
  });

  it('GIVEN an SP WHEN deleted THEN 200 {"ok":true} and 404 afterwards', async () => {
    const created = await api().post('/api/auth/service-principals', { name: 'gone', role: 'viewer' });
    expect((await api().delete(`/api/auth/service-principals/${created.body.id}`)).body).toEqual({ ok: true });
    const again = await api().delete(`/api/auth/service-principals/${created.body.id}`);
    expect(again.status).toBe(404);
    expect(again.body.detail).toBe('Service principal not found');
  });

  it('GIVEN a non-integer id WHEN deleting an SP THEN 422 int_parsing at path', async () => {
    const response = await api().delete('/api/auth/service-principals/abc');
    expect(response.status).toBe(422);
    expect(response.body.errors).toEqual([
      { type: 'int_parsing', loc: ['path', 'sp_id'], msg: 'Input should be a valid integer, unable to parse string as an integer', input: 'abc' },
    ]);
  });

  it('GIVEN a user invite WHEN created THEN 201 with invite_token; list shows pending_invite; duplicates 409', async () => {
    const created = await api().post('/api/auth/users', { email: 'Alice@Example.com', role: 'operator' });
    expect(created.status).toBe(201);
    expect(Object.keys(created.body)).toEqual(['id', 'email', 'role', 'created_at', 'invite_token']);
    expect(created.body).toMatchObject({ email: 'alice@example.com', role: 'operator' });
    expect(created.body.created_at).toMatch(OFFSET_TIMESTAMP);
    const listed = (await api().get('/api/auth/users')).body.find((user: { email: string }) => user.email === 'alice@example.com');
    expect(listed).toMatchObject({ pending_invite: true, is_active: true, oidc_provider: null });
    expect(listed.created_at).toMatch(NAIVE_TIMESTAMP);
    expect((await api().post('/api/auth/users', { email: 'alice@example.com' })).status).toBe(409);
    expect((await api().post('/api/auth/users', { email: 'not-an-email' })).body.detail).toBe('Invalid email format');
  });

  it('GIVEN an invite WHEN accepted THEN the cookie authenticates and login works with the new password', async () => {
    const invite = await api().post('/api/auth/users', { email: 'bob@example.com', role: 'viewer' });
    expect((await api().post('/api/auth/accept-invite', { token: invite.body.invite_token, password: 'short' }, { key: null })).body.detail).toBe(
      'Password must be at least 8 characters',
    );
    const accepted = await api().post('/api/auth/accept-invite', { token: invite.body.invite_token, password: 'long-password' }, { key: null });
    expect(accepted.body).toEqual({ ok: true, role: 'viewer', email: 'bob@example.com' });
    const cookie = (accepted.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const check = await api().get('/api/auth/check', { key: null, headers: { cookie } });
    expect(check.body).toMatchObject({ authenticated: true, role: 'viewer', email: 'bob@example.com' });
    expect((await api().post('/api/auth/login', { email: 'bob@example.com', password: 'wrong-password' }, { key: null })).status).toBe(401);
    expect((await api().post('/api/auth/login', { email: 'BOB@example.com', password: 'long-password' }, { key: null })).status).toBe(200);
  });

  it('GIVEN the only admin user WHEN deleting it THEN 400 last admin; an unknown user THEN 404', async () => {
    const admin = (await api().get('/api/auth/users')).body[0];
    expect((await api().delete(`/api/auth/users/${admin.id}`)).body.detail).toBe('Cannot delete the last admin user');
    expect((await api().delete('/api/auth/users/999')).body.detail).toBe('User not found');
  });

  it('GIVEN no user at all WHEN calling with a valid SP key THEN 401 (setup gate) and /api/auth/check needs setup', async () => {
    const admin = (await api().get('/api/auth/users')).body[0];
    emulator().state.users.delete(admin.id);
    expect((await api().get('/api/gateway/list')).status).toBe(401);
    expect((await api().get('/api/auth/check')).body).toEqual({
      authenticated: false,
      auth_enabled: false,
      role: null,
      email: null,
      needs_setup: true,
      registration_enabled: false,
      local_mode: null,
      oidc_providers: null,
    });
  });

  it('GIVEN an SP gateway role WHEN set, listed and removed THEN the shapes follow GatewayRoleResponse', async () => {
    emulator().state.registerGateway({ name: 'gw' });
    const sps = (await api().get('/api/auth/service-principals')).body;
    const viewer = sps.find((sp: { name: string }) => sp.name === 'emulator-viewer');
    const set = await api().put(`/api/auth/service-principals/${viewer.id}/gateway-roles/gw`, { role: 'operator' });
    expect(set.body).toEqual({ gateway_name: 'gw', role: 'operator', user_id: null, sp_id: viewer.id, group_id: null });
    expect((await api().get(`/api/auth/service-principals/${viewer.id}/gateway-roles`)).body).toEqual([
      { gateway_name: 'gw', role: 'operator', user_id: null, sp_id: null, group_id: null },
    ]);
    expect((await api().put(`/api/auth/service-principals/${viewer.id}/gateway-roles/nope`, { role: 'admin' })).body.detail).toBe(
      "Gateway 'nope' not found",
    );
    expect((await api().put('/api/auth/service-principals/999/gateway-roles/gw', { role: 'admin' })).status).toBe(409);
    expect((await api().put(`/api/auth/service-principals/${viewer.id}/gateway-roles/-x`, { role: 'admin' })).body.detail).toBe(
      'Invalid gateway name',
    );
    expect((await api().delete(`/api/auth/service-principals/${viewer.id}/gateway-roles/gw`)).body).toEqual({ ok: true });
    expect((await api().delete(`/api/auth/service-principals/${viewer.id}/gateway-roles/gw`)).body.detail).toBe('Gateway role not found');
  });
});

describe('emulator: effective role (§2.3)', () => {
  const { api, emulator } = useEmulator();
  const workflowPath = '/api/gateways/gw/sandboxes/sb/approval-workflow';

  function cookieFor(sessionCookie: string): { headers: Record<string, string>; key: null } {
    return { headers: { cookie: `sg_session=${sessionCookie}` }, key: null };
  }

  beforeEach(() => {
    emulator().state.registerGateway({ name: 'gw' });
    emulator().state.registerGateway({ name: 'other' });
  });

  it('GIVEN a viewer SP with an operator override on gw WHEN reading an operator route THEN allowed only on gw', async () => {
    const sp = (await api().get('/api/auth/service-principals')).body.find((item: { name: string }) => item.name === 'emulator-viewer');
    await api().put(`/api/auth/service-principals/${sp.id}/gateway-roles/gw`, { role: 'operator' });
    expect((await api().get(workflowPath, { key: emulator().keys.viewer })).status).toBe(200);
    expect((await api().get('/api/gateways/other/sandboxes/sb/approval-workflow', { key: emulator().keys.viewer })).status).toBe(403);
  });

  it('GIVEN an admin SP with a viewer override WHEN using gateway routes THEN the override lowers the role', async () => {
    const sp = (await api().get('/api/auth/service-principals')).body.find((item: { name: string }) => item.name === 'emulator-admin');
    await api().put(`/api/auth/service-principals/${sp.id}/gateway-roles/gw`, { role: 'viewer' });
    const response = await api().get(workflowPath);
    expect(response.status).toBe(403);
    expect(response.body.detail).toBe('Requires operator role');
    // Global routes ignore gateway overrides.
    expect((await api().get('/api/auth/users')).status).toBe(200);
  });

  it('GIVEN a viewer user in an operator group WHEN calling an operator route THEN the group global role raises it', async () => {
    const user = emulator().state.addUser('carol@example.com', 'viewer');
    expect((await api().get(workflowPath, cookieFor(user.sessionCookie))).status).toBe(403);
    const group = await api().post('/api/auth/groups', { name: 'ops', role: 'operator' });
    await api().post(`/api/auth/groups/${group.body.id}/members`, { user_id: user.id });
    expect((await api().get(workflowPath, cookieFor(user.sessionCookie))).status).toBe(200);
  });

  it('GIVEN an admin user whose group has a viewer role on gw WHEN on gw THEN lowered, unless their own row says otherwise', async () => {
    const user = emulator().state.addUser('dave@example.com', 'admin');
    const group = await api().post('/api/auth/groups', { name: 'readers', role: 'viewer' });
    await api().post(`/api/auth/groups/${group.body.id}/members`, { user_id: user.id });
    await api().put(`/api/auth/groups/${group.body.id}/gateway-roles/gw`, { role: 'viewer' });
    expect((await api().get(workflowPath, cookieFor(user.sessionCookie))).status).toBe(403);
    await api().put(`/api/auth/users/${user.id}/gateway-roles/gw`, { role: 'operator' });
    expect((await api().get(workflowPath, cookieFor(user.sessionCookie))).status).toBe(200);
  });

  it('GIVEN an unknown Bearer and a valid cookie WHEN calling THEN the cookie is used', async () => {
    const user = emulator().state.addUser('erin@example.com', 'admin');
    const response = await api().get('/api/auth/users', { key: 'sg_wrong', headers: { cookie: `sg_session=${user.sessionCookie}` } });
    expect(response.status).toBe(200);
  });
});
