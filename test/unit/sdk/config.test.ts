import { inspect } from 'node:util';
import { ConfigError, DEFAULT_RETRY_POLICY, DEFAULT_URL, createClient, isLoopbackHost, resolveConfig } from '../../../sdk';
import { JSON_HEADERS, ORIGIN, TOKEN, harness } from './helpers';

function resolveWith(options: Parameters<typeof resolveConfig>[0]) {
  const warnings: string[] = [];
  const config = resolveConfig({ logger: { warn: (m) => warnings.push(m) }, ...options });
  return { config, warnings };
}

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('config resolution', () => {
  test('GIVEN no options and an empty env WHEN resolving THEN the default URL, no key and default policies apply', () => {
    const { config } = resolveWith({ env: {} });
    expect(config.baseUrl).toBe(DEFAULT_URL);
    expect(config.token).toBeUndefined();
    expect(config.timeouts).toEqual({ connectMs: 10_000, requestMs: 30_000 });
    expect(config.retry).toEqual(DEFAULT_RETRY_POLICY);
  });

  test('GIVEN SHOREGUARD_URL and SHOREGUARD_TOKEN WHEN no options THEN both come from the env', () => {
    const { config } = resolveWith({ env: { SHOREGUARD_URL: 'https://sg.example.com/', SHOREGUARD_TOKEN: 'env-token' } });
    expect(config.baseUrl).toBe('https://sg.example.com');
    expect(config.token?.reveal()).toBe('env-token');
    expect(config.tokenSource).toBe('SHOREGUARD_TOKEN');
  });

  test('GIVEN only SHOREGUARD_API_KEY WHEN resolving THEN it is accepted as the key', () => {
    const { config } = resolveWith({ env: { SHOREGUARD_API_KEY: 'api-key-env' } });
    expect(config.token?.reveal()).toBe('api-key-env');
    expect(config.tokenSource).toBe('SHOREGUARD_API_KEY');
  });

  test('GIVEN both env names WHEN resolving THEN SHOREGUARD_TOKEN wins', () => {
    const { config } = resolveWith({ env: { SHOREGUARD_TOKEN: 'from-token', SHOREGUARD_API_KEY: 'from-api-key' } });
    expect(config.token?.reveal()).toBe('from-token');
  });

  test('GIVEN explicit options and env WHEN resolving THEN the options win', () => {
    const { config } = resolveWith({
      url: 'https://option.example.com',
      token: 'option-token',
      env: { SHOREGUARD_URL: 'https://env.example.com', SHOREGUARD_TOKEN: 'env-token' },
    });
    expect(config.baseUrl).toBe('https://option.example.com');
    expect(config.token?.reveal()).toBe('option-token');
    expect(config.tokenSource).toBe('option token');
  });

  test('GIVEN blank env values WHEN resolving THEN they count as unset', () => {
    const { config } = resolveWith({ env: { SHOREGUARD_URL: '  ', SHOREGUARD_TOKEN: '' } });
    expect(config.baseUrl).toBe(DEFAULT_URL);
    expect(config.token).toBeUndefined();
  });

  test('GIVEN a URL with a path prefix and trailing slashes WHEN resolving THEN the prefix is kept without the slashes', () => {
    const { config } = resolveWith({ url: 'https://proxy.example.com/shoreguard//', env: {} });
    expect(config.baseUrl).toBe('https://proxy.example.com/shoreguard');
    expect(config.origin).toBe('https://proxy.example.com');
    expect(config.basePath).toBe('/shoreguard');
  });

  test('GIVEN a malformed SHOREGUARD_URL WHEN resolving THEN a config error names the env var', () => {
    const error = configErrorOf(() => resolveWith({ env: { SHOREGUARD_URL: 'not a url' } }));
    expect(error.code).toBe('config');
    expect(error.option).toBe('SHOREGUARD_URL');
    expect(error.message).toContain('SHOREGUARD_URL');
  });

  test('GIVEN an ftp url option WHEN resolving THEN a config error names the option', () => {
    const error = configErrorOf(() => resolveWith({ url: 'ftp://sg.example.com', env: {} }));
    expect(error.option).toBe('option url');
    expect(error.message).toMatch(/protocol ftp: is not supported/);
  });

  test('GIVEN credentials inside the URL WHEN resolving THEN it is rejected without echoing them', () => {
    const error = configErrorOf(() => resolveWith({ url: 'https://user:hunter2@sg.example.com', env: {} }));
    expect(error.message).toMatch(/credentials in the URL/);
    expect(error.message).not.toContain('hunter2');
  });

  test('GIVEN a key with a line break WHEN resolving THEN a config error names the source but not the value', () => {
    const error = configErrorOf(() => resolveWith({ env: { SHOREGUARD_TOKEN: 'abc\r\nX-Evil: 1' } }));
    expect(error.option).toBe('SHOREGUARD_TOKEN');
    expect(error.message).not.toContain('abc');
  });

  test('GIVEN a negative connect timeout WHEN resolving THEN the error names timeouts.connectMs', () => {
    const error = configErrorOf(() => resolveWith({ env: {}, timeouts: { connectMs: -1 } }));
    expect(error.option).toBe('timeouts.connectMs');
  });

  test('GIVEN retry.maxAttempts 0 WHEN resolving THEN the error names retry.maxAttempts', () => {
    const error = configErrorOf(() => resolveWith({ env: {}, retry: { maxAttempts: 0 } }));
    expect(error.option).toBe('retry.maxAttempts');
  });

  test('GIVEN a TLS cert without a key WHEN resolving THEN it is rejected', () => {
    const error = configErrorOf(() => resolveWith({ env: {}, tls: { cert: '-----BEGIN CERTIFICATE-----' } }));
    expect(error.option).toBe('tls');
  });

  test('GIVEN a partial retry policy WHEN resolving THEN it is merged over the defaults', () => {
    const { config } = resolveWith({ env: {}, retry: { maxAttempts: 2, jitter: 'none' } });
    expect(config.retry).toEqual({ ...DEFAULT_RETRY_POLICY, maxAttempts: 2, jitter: 'none' });
  });

  test('GIVEN a user-agent suffix with a line break WHEN resolving THEN it is rejected', () => {
    const error = configErrorOf(() => resolveWith({ env: {}, userAgent: 'ci/1\r\nX-Evil: 1' }));
    expect(error.option).toBe('userAgent');
  });

  test('GIVEN a TLS private key WHEN the resolved config is printed THEN neither key nor token shows', () => {
    const { config } = resolveWith({ env: {}, token: TOKEN, tls: { cert: 'CERT', key: 'PRIVATE-KEY-PEM-xyz' } });
    const printed = `${inspect(config, { depth: 5 })} ${JSON.stringify(config)}`;
    expect(printed).not.toContain(TOKEN);
    expect(printed).not.toContain('PRIVATE-KEY-PEM-xyz');
    expect(config.tls.key?.reveal()).toBe('PRIVATE-KEY-PEM-xyz');
  });
});

describe('plain-http warning', () => {
  test('GIVEN a key and plain http to a remote host WHEN resolving THEN one warning names the host', () => {
    const { warnings } = resolveWith({ url: 'http://sg.example.com:8888', token: TOKEN, env: {} });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('sg.example.com');
    expect(warnings[0]).not.toContain(TOKEN);
  });

  test.each(['http://localhost:8888', 'http://127.0.0.1:9000', 'http://[::1]:8888', 'https://sg.example.com'])(
    'GIVEN a key and %s WHEN resolving THEN no warning',
    (url) => {
      expect(resolveWith({ url, token: TOKEN, env: {} }).warnings).toEqual([]);
    },
  );

  test('GIVEN no key and plain http to a remote host WHEN resolving THEN no warning (nothing secret travels)', () => {
    expect(resolveWith({ url: 'http://sg.example.com', env: {} }).warnings).toEqual([]);
  });

  test('GIVEN no logger WHEN a warning is due THEN it goes to process.emitWarning', () => {
    const spy = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      resolveConfig({ url: 'http://10.0.0.5:8888', token: TOKEN, env: {} });
      expect(spy).toHaveBeenCalledTimes(1);
      expect(String(spy.mock.calls[0]?.[0])).toContain('10.0.0.5');
    } finally {
      spy.mockRestore();
    }
  });

  test.each([
    ['localhost', true],
    ['api.localhost', true],
    ['127.8.9.10', true],
    ['[::1]', true],
    ['10.0.0.1', false],
    ['localhost.example.com', false],
  ])('GIVEN host %s WHEN checking loopback THEN %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe('request headers', () => {
  test('GIVEN a key and a user-agent suffix WHEN calling THEN Bearer auth, UA, accept and a request id are sent', async () => {
    const h = harness({ userAgent: 'pipeline/7' });
    h.pool.intercept({ path: '/healthz', method: 'GET' }).reply(200, { status: 'ok' }, { headers: JSON_HEADERS });
    await h.client.health();
    const headers = h.calls()[0]?.headers as Record<string, string>;
    expect(headers['authorization']).toBe(`Bearer ${TOKEN}`);
    expect(headers['user-agent']).toBe(`shoreguard-iac/0.1.0 (+node/${process.versions.node}) pipeline/7`);
    expect(headers['accept']).toContain('application/json');
    expect(headers['x-request-id']).toMatch(/^[0-9a-f]{16}$/);
  });

  test('GIVEN no key WHEN calling THEN no Authorization header is sent', async () => {
    const h = harness({ token: undefined });
    h.pool.intercept({ path: '/version', method: 'GET' }).reply(200, { version: '0.40.0' }, { headers: JSON_HEADERS });
    await expect(h.client.version()).resolves.toMatchObject({ version: '0.40.0' });
    expect(h.calls()[0]?.headers).not.toHaveProperty('authorization');
  });

  test('GIVEN a base path WHEN calling THEN requests go below it', async () => {
    const h = harness({ url: `${ORIGIN}/sg/` });
    h.pool.intercept({ path: '/sg/healthz', method: 'GET' }).reply(200, { status: 'ok' }, { headers: JSON_HEADERS });
    await expect(h.client.health()).resolves.toMatchObject({ status: 'ok' });
    expect(h.client.baseUrl).toBe(`${ORIGIN}/sg`);
  });

  test('GIVEN a JSON body WHEN posting THEN content-type is application/json', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/auth/groups', method: 'POST' }).reply(201, { id: 1, name: 'g', role: 'viewer', description: null, created_at: null, member_count: 0 }, { headers: JSON_HEADERS });
    await h.client.groups.create({ name: 'g' });
    expect((h.calls()[0]?.headers as Record<string, string>)['content-type']).toBe('application/json');
  });

  test('GIVEN an injected dispatcher WHEN the client is closed THEN the dispatcher still serves other clients', async () => {
    const h = harness();
    await h.client.close();
    h.pool.intercept({ path: '/healthz', method: 'GET' }).reply(200, { status: 'ok' }, { headers: JSON_HEADERS });
    const other = createClient({ url: ORIGIN, dispatcher: h.agent, env: {} });
    await expect(other.health()).resolves.toMatchObject({ status: 'ok' });
  });

  test('GIVEN no dispatcher WHEN the client is created and closed THEN its own pool closes cleanly', async () => {
    const client = createClient({ url: 'http://127.0.0.1:1', env: {} });
    await expect(client.close()).resolves.toBeUndefined();
  });
});
