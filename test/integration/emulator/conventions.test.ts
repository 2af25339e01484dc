import { request } from 'node:http';
import { useEmulator } from './harness';

describe('emulator: cross-cutting conventions (§1)', () => {
  const { api } = useEmulator();

  it('GIVEN no credentials WHEN probing /healthz, /readyz and /version THEN they answer without auth', async () => {
    expect((await api().get('/healthz', { key: null })).body).toEqual({ status: 'ok' });
    const ready = await api().get('/readyz', { key: null });
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
    expect((await api().get('/version', { key: null })).body).toEqual({ version: '0.40.0', git_sha: 'unknown', build_time: 'unknown' });
  });

  it('GIVEN an unknown route WHEN requested THEN 404 is plain JSON {"detail":"Not Found"} without code', async () => {
    const response = await api().get('/api/nope');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.body).toEqual({ detail: 'Not Found' });
  });

  it('GIVEN a known path with the wrong method WHEN requested THEN 405 Method Not Allowed', async () => {
    const response = await api().request('PUT', '/api/gateway/list');
    expect(response.status).toBe(405);
    expect(response.body).toEqual({ detail: 'Method Not Allowed' });
  });

  it('GIVEN no Bearer key WHEN calling a protected route THEN 401 problem+json with WWW-Authenticate: Bearer', async () => {
    const response = await api().get('/api/gateway/list', { key: null });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body).toMatchObject({
      type: 'about:blank',
      title: 'Authentication Required',
      status: 401,
      detail: 'Invalid or missing credentials',
      code: 'AUTHENTICATION_REQUIRED',
    });
  });

  it('GIVEN an X-Request-ID WHEN an error is returned THEN the id is echoed in header and body, keys in RFC order', async () => {
    const response = await api().get('/api/gateway/list', { key: 'sg_unknown', headers: { 'x-request-id': 'req-123' } });
    expect(response.headers.get('x-request-id')).toBe('req-123');
    expect(Object.keys(response.body)).toEqual(['type', 'title', 'status', 'detail', 'code', 'request_id']);
    expect(response.body.request_id).toBe('req-123');
  });

  it('GIVEN no X-Request-ID WHEN answered THEN a 16-hex request id is generated', async () => {
    const response = await api().get('/healthz');
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f]{16}$/);
  });

  it('GIVEN invalid JSON and no credentials WHEN posting to a body route THEN 422 json_invalid comes before auth', async () => {
    const response = await api().post('/api/gateway/register', '{"name": ', { key: null });
    expect(response.status).toBe(422);
    expect(response.body.detail).toBe('Validation error');
    expect(response.body.errors).toEqual([{ type: 'json_invalid', loc: ['body', 9], msg: 'JSON decode error', input: {} }]);
  });

  it('GIVEN an invalid gateway name and no credentials WHEN calling /api/gateways/{gw} THEN 400 comes before 401', async () => {
    const response = await api().get('/api/gateways/-bad/sandboxes', { key: null });
    expect(response.status).toBe(400);
    expect(response.body.detail).toBe('Invalid gateway name: must match [a-zA-Z0-9][a-zA-Z0-9._-]*');
    expect(response.body.code).toBe('VALIDATION_ERROR');
  });

  it('GIVEN a viewer key WHEN calling an admin route THEN 403 "Requires admin role"', async () => {
    const response = await api().get('/api/auth/users', { key: api().emulator.keys.viewer });
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ title: 'Permission Denied', detail: 'Requires admin role', code: 'PERMISSION_DENIED' });
  });

  it('GIVEN a Content-Length that is too big or malformed WHEN sent THEN 413 plain JSON / 400', async () => {
    const url = new URL(api().emulator.url);
    const send = (length: string): Promise<{ status: number; body: string }> =>
      new Promise((resolve, reject) => {
        const req = request({ host: url.hostname, port: url.port, path: '/api/gateway/list', method: 'POST', headers: { 'content-length': length } });
        req.on('response', (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    const tooLarge = await send('20000000');
    expect(tooLarge.status).toBe(413);
    expect(JSON.parse(tooLarge.body)).toEqual({ detail: 'Request body too large (limit 10485760 bytes)' });
    // Like uvicorn's parser, Node's rejects a malformed Content-Length before the app sees it.
    expect((await send('12abc')).status).toBe(400);
  });
});
