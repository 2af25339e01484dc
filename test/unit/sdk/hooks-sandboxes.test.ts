import { wireHook } from './fixtures';
import { JSON_HEADERS, PROBLEM_HEADERS, harness, problem } from './helpers';

const HOOKS = '/api/gateways/gw/sandboxes/sb/hooks';

describe('client.bootHooks', () => {
  test('GIVEN a phase filter WHEN listing THEN ?phase= is sent and items are mapped', async () => {
    const h = harness();
    h.pool.intercept({ path: `${HOOKS}?phase=pre_create`, method: 'GET' }).reply(200, { items: [wireHook(1)] }, { headers: JSON_HEADERS });
    const hooks = await h.client.bootHooks.list('gw', 'sb', { phase: 'pre_create' });
    expect(hooks).toEqual([
      {
        id: 1,
        gatewayName: 'gw',
        sandboxName: 'sb',
        name: 'hook-1',
        phase: 'pre_create',
        command: 'echo hi',
        workdir: '',
        env: {},
        timeoutSeconds: 30,
        order: 1,
        enabled: true,
        continueOnFailure: false,
        createdBy: 'sp:ci',
        createdAt: '2026-04-20T12:00:00',
        updatedAt: '2026-04-20T12:00:00',
        lastRunAt: null,
        lastStatus: null,
        lastOutput: null,
      },
    ]);
  });

  test('GIVEN no filter WHEN listing THEN no query is sent', async () => {
    const h = harness();
    h.pool.intercept({ path: HOOKS, method: 'GET' }).reply(200, { items: [] }, { headers: JSON_HEADERS });
    await expect(h.client.bootHooks.list('gw', 'sb')).resolves.toEqual([]);
    expect(h.calls()[0]?.fullUrl).toBe(`http://localhost:8888${HOOKS}`);
  });

  test('GIVEN an id WHEN getting THEN GET …/hooks/{id}', async () => {
    const h = harness();
    h.pool.intercept({ path: `${HOOKS}/4`, method: 'GET' }).reply(200, wireHook(4), { headers: JSON_HEADERS });
    await expect(h.client.bootHooks.get('gw', 'sb', 4)).resolves.toMatchObject({ id: 4, name: 'hook-4' });
  });

  test('GIVEN a camelCase hook WHEN creating THEN wire names are sent', async () => {
    const h = harness();
    h.pool.intercept({ path: HOOKS, method: 'POST' }).reply(200, wireHook(5), { headers: JSON_HEADERS });
    await h.client.bootHooks.create('gw', 'sb', { name: 'warm', phase: 'post_create', command: 'make warm', env: { A: '1' }, timeoutSeconds: 60, continueOnFailure: true });
    expect(h.bodyOf(0)).toEqual({ name: 'warm', phase: 'post_create', command: 'make warm', env: { A: '1' }, timeout_seconds: 60, continue_on_failure: true });
  });

  test('GIVEN a duplicate hook WHEN creating THEN the 400 is a validation error', async () => {
    const h = harness();
    h.pool.intercept({ path: HOOKS, method: 'POST' }).reply(400, problem(400, 'VALIDATION_ERROR', "A pre_create hook named 'warm' already exists for this sandbox"), { headers: PROBLEM_HEADERS });
    await expect(h.client.bootHooks.create('gw', 'sb', { name: 'warm', phase: 'pre_create', command: 'x' })).rejects.toMatchObject({ code: 'validation' });
  });

  test('GIVEN a partial patch WHEN updating THEN PUT sends only those keys', async () => {
    const h = harness();
    h.pool.intercept({ path: `${HOOKS}/5`, method: 'PUT' }).reply(200, wireHook(5, { enabled: false }), { headers: JSON_HEADERS });
    await expect(h.client.bootHooks.update('gw', 'sb', 5, { enabled: false, timeoutSeconds: 10 })).resolves.toMatchObject({ enabled: false });
    expect(h.bodyOf(0)).toEqual({ enabled: false, timeout_seconds: 10 });
  });

  test('GIVEN a hook WHEN deleting THEN DELETE answers 204', async () => {
    const h = harness();
    h.pool.intercept({ path: `${HOOKS}/5`, method: 'DELETE' }).reply(204, '');
    await expect(h.client.bootHooks.delete('gw', 'sb', 5)).resolves.toBeUndefined();
  });

  test('GIVEN ids WHEN reordering THEN phase and hook_ids are sent and the new order returned', async () => {
    const h = harness();
    h.pool.intercept({ path: `${HOOKS}/reorder`, method: 'POST' }).reply(200, { items: [wireHook(2, { order: 0 }), wireHook(1, { order: 1 })] }, { headers: JSON_HEADERS });
    const hooks = await h.client.bootHooks.reorder('gw', 'sb', 'pre_create', [2, 1]);
    expect(h.bodyOf(0)).toEqual({ phase: 'pre_create', hook_ids: [2, 1] });
    expect(hooks.map((hook) => [hook.id, hook.order])).toEqual([
      [2, 0],
      [1, 1],
    ]);
  });

  test('GIVEN a hook WHEN running THEN the run result is mapped and the call is not retried on 503', async () => {
    const h = harness();
    h.pool.intercept({ path: `${HOOKS}/5/run`, method: 'POST' }).reply(200, { hook_id: 5, name: 'warm', phase: 'pre_create', status: 'success', summary: 'ok', output: 'hi\n' }, { headers: JSON_HEADERS });
    await expect(h.client.bootHooks.run('gw', 'sb', 5)).resolves.toEqual({ hookId: 5, name: 'warm', phase: 'pre_create', status: 'success', summary: 'ok', output: 'hi\n' });
    h.pool.intercept({ path: `${HOOKS}/5/run`, method: 'POST' }).reply(503, problem(503, 'SERVICE_UNAVAILABLE', 'busy'), { headers: PROBLEM_HEADERS });
    await expect(h.client.bootHooks.run('gw', 'sb', 5)).rejects.toMatchObject({ code: 'server', attempts: 1 });
  });
});

describe('client.sandboxes', () => {
  const sandbox = (name: string) => ({ name, id: `id-${name}`, phase: 'ready', current_policy_version: 3, labels: { env: 'prod' }, image: 'x' });

  test('GIVEN limit and offset WHEN listing THEN they are sent and total null is kept', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/gateways/gw/sandboxes?limit=2&offset=4', method: 'GET' }).reply(200, { items: [sandbox('a')], total: null }, { headers: JSON_HEADERS });
    const page = await h.client.sandboxes.list('gw', { limit: 2, offset: 4 });
    expect(page.total).toBeNull();
    expect(page.items[0]).toEqual({ name: 'a', id: 'id-a', phase: 'ready', currentPolicyVersion: 3, labels: { env: 'prod' }, raw: sandbox('a') });
  });

  test('GIVEN 5 sandboxes and page size 2 WHEN listing all THEN it pages until the short page', async () => {
    const h = harness();
    const names = ['a', 'b', 'c', 'd', 'e'];
    for (const offset of [0, 2, 4]) {
      h.pool
        .intercept({ path: `/api/gateways/gw/sandboxes?limit=2&offset=${offset}`, method: 'GET' })
        .reply(200, { items: names.slice(offset, offset + 2).map(sandbox), total: null }, { headers: JSON_HEADERS });
    }
    const all = await h.client.sandboxes.listAll('gw', { pageSize: 2 });
    expect(all.map((s) => s.name)).toEqual(names);
    expect(h.calls()).toHaveLength(3);
  });

  test('GIVEN an exact multiple of the page size WHEN listing all THEN an empty page ends it', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/gateways/gw/sandboxes?limit=2&offset=0', method: 'GET' }).reply(200, { items: [sandbox('a'), sandbox('b')], total: null }, { headers: JSON_HEADERS });
    h.pool.intercept({ path: '/api/gateways/gw/sandboxes?limit=2&offset=2', method: 'GET' }).reply(200, { items: [], total: null }, { headers: JSON_HEADERS });
    await expect(h.client.sandboxes.listAll('gw', { pageSize: 2 })).resolves.toHaveLength(2);
  });

  test('GIVEN a server that ignores offset WHEN listing all THEN it stops with invalid_response instead of looping', async () => {
    const h = harness();
    h.pool
      .intercept({ path: (p) => p.startsWith('/api/gateways/gw/sandboxes'), method: 'GET' })
      .reply(200, { items: [sandbox('a'), sandbox('b')], total: null }, { headers: JSON_HEADERS })
      .persist();
    await expect(h.client.sandboxes.listAll('gw', { pageSize: 2 })).rejects.toMatchObject({ code: 'invalid_response' });
  });

  test('GIVEN a name WHEN getting THEN GET …/sandboxes/{name}', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/gateways/gw/sandboxes/sb', method: 'GET' }).reply(200, sandbox('sb'), { headers: JSON_HEADERS });
    await expect(h.client.sandboxes.get('gw', 'sb')).resolves.toMatchObject({ name: 'sb', phase: 'ready' });
  });
});
