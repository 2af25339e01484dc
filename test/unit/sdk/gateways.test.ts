import { ValidationError } from '../../../sdk';
import { wireGateway } from './fixtures';
import { JSON_HEADERS, PROBLEM_HEADERS, harness, problem, rejectionOf } from './helpers';

describe('client.gateways', () => {
  test('GIVEN a camelCase register input WHEN registering THEN the body uses wire names and omits undefined keys', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/gateway/register', method: 'POST' }).reply(201, wireGateway('gw1'), { headers: JSON_HEADERS });
    await h.client.gateways.register({
      name: 'gw1',
      endpoint: 'gw1.example.com:8443',
      authMode: 'mtls',
      caCert: 'Q0E=',
      clientCert: 'Q0VSVA==',
      clientKey: 'S0VZ',
      metadata: { runtime: 'docker' },
      description: null,
      labels: { env: 'prod' },
    });
    expect(h.bodyOf(0)).toEqual({
      name: 'gw1',
      endpoint: 'gw1.example.com:8443',
      auth_mode: 'mtls',
      ca_cert: 'Q0E=',
      client_cert: 'Q0VSVA==',
      client_key: 'S0VZ',
      metadata: { runtime: 'docker' },
      description: null,
      labels: { env: 'prod' },
    });
  });

  test('GIVEN a register response WHEN parsed THEN keys are camelCase and nulls stay null', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/gateway/register', method: 'POST' }).reply(201, wireGateway('gw1', { extra_future_field: 1 }), { headers: JSON_HEADERS });
    const gateway = await h.client.gateways.register({ name: 'gw1', endpoint: 'gw1.example.com:8443' });
    expect(gateway).toEqual({
      name: 'gw1',
      endpoint: 'gw1.example.com:8443',
      scheme: 'https',
      authMode: 'mtls',
      hasCaCert: true,
      hasClientCert: true,
      hasClientKey: true,
      metadata: { runtime: 'docker' },
      description: null,
      labels: { env: 'prod' },
      registeredAt: '2026-04-20T12:00:00.123456',
      lastSeen: null,
      lastStatus: 'unknown',
      runtime: 'docker',
      connected: false,
      status: 'unreachable',
      configured: null,
      version: null,
    });
  });

  test('GIVEN a duplicate name WHEN registering THEN a conflict error names the gateway', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/gateway/register', method: 'POST' }).reply(409, problem(409, 'CONFLICT', "Gateway 'gw1' is already registered"), { headers: PROBLEM_HEADERS });
    await expect(h.client.gateways.register({ name: 'gw1', endpoint: 'gw1.example.com:8443' })).rejects.toMatchObject({ code: 'conflict', gateway: 'gw1' });
  });

  test('GIVEN label and runtime filters WHEN listing THEN repeated label=k:v params and runtime are sent', async () => {
    const h = harness();
    h.pool.intercept({ path: (p) => p.startsWith('/api/gateway/list'), method: 'GET' }).reply(200, { items: [wireGateway('a')], total: 1 }, { headers: JSON_HEADERS });
    const gateways = await h.client.gateways.list({ labels: { env: 'prod', team: 'sec' }, runtime: 'docker' });
    expect(gateways.map((g) => g.name)).toEqual(['a']);
    const url = new URL(h.calls()[0]?.fullUrl ?? '');
    expect(url.searchParams.getAll('label')).toEqual(['env:prod', 'team:sec']);
    expect(url.searchParams.get('runtime')).toBe('docker');
  });

  test('GIVEN list items without configured/version WHEN listing THEN those read as null', async () => {
    const h = harness();
    const item = wireGateway('a');
    delete item['configured'];
    delete item['version'];
    h.pool.intercept({ path: '/api/gateway/list', method: 'GET' }).reply(200, { items: [item], total: 1 }, { headers: JSON_HEADERS });
    const [gateway] = await h.client.gateways.list();
    expect(gateway).toMatchObject({ configured: null, version: null });
  });

  test('GIVEN a name WHEN reading info THEN GET /api/gateway/{name}/info is called', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/gateway/gw.prod-1/info', method: 'GET' }).reply(200, wireGateway('gw.prod-1', { configured: true, version: '0.0.36', connected: true }), { headers: JSON_HEADERS });
    await expect(h.client.gateways.info('gw.prod-1')).resolves.toMatchObject({ configured: true, version: '0.0.36', connected: true });
  });

  test('GIVEN a name with a slash WHEN reading info THEN it is encoded as one path segment', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/gateway/a%2Fb/info', method: 'GET' }).reply(400, problem(400, 'VALIDATION_ERROR', 'Invalid gateway name'), { headers: PROBLEM_HEADERS });
    await expect(h.client.gateways.info('a/b')).rejects.toMatchObject({ code: 'validation' });
  });

  test.each([
    ['gw2', 'gw2'],
    ['missing', null],
  ])('GIVEN the list WHEN finding %p by name THEN %p', async (name, expected) => {
    const h = harness();
    h.pool.intercept({ path: '/api/gateway/list', method: 'GET' }).reply(200, { items: [wireGateway('gw1'), wireGateway('gw2')], total: 2 }, { headers: JSON_HEADERS });
    const found = await h.client.gateways.findByName(name);
    expect(found?.name ?? null).toBe(expected);
  });

  test('GIVEN a patch with only labels WHEN updating THEN PATCH sends only labels', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/gateway/gw1', method: 'PATCH' }).reply(200, wireGateway('gw1', { labels: { a: '1' } }), { headers: JSON_HEADERS });
    await h.client.gateways.update('gw1', { labels: { a: '1' } });
    expect(h.bodyOf(0)).toEqual({ labels: { a: '1' } });
  });

  test('GIVEN description null WHEN updating THEN null is sent to clear it', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/gateway/gw1', method: 'PATCH' }).reply(200, wireGateway('gw1'), { headers: JSON_HEADERS });
    await h.client.gateways.update('gw1', { description: null, labels: undefined });
    expect(h.bodyOf(0)).toEqual({ description: null });
  });

  test('GIVEN an empty patch WHEN updating THEN a local validation error is thrown and nothing is sent', async () => {
    const h = harness();
    const error = await rejectionOf(h.client.gateways.update('gw1', {}));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'validation', status: undefined, gateway: 'gw1' });
    expect(h.calls()).toHaveLength(0);
  });

  test('GIVEN an existing gateway WHEN deleting THEN the {success,name} body is returned', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/gateway/gw1', method: 'DELETE' }).reply(200, { success: true, name: 'gw1' }, { headers: JSON_HEADERS });
    await expect(h.client.gateways.delete('gw1')).resolves.toEqual({ success: true, name: 'gw1' });
  });

  test('GIVEN an unknown gateway WHEN deleting THEN not_found is thrown', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/gateway/nope', method: 'DELETE' }).reply(404, problem(404, 'NOT_FOUND', "Gateway 'nope' not found"), { headers: PROBLEM_HEADERS });
    await expect(h.client.gateways.delete('nope')).rejects.toMatchObject({ code: 'not_found', gateway: 'nope' });
  });

  test.each(['', '.', '..'])('GIVEN the name %p WHEN reading info THEN it is rejected before sending', async (name) => {
    const h = harness();
    await expect(h.client.gateways.info(name)).rejects.toMatchObject({ code: 'validation' });
    expect(h.calls()).toHaveLength(0);
  });
});
