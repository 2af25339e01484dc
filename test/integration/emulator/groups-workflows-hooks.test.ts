import { useEmulator } from './harness';

describe('emulator: groups (§5)', () => {
  const { api, emulator } = useEmulator();

  it('GIVEN a new group WHEN created THEN 201 with member_count 0 and a +00:00 created_at', async () => {
    const created = await api().post('/api/auth/groups', { name: ' ops ', role: 'operator', description: 'on call' });
    expect(created.status).toBe(201);
    expect(Object.keys(created.body)).toEqual(['id', 'name', 'role', 'description', 'created_at', 'member_count']);
    expect(created.body).toMatchObject({ name: 'ops', role: 'operator', description: 'on call', member_count: 0 });
    expect(created.body.created_at).toMatch(/\+00:00$/);
    expect((await api().post('/api/auth/groups', { name: 'ops' })).body.detail).toBe('Group name already exists');
    expect((await api().post('/api/auth/groups', { name: 'x', role: 'root' })).body.detail).toBe("Invalid role: 'root'");
  });

  it('GIVEN a group with a description WHEN PUT omits description THEN it is cleared (trap 13)', async () => {
    const created = await api().post('/api/auth/groups', { name: 'ops', description: 'keep me' });
    const updated = await api().put(`/api/auth/groups/${created.body.id}`, { role: 'admin' });
    expect(updated.body).toMatchObject({ name: 'ops', role: 'admin', description: null, member_count: null });
    expect((await api().put('/api/auth/groups/999', { role: 'admin' })).body.detail).toBe('Group 999 not found');
  });

  it('GIVEN members WHEN reading and listing THEN members sorted by email, counts in the list, null on GET', async () => {
    const group = await api().post('/api/auth/groups', { name: 'ops' });
    const zed = emulator().state.addUser('zed@example.com');
    const amy = emulator().state.addUser('amy@example.com');
    const added = await api().post(`/api/auth/groups/${group.body.id}/members`, { user_id: zed.id });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({ group_id: group.body.id, group_name: 'ops', user_id: zed.id, user_email: 'zed@example.com' });
    await api().post(`/api/auth/groups/${group.body.id}/members`, { user_id: amy.id });
    expect((await api().post(`/api/auth/groups/${group.body.id}/members`, { user_id: amy.id })).status).toBe(409);
    expect((await api().post(`/api/auth/groups/${group.body.id}/members`, { user_id: 999 })).body.detail).toBe('User 999 not found');
    const detail = await api().get(`/api/auth/groups/${group.body.id}`);
    expect(detail.body.member_count).toBeNull();
    expect(detail.body.members.map((member: { email: string }) => member.email)).toEqual(['amy@example.com', 'zed@example.com']);
    expect((await api().get('/api/auth/groups')).body[0].member_count).toBe(2);
    expect((await api().delete(`/api/auth/groups/${group.body.id}/members/${amy.id}`)).body).toEqual({ ok: true });
    expect((await api().delete(`/api/auth/groups/${group.body.id}/members/${amy.id}`)).body.detail).toBe('Membership not found');
  });

  it('GIVEN group gateway roles WHEN set on registered and unknown gateways THEN upsert or 404', async () => {
    emulator().state.registerGateway({ name: 'gw' });
    const group = await api().post('/api/auth/groups', { name: 'ops' });
    const set = await api().put(`/api/auth/groups/${group.body.id}/gateway-roles/gw`, { role: 'admin' });
    expect(set.body).toEqual({ gateway_name: 'gw', role: 'admin', user_id: null, sp_id: null, group_id: group.body.id });
    expect((await api().put(`/api/auth/groups/${group.body.id}/gateway-roles/nope`, { role: 'admin' })).body.detail).toBe(
      "Gateway 'nope' not found",
    );
    expect((await api().get('/api/auth/groups/999/gateway-roles')).body).toEqual([]);
    expect((await api().delete(`/api/auth/groups/${group.body.id}`)).body).toEqual({ ok: true });
    expect((await api().get(`/api/auth/groups/${group.body.id}`)).status).toBe(404);
  });
});

describe('emulator: approval workflows (§6)', () => {
  const { api, emulator } = useEmulator();
  const path = '/api/gateways/gw/sandboxes/sb/approval-workflow';

  it('GIVEN no workflow WHEN an operator reads it THEN {} (not 404); a viewer gets 403', async () => {
    expect((await api().get(path, { key: emulator().keys.operator })).body).toEqual({});
    expect((await api().get(path, { key: emulator().keys.viewer })).status).toBe(403);
  });

  it('GIVEN a doc-style body WHEN PUT THEN unknown fields are ignored and defaults apply; roles are stored sorted', async () => {
    const docStyle = await api().put(path, { required_votes: 3, voters: ['a@example.com'] });
    expect(docStyle.status).toBe(200);
    expect(docStyle.body).toMatchObject({
      gateway_name: 'gw',
      sandbox_name: 'sb',
      required_approvals: 2,
      required_roles: [],
      distinct_actors: true,
      escalation_timeout_minutes: null,
      created_by: 'sp:emulator-admin',
    });
    const updated = await api().put(path, { required_approvals: 3, required_roles: ['operator', 'admin'], escalation_timeout_minutes: 5 });
    expect(updated.body).toMatchObject({ required_approvals: 3, required_roles: ['admin', 'operator'], escalation_timeout_minutes: 5 });
  });

  it('GIVEN out-of-range values WHEN PUT THEN 422 with pydantic errors', async () => {
    const response = await api().put(path, { required_approvals: 0, escalation_timeout_minutes: 20000 });
    expect(response.status).toBe(422);
    expect(response.body.errors.map((error: { type: string }) => error.type)).toEqual(['greater_than_equal', 'less_than_equal']);
  });

  it('GIVEN no workflow WHEN reading decisions THEN status no_workflow; WHEN deleting THEN 404', async () => {
    expect((await api().get('/api/gateways/gw/sandboxes/sb/approvals/c1/decisions', { key: emulator().keys.viewer })).body).toEqual({
      status: 'no_workflow',
      votes: 0,
      needed: 0,
      decisions: [],
    });
    expect((await api().delete(path)).body.detail).toBe('No workflow configured');
    await api().put(path, {});
    expect((await api().delete(path)).body).toEqual({ status: 'deleted' });
  });
});

describe('emulator: boot hooks (§8)', () => {
  const { api, emulator } = useEmulator();
  const base = '/api/gateways/gw/sandboxes/sb/hooks';

  it('GIVEN a new hook WHEN created THEN 200 (not 201) with defaults, and a duplicate name is 400', async () => {
    const created = await api().post(base, { name: 'warm', phase: 'post_create', command: 'echo hi' });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      gateway_name: 'gw',
      sandbox_name: 'sb',
      workdir: '',
      env: {},
      timeout_seconds: 30,
      order: 0,
      enabled: true,
      continue_on_failure: false,
      created_by: 'sp:emulator-admin',
      last_run_at: null,
    });
    const duplicate = await api().post(base, { name: 'warm', phase: 'post_create', command: 'x' });
    expect(duplicate.status).toBe(400);
    expect(duplicate.body.detail).toBe("A post_create hook named 'warm' already exists for this sandbox");
  });

  it('GIVEN invalid fields WHEN creating THEN 422 pydantic errors; a blank command THEN 400', async () => {
    const invalid = await api().post(base, { name: '', phase: 'boot', command: 'x', timeout_seconds: 601 });
    expect(invalid.status).toBe(422);
    expect(invalid.body.errors.map((error: { type: string }) => error.type)).toEqual([
      'string_too_short',
      'string_pattern_mismatch',
      'less_than_equal',
    ]);
    expect((await api().post(base, { name: 'n', phase: 'pre_create', command: '   ' })).body.detail).toBe('Hook command must not be empty');
  });

  it('GIVEN hooks WHEN listed, filtered, updated, reordered, run and deleted THEN each follows §8', async () => {
    const first = (await api().post(base, { name: 'a', phase: 'pre_create', command: 'one' })).body;
    const second = (await api().post(base, { name: 'b', phase: 'pre_create', command: 'two' })).body;
    const post = (await api().post(base, { name: 'c', phase: 'post_create', command: 'three' })).body;
    expect(second.order).toBe(1);
    expect((await api().get(base)).body.items.map((hook: { name: string }) => hook.name)).toEqual(['c', 'a', 'b']);
    expect((await api().get(`${base}?phase=pre_create`)).body.items).toHaveLength(2);
    expect((await api().get(`${base}?phase=boot`)).body.detail).toBe("phase must be one of ['post_create', 'pre_create']");

    const updated = await api().put(`${base}/${first.id}`, { command: 'uno', name: 'renamed', workdir: null });
    expect(updated.body).toMatchObject({ name: 'a', command: 'uno', workdir: '' });

    const mismatch = await api().post(`${base}/reorder`, { phase: 'pre_create', hook_ids: [first.id] });
    expect(mismatch.body.detail).toBe('reorder hook_ids must match the stored hook set for this phase');
    const reordered = await api().post(`${base}/reorder`, { phase: 'pre_create', hook_ids: [second.id, first.id] });
    expect(reordered.body.items.map((hook: { name: string; order: number }) => [hook.name, hook.order])).toEqual([
      ['b', 0],
      ['a', 1],
    ]);

    const run = await api().post(`${base}/${first.id}/run`, undefined, { key: emulator().keys.operator });
    expect(run.body).toEqual({ hook_id: first.id, name: 'a', phase: 'pre_create', status: 'success', summary: 'ok', output: '' });
    expect((await api().get(`${base}/${first.id}`)).body).toMatchObject({ last_status: 'success', last_output: '' });

    expect((await api().get(`/api/gateways/gw/sandboxes/other/hooks/${post.id}`)).body.detail).toBe('Boot hook not found');
    const deleted = await api().delete(`${base}/${post.id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await api().delete(`${base}/${post.id}`)).status).toBe(404);
  });

  it('GIVEN hooks WHEN the gateway is unregistered THEN they survive (trap 20)', async () => {
    emulator().state.registerGateway({ name: 'gw' });
    await api().post(base, { name: 'a', phase: 'pre_create', command: 'x' });
    await api().delete('/api/gateway/gw');
    expect((await api().get(base)).body.items).toHaveLength(1);
  });

  it('GIVEN a viewer WHEN creating or running hooks THEN 403; reading is allowed', async () => {
    expect((await api().post(base, { name: 'a', phase: 'pre_create', command: 'x' }, { key: emulator().keys.operator })).status).toBe(403);
    expect((await api().get(base, { key: emulator().keys.viewer })).status).toBe(200);
  });
});
