import { inspect } from 'node:util';
import { REDACTED, SecretValue, ShoreGuardError } from '../../../sdk';
import { JSON_HEADERS, PROBLEM_HEADERS, SG_KEY, TOKEN, harness, problem, rejectionOf } from './helpers';

/** Every way an error can be printed or shipped. */
function renderings(error: ShoreGuardError): Record<string, string> {
  return {
    message: error.message,
    toString: String(error),
    json: JSON.stringify(error),
    inspect: inspect(error, { depth: 10 }),
    stack: error.stack ?? '',
    cause: inspect((error as { cause?: unknown }).cause, { depth: 10 }),
  };
}

function expectNoSecret(error: unknown, secret: string): void {
  expect(error).toBeInstanceOf(ShoreGuardError);
  for (const [how, text] of Object.entries(renderings(error as ShoreGuardError))) {
    expect({ how, leaked: text.includes(secret) }).toEqual({ how, leaked: false });
  }
}

describe('API key redaction', () => {
  test('GIVEN a server that echoes the key in a 401 detail WHEN the call fails THEN no rendering of the error holds the key', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/auth/users', method: 'GET' }).reply(401, problem(401, 'AUTHENTICATION_REQUIRED', `Invalid token ${TOKEN}`), { headers: PROBLEM_HEADERS });
    const error = await rejectionOf(h.client.users.list());
    expectNoSecret(error, TOKEN);
    expect((error as ShoreGuardError).detail).toBe(`Invalid token ${REDACTED}`);
  });

  test('GIVEN a network error whose message holds the key WHEN the call fails THEN neither the error nor its cause holds it', async () => {
    const h = harness({ retry: { maxAttempts: 1 } });
    h.pool.intercept({ path: '/healthz', method: 'GET' }).replyWithError(Object.assign(new Error(`proxy said Authorization: Bearer ${TOKEN}`), { code: 'ECONNRESET' }));
    const error = await rejectionOf(h.client.health());
    expectNoSecret(error, TOKEN);
    expect(renderings(error as ShoreGuardError)['cause']).toContain('ECONNRESET');
  });

  test('GIVEN any ShoreGuard-shaped key in a detail WHEN the call fails THEN it is redacted even though it is not the configured key', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/auth/groups/1', method: 'GET' }).reply(404, problem(404, 'NOT_FOUND', `no group for ${SG_KEY}`), { headers: PROBLEM_HEADERS });
    expectNoSecret(await rejectionOf(h.client.groups.get(1)), SG_KEY);
  });

  test('GIVEN a 422 that echoes a client_key as input WHEN registering THEN the issues and detail hold no key', async () => {
    const clientKey = 'LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tdGVzdA==';
    const h = harness();
    h.pool.intercept({ path: '/api/gateway/register', method: 'POST' }).reply(
      422,
      problem(422, 'VALIDATION_ERROR', 'Validation error', { errors: [{ type: 'value_error', loc: ['body', 'client_key'], msg: 'bad', input: clientKey }] }),
      { headers: PROBLEM_HEADERS },
    );
    const error = await rejectionOf(h.client.gateways.register({ name: 'gw', endpoint: 'gw.example.com:8443', clientKey }));
    expectNoSecret(error, clientKey);
  });

  test('GIVEN a retried call WHEN the debug note is logged THEN it holds no key', async () => {
    const h = harness();
    h.pool.intercept({ path: '/healthz', method: 'GET' }).reply(503, `busy ${TOKEN}`, { headers: { 'content-type': 'text/plain' } });
    h.pool.intercept({ path: '/healthz', method: 'GET' }).reply(200, { status: 'ok' }, { headers: JSON_HEADERS });
    await h.client.health();
    expect(h.debugs.join('\n')).not.toContain(TOKEN);
  });

  test('GIVEN a client WHEN it is inspected or serialised THEN the key does not show', () => {
    const h = harness();
    expect(inspect(h.client, { depth: 10, showHidden: true })).not.toContain(TOKEN);
    expect(JSON.stringify(h.client)).not.toContain(TOKEN);
  });

  test('GIVEN a SecretValue WHEN printed in every way THEN only the placeholder shows, and reveal() returns the value', () => {
    const secret = new SecretValue(TOKEN);
    expect(`${String(secret)} ${JSON.stringify({ secret })} ${inspect(secret)}`).not.toContain(TOKEN);
    expect(secret.reveal()).toBe(TOKEN);
  });
});
