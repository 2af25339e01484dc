/** The SDK against the emulator: Bearer auth with service-principal keys, and the gateway registry. */
import { inspect } from 'node:util';
import { REDACTED, type RegisterGatewayInput, ValidationError } from '../../../sdk';
import { failure, useSdkEmulator } from './harness';

const h = useSdkEmulator();

describe('service-principal auth (Bearer)', () => {
  it('GIVEN the seeded admin key WHEN health, version and a protected read are called THEN all answer', async () => {
    const client = h.client('admin');
    expect((await client.health()).status).toBe('ok');
    expect((await client.version()).version).toBe('0.40.0');
    await expect(client.gateways.list()).resolves.toEqual([]);
    // Plain http is fine on loopback: no insecure-transport warning.
    expect(h.log().warn).toEqual([]);
  });

  it('GIVEN no API key WHEN a protected route is called THEN auth error (401) whose hint says no key is configured', async () => {
    const error = await failure(h.client('anonymous').gateways.list());
    expect(error).toMatchObject({ code: 'auth', status: 401, serverCode: 'AUTHENTICATION_REQUIRED', method: 'GET', path: '/api/gateway/list' });
    expect(error.hint).toMatch(/No API key is configured/);
  });

  it('GIVEN an unknown key WHEN a protected route is called THEN auth error (401) that never shows the key', async () => {
    const wrongKey = 'sg_thisKeyDoesNotExistOnTheServerAtAll1234567';
    const error = await failure(h.client({ token: wrongKey }).gateways.list());
    expect(error).toMatchObject({ code: 'auth', status: 401 });
    expect(error.hint).toMatch(/valid, unexpired service-principal key/);
    const printed = [error.message, String(error), JSON.stringify(error), inspect(error), error.stack ?? ''].join('\n');
    expect(printed).not.toContain(wrongKey);
  });

  it('GIVEN a service principal created through the SDK WHEN its key is used THEN it acts with its role, and after delete it is rejected', async () => {
    const admin = h.client('admin');
    const created = await admin.servicePrincipals.create({ name: 'ci-deployer', role: 'operator' });
    expect(created).toMatchObject({ name: 'ci-deployer', role: 'operator', keyPrefix: created.key.slice(0, 12) });
    expect(created.key).toMatch(/^sg_[A-Za-z0-9_-]{43}$/);
    expect((await admin.servicePrincipals.list()).map((sp) => sp.name)).toContain('ci-deployer');

    const deployer = h.client({ token: created.key });
    await expect(deployer.gateways.list()).resolves.toEqual([]);
    const forbidden = await failure(deployer.gateways.register({ name: 'gw', endpoint: '127.0.0.1:8443' }));
    expect(forbidden).toMatchObject({ code: 'forbidden', status: 403, detail: 'Requires admin role' });

    await admin.servicePrincipals.delete(created.id);
    expect(await failure(deployer.gateways.list())).toMatchObject({ code: 'auth', status: 401 });
    expect(await failure(admin.servicePrincipals.delete(created.id))).toMatchObject({ code: 'not_found', status: 404 });
  });

  it('GIVEN a taken service-principal name WHEN created again THEN conflict (409)', async () => {
    const admin = h.client('admin');
    await admin.servicePrincipals.create({ name: 'dup', role: 'viewer' });
    expect(await failure(admin.servicePrincipals.create({ name: 'dup', role: 'viewer' }))).toMatchObject({ code: 'conflict', status: 409 });
  });
});

describe('gateways', () => {
  it('GIVEN an admin WHEN register THEN 201 with the full gateway object and connected status', async () => {
    const gateway = await h.client('admin').gateways.register({
      name: 'prod-gw',
      endpoint: '127.0.0.1:50051',
      scheme: 'http',
      authMode: 'none',
      description: 'production',
      labels: { env: 'prod' },
      metadata: { runtime: 'Kubernetes' },
    });
    expect(gateway).toMatchObject({
      name: 'prod-gw',
      endpoint: '127.0.0.1:50051',
      scheme: 'http',
      authMode: 'none',
      description: 'production',
      labels: { env: 'prod' },
      runtime: 'kubernetes',
      connected: true,
      status: 'connected',
      configured: null,
      version: null,
    });
    expect(h.hits('POST', '/api/gateway/register')).toBe(1);
  });

  it('GIVEN three gateways WHEN list with and without a label filter THEN ordered by name and AND-filtered', async () => {
    const admin = h.client('admin');
    for (const [name, env] of [['c-gw', 'prod'], ['a-gw', 'prod'], ['b-gw', 'dev']] as const) {
      await admin.gateways.register({ name, endpoint: '127.0.0.1:50051', labels: { env, team: 'core' } });
    }
    expect((await admin.gateways.list()).map((g) => g.name)).toEqual(['a-gw', 'b-gw', 'c-gw']);
    expect((await admin.gateways.list({ labels: { env: 'prod', team: 'core' } })).map((g) => g.name)).toEqual(['a-gw', 'c-gw']);
    expect(await admin.gateways.findByName('b-gw')).toMatchObject({ name: 'b-gw', labels: { env: 'dev', team: 'core' } });
    expect(await admin.gateways.findByName('missing')).toBeNull();
  });

  it('GIVEN a registered gateway WHEN info THEN configured is true and the gateway version is reported', async () => {
    const admin = h.client('admin');
    await admin.gateways.register({ name: 'gw', endpoint: '127.0.0.1:50051' });
    const info = await h.client('viewer').gateways.info('gw');
    expect(info).toMatchObject({ name: 'gw', configured: true, connected: true });
    expect(info.version).toEqual(expect.any(String));
  });

  it('GIVEN a gateway WHEN update (PATCH) THEN only the sent fields change and null clears', async () => {
    const admin = h.client('admin');
    await admin.gateways.register({ name: 'gw', endpoint: '127.0.0.1:50051', description: 'old', labels: { env: 'prod' } });
    expect(await admin.gateways.update('gw', { description: 'new' })).toMatchObject({ description: 'new', labels: { env: 'prod' } });
    expect(await admin.gateways.update('gw', { labels: null })).toMatchObject({ description: 'new', labels: {} });
    expect(await admin.gateways.update('gw', { description: null })).toMatchObject({ description: null });
  });

  it('GIVEN an empty patch WHEN update THEN a local ValidationError and no request is sent', async () => {
    const admin = h.client('admin');
    await admin.gateways.register({ name: 'gw', endpoint: '127.0.0.1:50051' });
    const error = await failure(admin.gateways.update('gw', {}));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.status).toBeUndefined();
    expect(h.hits('PATCH', '/api/gateway/{name}')).toBe(0);
  });

  it('GIVEN a gateway WHEN delete THEN success, it is gone, and a second delete is not_found', async () => {
    const admin = h.client('admin');
    await admin.gateways.register({ name: 'gw', endpoint: '127.0.0.1:50051' });
    expect(await admin.gateways.delete('gw')).toEqual({ success: true, name: 'gw' });
    expect(await admin.gateways.findByName('gw')).toBeNull();
    expect(await failure(admin.gateways.delete('gw'))).toMatchObject({ code: 'not_found', status: 404, gateway: 'gw' });
    expect(await failure(admin.gateways.update('gw', { description: 'x' }))).toMatchObject({ code: 'not_found', status: 404 });
  });

  it('GIVEN a registered name WHEN register again THEN conflict (409) with the server detail', async () => {
    const admin = h.client('admin');
    await admin.gateways.register({ name: 'gw', endpoint: '127.0.0.1:50051' });
    const error = await failure(admin.gateways.register({ name: 'gw', endpoint: '127.0.0.1:50052' }));
    expect(error).toMatchObject({ code: 'conflict', status: 409, serverCode: 'CONFLICT', detail: "Gateway 'gw' is already registered" });
  });

  it('GIVEN an endpoint that is not host:port WHEN register THEN validation (422) with the field issue as data', async () => {
    const error = await failure(h.client('admin').gateways.register({ name: 'gw', endpoint: 'https://example.com' }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'validation', status: 422 });
    expect((error as ValidationError).issues).toEqual([expect.objectContaining({ loc: ['body', 'endpoint'], type: 'value_error' })]);
  });

  it('GIVEN an invalid gateway name WHEN register THEN validation (400) naming the pattern', async () => {
    const error = await failure(h.client('admin').gateways.register({ name: '-bad name', endpoint: '127.0.0.1:50051' }));
    expect(error).toMatchObject({ code: 'validation', status: 400, serverCode: 'VALIDATION_ERROR' });
    expect(error.detail).toMatch(/Invalid gateway name/);
  });

  it('GIVEN an unknown gateway WHEN info THEN server error (500, the contract trap) after one attempt', async () => {
    const error = await failure(h.client('admin').gateways.info('nope'));
    expect(error).toMatchObject({ code: 'server', status: 500, attempts: 1 });
    expect(h.hits('GET', '/api/gateway/{name}/info')).toBe(1);
  });

  it('GIVEN a viewer WHEN register, update or delete a gateway THEN forbidden (403) with a role hint', async () => {
    h.emulator().state.registerGateway({ name: 'gw' });
    const viewer = h.client('viewer');
    for (const call of [
      viewer.gateways.register({ name: 'gw2', endpoint: '127.0.0.1:50051' }),
      viewer.gateways.update('gw', { description: 'x' }),
      viewer.gateways.delete('gw'),
    ]) {
      const error = await failure(call);
      expect(error).toMatchObject({ code: 'forbidden', status: 403, serverCode: 'PERMISSION_DENIED' });
      expect(error.hint).toMatch(/Needs role admin/);
    }
  });

  it('GIVEN a 422 whose issue echoes the whole register body WHEN it surfaces THEN the client key is redacted from issues, message and JSON', async () => {
    const clientKey = 'LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tc2VjcmV0LWtleS1tYXRlcmlhbA==';
    // Missing endpoint: pydantic's "missing" issue carries the full body as `input`.
    const input = { name: 'gw', clientKey } as unknown as RegisterGatewayInput;
    const error = await failure(h.client('admin').gateways.register(input));
    expect(error).toMatchObject({ code: 'validation', status: 422 });
    const issues = (error as ValidationError).issues;
    expect(issues).toEqual([expect.objectContaining({ type: 'missing', loc: ['body', 'endpoint'], input: { name: 'gw', client_key: REDACTED } })]);
    expect([JSON.stringify(error), inspect(error), error.message].join('\n')).not.toContain(clientKey);
  });
});
