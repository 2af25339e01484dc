import { startEmulator } from '../../../emulator';
import { GATEWAY_LIST_ITEM_KEYS, GATEWAY_RESPONSE_KEYS } from '../../../emulator/quirks';
import { useEmulator } from './harness';

const REGISTER = { name: 'gw1', endpoint: '127.0.0.1:8443', scheme: 'http', auth_mode: 'insecure', labels: { env: 'prod' } };

describe('emulator: gateways (§4)', () => {
  const { api, emulator } = useEmulator();

  it('GIVEN a valid body WHEN registering THEN 201 with all 18 keys, nulls included, connected', async () => {
    const response = await api().post('/api/gateway/register', { ...REGISTER, metadata: { runtime: 'Docker' } });
    expect(response.status).toBe(201);
    expect(Object.keys(response.body)).toEqual([...GATEWAY_RESPONSE_KEYS]);
    expect(response.body).toMatchObject({
      name: 'gw1',
      endpoint: '127.0.0.1:8443',
      connected: true,
      status: 'connected',
      last_status: 'unknown',
      last_seen: null,
      configured: null,
      version: null,
      runtime: 'docker',
      metadata: { runtime: 'docker' },
      labels: { env: 'prod' },
      description: null,
      has_ca_cert: false,
    });
    // Formatted by the register handler itself: with the UTC offset (findings D3).
    expect(response.body.registered_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/);
  });

  it('GIVEN a gateway marked unreachable WHEN registering THEN still 201, connected false, status unreachable', async () => {
    emulator().state.setGatewayConnected('down', false);
    const response = await api().post('/api/gateway/register', { name: 'down', endpoint: 'gw.example.com:443' });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ connected: false, status: 'unreachable' });
  });

  it('GIVEN an existing name WHEN registering again THEN 409 CONFLICT', async () => {
    await api().post('/api/gateway/register', REGISTER);
    const response = await api().post('/api/gateway/register', REGISTER);
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ detail: "Gateway 'gw1' is already registered", code: 'CONFLICT' });
  });

  it.each([
    ['no port', 'gw.example.com', "Value error, endpoint must be in host:port format (e.g. '10.0.0.5:8443')"],
    ['a scheme', 'https://gw.example.com:443', "Value error, endpoint must be in host:port format (e.g. '10.0.0.5:8443')"],
    ['port 0', 'gw.example.com:0', 'Value error, endpoint port must be between 1 and 65535'],
    ['blank', '   ', 'Value error, endpoint must not be empty'],
  ])('GIVEN an endpoint with %s WHEN registering THEN 422 pydantic error at body.endpoint', async (_case, endpoint, msg) => {
    const response = await api().post('/api/gateway/register', { name: 'gw', endpoint });
    expect(response.status).toBe(422);
    expect(response.body.errors).toEqual([{ type: 'value_error', loc: ['body', 'endpoint'], msg, input: endpoint }]);
  });

  it('GIVEN local mode off WHEN registering a loopback endpoint THEN 422 private address', async () => {
    const strict = await startEmulator({ localMode: false });
    try {
      const response = await fetch(`${strict.url}/api/gateway/register`, {
        method: 'POST',
        headers: { authorization: `Bearer ${strict.adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'gw', endpoint: '127.0.0.1:8443' }),
      });
      const body = (await response.json()) as { errors: Array<{ msg: string }> };
      expect(response.status).toBe(422);
      expect(body.errors[0]?.msg).toBe(
        'Value error, endpoint must not point to a private/loopback address; use a routable IP or hostname',
      );
    } finally {
      await strict.close();
    }
  });

  it('GIVEN a bad name and a bad endpoint WHEN registering THEN pydantic 422 wins over the 400 name check', async () => {
    const response = await api().post('/api/gateway/register', { name: '-bad', endpoint: 'x' });
    expect(response.status).toBe(422);
  });

  it.each([
    [{ name: '-bad' }, 'Invalid gateway name: must match [a-zA-Z0-9][a-zA-Z0-9._-]*'],
    [{ description: 'x'.repeat(1001) }, 'description exceeds maximum length of 1000'],
    [{ labels: { '-k': 'v' } }, "Invalid label key '-k': must match [a-zA-Z0-9][a-zA-Z0-9._-]* (max 63 chars)"],
    [{ labels: { k: 'v'.repeat(254) } }, "Label value for 'k' exceeds maximum length of 253"],
    [{ ca_cert: 'abc' }, 'Invalid base64 in certificate field: Incorrect padding'],
    [{ client_cert: 'A'.repeat(87384) }, 'client_cert exceeds maximum size of 65536 bytes'],
  ])('GIVEN %j WHEN registering THEN 400 with its detail', async (override, detail) => {
    const response = await api().post('/api/gateway/register', { name: 'gw', endpoint: 'gw.example.com:443', ...override });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ detail, code: 'VALIDATION_ERROR' });
  });

  it('GIVEN an unknown runtime WHEN registering THEN 422 value error on metadata', async () => {
    const response = await api().post('/api/gateway/register', { name: 'gw', endpoint: 'gw.example.com:443', metadata: { runtime: 'krun' } });
    expect(response.status).toBe(422);
    expect(response.body.errors[0]).toMatchObject({
      loc: ['body', 'metadata'],
      msg: "Value error, runtime 'krun' is not recognised; known runtimes: docker, kubernetes, libkrun",
    });
  });

  it('GIVEN gateways WHEN listing THEN items have the 16 list keys, sorted by name, filtered by labels and runtime', async () => {
    emulator().state.registerGateway({ name: 'b-gw', labels: { env: 'prod', team: 'a' }, metadata: { runtime: 'kubernetes' } });
    emulator().state.registerGateway({ name: 'a-gw', labels: { env: 'dev' } });
    const all = await api().get('/api/gateway/list');
    expect(all.body.total).toBe(2);
    expect(all.body.items.map((item: { name: string }) => item.name)).toEqual(['a-gw', 'b-gw']);
    expect(Object.keys(all.body.items[0])).toEqual([...GATEWAY_LIST_ITEM_KEYS]);
    const filtered = await api().get('/api/gateway/list?label=env:prod&label=team:a');
    expect(filtered.body.items.map((item: { name: string }) => item.name)).toEqual(['b-gw']);
    const byRuntime = await api().get('/api/gateway/list?runtime=KUBERNETES');
    expect(byRuntime.body.items.map((item: { name: string }) => item.name)).toEqual(['b-gw']);
    expect((await api().get('/api/gateway/list?label=nocolon')).body.detail).toBe("Invalid label filter 'nocolon': expected key:value");
    expect((await api().get('/api/gateway/list?runtime=vm')).status).toBe(400);
  });

  it('GIVEN a seeded gateway that loses its connection WHEN listed THEN connected false and status unreachable', async () => {
    emulator().state.registerGateway({ name: 'gw' });
    emulator().state.setGatewayConnected('gw', false);
    const item = (await api().get('/api/gateway/list')).body.items[0];
    expect(item).toMatchObject({ connected: false, status: 'unreachable', last_status: 'healthy' });
  });

  it('GIVEN a gateway registered while unreachable WHEN listed THEN status offline, never probed (no health monitor, findings D13)', async () => {
    emulator().state.setGatewayConnected('gw', false);
    await api().post('/api/gateway/register', { name: 'gw', endpoint: 'gw.example.com:443' });
    expect((await api().get('/api/gateway/list')).body.items[0]).toMatchObject({ status: 'offline', last_status: 'unknown', last_seen: null });
  });

  it('GIVEN a registered gateway WHEN reading info THEN configured true and the gateway version', async () => {
    emulator().state.registerGateway({ name: 'gw' });
    const response = await api().get('/api/gateway/gw/info');
    expect(Object.keys(response.body)).toEqual([...GATEWAY_RESPONSE_KEYS]);
    expect(response.body).toMatchObject({ configured: true, connected: true, status: 'connected', version: '0.0.36' });
  });

  it('GIVEN an unknown gateway WHEN reading info THEN 500 INTERNAL_ERROR (trap 2)', async () => {
    const response = await api().get('/api/gateway/nope/info');
    expect(response.status).toBe(500);
    expect(response.body).toMatchObject({ detail: 'Internal server error', code: 'INTERNAL_ERROR' });
  });

  it('GIVEN a bad name in /api/gateway/{name} WHEN authenticated THEN 400 with "(max 253)"; unauthenticated THEN 401', async () => {
    expect((await api().get('/api/gateway/-x/info')).body.detail).toBe(
      'Invalid gateway name: must match [a-zA-Z0-9][a-zA-Z0-9._-]* (max 253)',
    );
    expect((await api().get('/api/gateway/-x/info', { key: null })).status).toBe(401);
  });

  it('GIVEN a gateway WHEN patched THEN only sent keys change, nulls clear, and connected/status come back null', async () => {
    emulator().state.registerGateway({ name: 'gw', description: 'old', labels: { a: 'b' } });
    const patched = await api().patch('/api/gateway/gw', { description: 'new' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ description: 'new', labels: { a: 'b' }, connected: null, status: null, configured: null });
    const cleared = await api().patch('/api/gateway/gw', { labels: null, description: null });
    expect(cleared.body).toMatchObject({ description: null, labels: {} });
    expect((await api().patch('/api/gateway/gw', {})).body.detail).toBe('No fields to update');
    expect((await api().patch('/api/gateway/nope', { description: 'x' })).body.detail).toBe("Gateway 'nope' not found");
  });

  it('GIVEN a gateway WHEN deleted THEN 200 {success,name}, and 404 the second time', async () => {
    emulator().state.registerGateway({ name: 'gw' });
    const deleted = await api().delete('/api/gateway/gw');
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ success: true, name: 'gw' });
    const again = await api().delete('/api/gateway/gw');
    expect(again.status).toBe(404);
    expect(again.body.detail).toBe("Gateway 'gw' not found");
  });

  it('GIVEN a connected and a disconnected gateway WHEN probing /health THEN 200 health and 503 plain JSON', async () => {
    emulator().state.registerGateway({ name: 'up' });
    emulator().state.registerGateway({ name: 'down', connected: false });
    expect((await api().get('/api/gateways/up/health')).body).toEqual({ status: 'healthy', version: '0.0.36' });
    const down = await api().get('/api/gateways/down/health');
    expect(down.status).toBe(503);
    expect(down.headers.get('content-type')).toBe('application/json');
    expect(down.body).toEqual({ status: 'disconnected', detail: "Gateway 'down' not connected" });
  });

  it('GIVEN a non-admin WHEN registering THEN 403', async () => {
    const response = await api().post('/api/gateway/register', REGISTER, { key: emulator().keys.operator });
    expect(response.status).toBe(403);
  });
});
