import { PassThrough } from 'node:stream';
import { inspect } from 'node:util';
import { EmulatorStartError, runEmulatorCommand } from '../../../emulator/cli';
import { startEmulator } from '../../../emulator';
import { SAMPLE_POLICY, useEmulator } from './harness';

describe('emulator: fault injection and stats', () => {
  const { api, emulator } = useEmulator();

  it('GIVEN a status fault with count 2 WHEN the route is called three times THEN two 503s then the real answer', async () => {
    emulator().faults.inject({ kind: 'status', status: 503, count: 2, retryAfterSeconds: 3, match: { method: 'GET', path: '/api/gateway/list' } });
    const first = await api().get('/api/gateway/list');
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('3');
    expect((await api().get('/api/gateway/list')).status).toBe(503);
    expect((await api().get('/api/gateway/list')).status).toBe(200);
  });

  it('GIVEN a 429 fault WHEN called THEN the global limiter body and a Retry-After header', async () => {
    emulator().faults.inject({ kind: 'status', status: 429, count: 1 });
    const response = await api().get('/healthz');
    expect(response.status).toBe(429);
    expect(response.body).toEqual({ detail: 'Too many requests' });
    expect(response.headers.get('retry-after')).toBe('1');
  });

  it('GIVEN a fault matching a route template WHEN another route is called THEN it is not affected', async () => {
    emulator().faults.inject({ kind: 'status', status: 500, count: 1, match: { path: '/api/gateways/{gw}/sandboxes/{name}/policy/export' } });
    expect((await api().get('/api/gateway/list')).status).toBe(200);
    emulator().state.registerGateway({ name: 'gw' });
    emulator().state.seedSandbox('gw', 'sb', SAMPLE_POLICY);
    expect((await api().get('/api/gateways/gw/sandboxes/sb/policy/export')).status).toBe(500);
    expect(emulator().faults.list()).toHaveLength(0);
  });

  it('GIVEN a drop fault WHEN called THEN the connection closes without a response and nothing is written', async () => {
    emulator().faults.inject({ kind: 'drop', count: 1, match: { path: /register$/ } });
    await expect(api().post('/api/gateway/register', { name: 'gw', endpoint: 'gw.example.com:443' })).rejects.toThrow();
    expect(emulator().state.gateways.has('gw')).toBe(false);
  });

  it('GIVEN a lose-response fault WHEN a write is sent THEN the client sees an error but the write is committed', async () => {
    emulator().faults.inject({ kind: 'lose-response', count: 1, match: { method: 'POST' } });
    await expect(api().post('/api/gateway/register', { name: 'gw', endpoint: 'gw.example.com:443' })).rejects.toThrow();
    expect(emulator().state.gateways.has('gw')).toBe(true);
    expect((await api().post('/api/gateway/register', { name: 'gw', endpoint: 'gw.example.com:443' })).status).toBe(409);
  });

  it('GIVEN a latency fault WHEN called THEN the request still succeeds and the rule retires after its count', async () => {
    emulator().faults.inject({ kind: 'latency', ms: 5, count: 1 });
    expect((await api().get('/healthz')).status).toBe(200);
    expect(emulator().faults.list()).toEqual([]);
  });

  it('GIVEN requests WHEN reading stats THEN they are counted per method and route template', async () => {
    emulator().resetStats();
    await api().get('/api/gateways/a/sandboxes/x/policy/pin');
    await api().get('/api/gateways/b/sandboxes/y/policy/pin');
    await api().get('/nope');
    const stats = emulator().stats();
    expect(stats.requests).toBe(3);
    expect(stats.byRoute).toEqual({ 'GET /api/gateways/{gw}/sandboxes/{name}/policy/pin': 2, 'GET (unmatched)': 1 });
    emulator().resetStats();
    expect(emulator().stats()).toEqual({ requests: 0, byRoute: {} });
  });

  it('GIVEN an invalid count WHEN injecting THEN a RangeError names the problem', () => {
    expect(() => emulator().faults.inject({ kind: 'drop', count: 0 })).toThrow(RangeError);
  });
});

describe('emulator: rate limits (§1.4)', () => {
  const { api, emulator } = useEmulator({
    rateLimits: { global: { attempts: 6, windowSeconds: 60, lockoutSeconds: 60 }, write: { attempts: 2, windowSeconds: 60, lockoutSeconds: 120 } },
  });

  it('GIVEN a write limit of 2 WHEN a principal applies three times THEN the third is 429 RATE_LIMITED with Retry-After', async () => {
    emulator().state.registerGateway({ name: 'gw' });
    emulator().state.seedSandbox('gw', 'sb', SAMPLE_POLICY);
    const path = '/api/gateways/gw/sandboxes/sb/policy/apply';
    expect((await api().post(path, { yaml: 'policy: {}', dry_run: true })).status).toBe(200);
    expect((await api().post(path, { yaml: 'policy: {}', dry_run: true })).status).toBe(200);
    const limited = await api().post(path, { yaml: 'policy: {}', dry_run: true });
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ title: 'Rate Limited', code: 'RATE_LIMITED', detail: 'Too many requests. Try again later.' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Another principal has its own bucket.
    expect((await api().post(path, { yaml: 'policy: {}', dry_run: true }, { key: emulator().keys.operator })).status).toBe(200);
  });

  it('GIVEN an exhausted write limit WHEN state.reset() runs THEN the windows start over', async () => {
    const seed = () => {
      emulator().state.registerGateway({ name: 'gw' });
      emulator().state.seedSandbox('gw', 'sb', SAMPLE_POLICY);
    };
    seed();
    const path = '/api/gateways/gw/sandboxes/sb/policy/apply';
    for (let attempt = 0; attempt < 2; attempt += 1) await api().post(path, { yaml: 'policy: {}', dry_run: true });
    expect((await api().post(path, { yaml: 'policy: {}', dry_run: true })).status).toBe(429);
    emulator().state.reset();
    seed();
    expect((await api().post(path, { yaml: 'policy: {}', dry_run: true })).status).toBe(200);
  });

  it('GIVEN the global limit is exhausted WHEN calling THEN 429 plain JSON without X-Request-ID; probes stay open', async () => {
    let limited;
    for (let attempt = 0; attempt < 10 && !limited; attempt += 1) {
      const response = await api().get('/api/gateway/list');
      if (response.status === 429) limited = response;
    }
    expect(limited?.body).toEqual({ detail: 'Too many requests' });
    expect(limited?.headers.get('x-request-id')).toBeNull();
    expect(limited?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await api().get('/healthz')).status).toBe(200);
  });
});

describe('emulator: /__emulator control API', () => {
  const { api, emulator } = useEmulator();

  it('GIVEN no admin key WHEN calling the control API THEN 401; a non-admin SP key is not enough either', async () => {
    expect((await api().get('/__emulator/stats', { key: null })).status).toBe(401);
    expect((await api().get('/__emulator/stats', { key: emulator().keys.operator })).status).toBe(401);
  });

  it('GIVEN the admin key WHEN seeding over HTTP THEN the REST API serves the seeded state', async () => {
    const control = api();
    expect((await control.post('/__emulator/gateways', { name: 'gw', labels: { env: 'ci' } })).status).toBe(201);
    const seeded = await control.put('/__emulator/sandboxes/gw/sb', { policy: SAMPLE_POLICY });
    expect(seeded.body.activeVersion).toBe(1);
    const edit = await control.post('/__emulator/sandboxes/gw/sb/out-of-band-edit', { policy: { process: { run_as_user: 'x' } } });
    expect(edit.body.version).toBe(2);
    expect((await control.get('/__emulator/sandboxes/gw/sb/policy')).body.policyHash).toBe(edit.body.policyHash);
    expect((await control.put('/__emulator/pins/gw/sb', { reason: 'freeze' })).body.pinnedVersion).toBe(2);
    expect((await control.get('/api/gateways/gw/sandboxes/sb/policy/pin')).body.reason).toBe('freeze');
    const user = await control.post('/__emulator/users', { email: 'u@example.com', role: 'operator' });
    expect((await control.get('/api/auth/check', { key: null, headers: { cookie: `sg_session=${user.body.sessionCookie}` } })).body.email).toBe(
      'u@example.com',
    );
    const sp = await control.post('/__emulator/service-principals', { name: 'extra', role: 'viewer' });
    expect((await control.get('/api/gateway/list', { key: sp.body.key })).body.total).toBe(1);
    expect((await control.put('/__emulator/gateways/gw/connected', { connected: false })).status).toBe(204);
    expect((await control.get('/api/gateway/list')).body.items[0].connected).toBe(false);
  });

  it('GIVEN faults and stats over HTTP WHEN used THEN they behave like the in-process API', async () => {
    const control = api();
    expect((await control.post('/__emulator/faults', { kind: 'status', status: 502, count: 1, match: { pathPattern: '^/api/gateway/' } })).status).toBe(204);
    expect((await control.get('/__emulator/faults')).body).toEqual([
      { kind: 'status', status: 502, count: 1, match: { pathPattern: new RegExp('^/api/gateway/').source }, remaining: 1 },
    ]);
    expect((await control.get('/api/gateway/list')).status).toBe(502);
    expect((await control.get('/__emulator/stats')).body.byRoute['GET /api/gateway/list']).toBe(1);
    expect((await control.delete('/__emulator/stats')).status).toBe(204);
    expect((await control.get('/__emulator/stats')).body).toEqual({ requests: 0, byRoute: {} });
    await control.post('/__emulator/faults', { kind: 'drop', count: 5 });
    expect((await control.delete('/__emulator/faults')).status).toBe(204);
    expect((await control.get('/healthz')).status).toBe(200);
  });

  it('GIVEN invalid control input WHEN sent THEN 400 with zod issues or the seeding error', async () => {
    const invalid = await api().post('/__emulator/service-principals', { name: 'x', role: 'root' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.issues[0].path).toEqual(['role']);
    expect((await api().post('/__emulator/sandboxes/gw/nope/out-of-band-edit', { policy: {} })).body.detail).toBe(
      "Sandbox 'nope' does not exist on gateway 'gw'",
    );
  });

  it('GIVEN seeded state WHEN reset over HTTP THEN only the bootstrap principals remain and keys still work', async () => {
    await api().post('/__emulator/gateways', { name: 'gw' });
    expect((await api().post('/__emulator/reset')).status).toBe(204);
    expect((await api().get('/api/gateway/list')).body.total).toBe(0);
    expect((await api().get('/__emulator/keys')).body).toEqual(emulator().keys);
  });
});

describe('emulator: runEmulatorCommand', () => {
  it('GIVEN the command WHEN started THEN it prints the URL and keys, serves, and closes on the stop signal', async () => {
    const output = new PassThrough();
    let text = '';
    output.on('data', (chunk: Buffer) => (text += chunk.toString()));
    let stop: () => void = () => undefined;
    const stopSignal = new Promise<void>((resolve) => (stop = resolve));
    const running = runEmulatorCommand({ port: 0, host: '127.0.0.1', localMode: true, output, stopSignal });
    while (!text.includes('Viewer API key')) await new Promise((resolve) => setImmediate(resolve));
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^URL: http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines[1]).toMatch(/^API key: sg_[A-Za-z0-9_-]{43}$/);
    expect(lines.slice(2).map((line) => line.split(': ')[0])).toEqual(['Operator API key', 'Operator 2 API key', 'Viewer API key']);
    const url = lines[0]!.slice('URL: '.length);
    const key = lines[1]!.slice('API key: '.length);
    expect((await fetch(`${url}/api/gateway/list`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    stop();
    await running;
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('GIVEN a running emulator WHEN printed or serialised THEN no API key appears', async () => {
    const emulator = await startEmulator();
    try {
      for (const text of [inspect(emulator), String(emulator), JSON.stringify(emulator)]) {
        for (const key of Object.values(emulator.keys)) expect(text).not.toContain(key);
      }
      expect(String(emulator)).toContain(emulator.url);
    } finally {
      await emulator.close();
    }
  });

  it('GIVEN a port already in use WHEN the command starts THEN an EmulatorStartError says how to fix it', async () => {
    const busy = await startEmulator();
    try {
      const failure = runEmulatorCommand({ port: busy.port, host: '127.0.0.1', localMode: true, stopSignal: Promise.resolve() });
      await expect(failure).rejects.toBeInstanceOf(EmulatorStartError);
      await expect(failure).rejects.toHaveProperty(
        'message',
        `port ${busy.port} on 127.0.0.1 is already in use; pick another with --port (0 = any free port)`,
      );
    } finally {
      await busy.close();
    }
  });

  it('GIVEN two emulators WHEN started THEN their keys differ', async () => {
    const [a, b] = await Promise.all([startEmulator(), startEmulator()]);
    try {
      expect(a.adminKey).not.toBe(b.adminKey);
      expect(new Set(Object.values(a.keys)).size).toBe(4);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
