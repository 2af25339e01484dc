import {
  InvalidResponseError,
  PinnedError,
  RateLimitedError,
  ShoreGuardError,
  TransportError,
  ValidationError,
  VersionConflictError,
  isShoreGuardError,
  parseMergeUnsupported,
} from '../../../sdk';
import { JSON_HEADERS, PROBLEM_HEADERS, harness, problem, rejectionOf } from './helpers';

const INFO = { path: '/api/gateways/gw/sandboxes/sb/policy/pin', method: 'POST' } as const;

/** Sends `client.pins.pin('gw','sb')` (a write, never retried) against the given reply. */
async function errorFor(status: number, body: unknown, headers: Record<string, string> = PROBLEM_HEADERS, options = {}): Promise<ShoreGuardError> {
  const h = harness(options);
  h.pool.intercept(INFO).reply(status, body as object, { headers });
  const error = await rejectionOf(h.client.pins.pin('gw', 'sb'));
  if (!(error instanceof ShoreGuardError)) throw new Error(`expected a ShoreGuardError, got ${String(error)}`);
  return error;
}

const MERGE_REPR =
  "{'status': 'merge_unsupported', 'reason': \"mode=merge cannot express changes to the 'filesystem' section; use mode=replace for filesystem / process / landlock / version updates\", 'hint': \"retry with mode='replace' for changes outside network_policies\"}";

describe('HTTP status → error code', () => {
  test('GIVEN a 401 problem WHEN calling THEN code auth with the key-source hint', async () => {
    const error = await errorFor(401, problem(401, 'AUTHENTICATION_REQUIRED', 'Invalid or missing credentials'));
    expect(error).toMatchObject({ code: 'auth', status: 401, serverCode: 'AUTHENTICATION_REQUIRED', method: 'POST', path: INFO.path });
    expect(error.message).toContain('POST /api/gateways/gw/sandboxes/sb/policy/pin failed with 401');
    expect(error.message).toContain('SHOREGUARD_TOKEN');
  });

  test('GIVEN no key configured and a 401 WHEN calling THEN the hint says no key is configured', async () => {
    const error = await errorFor(401, problem(401, 'AUTHENTICATION_REQUIRED', 'Invalid or missing credentials'), PROBLEM_HEADERS, { token: undefined });
    expect(error.hint).toMatch(/No API key is configured/);
  });

  test('GIVEN a 403 "Requires operator role" on a gateway route WHEN calling THEN the message names role and gateway', async () => {
    const error = await errorFor(403, problem(403, 'PERMISSION_DENIED', 'Requires operator role'));
    expect(error.code).toBe('forbidden');
    expect(error.gateway).toBe('gw');
    expect(error.message).toMatch(/Needs role operator on gateway 'gw': use an API key/);
  });

  test('GIVEN a 404 problem WHEN calling THEN code not_found with the server detail', async () => {
    const error = await errorFor(404, problem(404, 'NOT_FOUND', 'Sandbox not found'));
    expect(error).toMatchObject({ code: 'not_found', detail: 'Sandbox not found', serverCode: 'NOT_FOUND' });
  });

  test('GIVEN a plain-JSON 404 from an unknown route WHEN calling THEN the hint points at the base URL', async () => {
    const error = await errorFor(404, { detail: 'Not Found' }, JSON_HEADERS);
    expect(error.code).toBe('not_found');
    expect(error.serverCode).toBeUndefined();
    expect(error.hint).toMatch(/no such route/);
  });

  test('GIVEN a 405 WHEN calling THEN code not_found', async () => {
    expect((await errorFor(405, { detail: 'Method Not Allowed' }, JSON_HEADERS)).code).toBe('not_found');
  });

  test('GIVEN a 409 CONFLICT problem WHEN calling THEN code conflict', async () => {
    const error = await errorFor(409, problem(409, 'CONFLICT', "Gateway 'gw' is already registered"));
    expect(error).toMatchObject({ code: 'conflict', detail: "Gateway 'gw' is already registered" });
    expect(error).not.toBeInstanceOf(VersionConflictError);
  });

  test('GIVEN a plain 409 version_mismatch with a string status WHEN calling a non-apply route THEN VersionConflictError with both hashes', async () => {
    const error = await errorFor(409, { status: 'version_mismatch', current_hash: 'live-hash', expected_version: 'old-hash' }, JSON_HEADERS);
    expect(error).toBeInstanceOf(VersionConflictError);
    expect(error).toMatchObject({ code: 'version_conflict', currentHash: 'live-hash', expectedVersion: 'old-hash' });
    expect(error.message).toMatch(/live policy hash is live-hash.*expected old-hash/);
  });

  test('GIVEN a 423 with INTERNAL_ERROR code WHEN calling THEN PinnedError keyed on the status, with version and owner', async () => {
    const error = await errorFor(423, problem(423, 'INTERNAL_ERROR', 'Policy is pinned at version 5 by alice@example.com. Unpin first.'));
    expect(error).toBeInstanceOf(PinnedError);
    expect(error).toMatchObject({ code: 'pinned', pinnedVersion: 5, pinnedBy: 'alice@example.com', serverCode: 'INTERNAL_ERROR' });
    expect(error.message).toMatch(/Sandbox 'sb' on gateway 'gw' is pinned/);
  });

  test('GIVEN a 429 problem with Retry-After WHEN calling THEN RateLimitedError carries retryAfterSeconds', async () => {
    const error = await errorFor(429, problem(429, 'RATE_LIMITED', 'Rate limit exceeded'), { ...PROBLEM_HEADERS, 'retry-after': '90' });
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 90 });
  });

  test('GIVEN a 422 with a pydantic errors array WHEN calling THEN the issues are data and named in the message', async () => {
    const errors = [
      { type: 'value_error', loc: ['body', 'endpoint'], msg: "Value error, endpoint must be in host:port format (e.g. '10.0.0.5:8443')", input: 'nope' },
      { type: 'json_invalid', loc: ['body', 12], msg: 'JSON decode error', input: {} },
    ];
    const error = await errorFor(422, problem(422, 'VALIDATION_ERROR', 'Validation error', { errors }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual(errors);
    expect(error.message).toContain('body.endpoint: Value error, endpoint must be in host:port format');
  });

  test('GIVEN a 400 merge_unsupported Python-repr detail WHEN calling THEN mergeUnsupported is parsed', async () => {
    const error = (await errorFor(400, problem(400, 'VALIDATION_ERROR', MERGE_REPR))) as ValidationError;
    expect(error.mergeUnsupported).toEqual({
      reason: "mode=merge cannot express changes to the 'filesystem' section; use mode=replace for filesystem / process / landlock / version updates",
      hint: "retry with mode='replace' for changes outside network_policies",
    });
    expect(error.message).toMatch(/merge_unsupported: mode=merge cannot express changes to the 'filesystem' section/);
  });

  test('GIVEN the documented dict-shaped merge detail WHEN parsing THEN it is read too', () => {
    expect(parseMergeUnsupported({ status: 'merge_unsupported', reason: 'r', hint: 'h' })).toEqual({ reason: 'r', hint: 'h' });
  });

  test('GIVEN a repr with single-quoted values and escapes WHEN parsing THEN they are unescaped', () => {
    expect(parseMergeUnsupported("{'status': 'merge_unsupported', 'reason': 'it\\'s a caf\\xe9', 'hint': 'x'}")).toEqual({ reason: "it's a café", hint: 'x' });
  });

  test('GIVEN an ordinary 400 detail WHEN calling THEN mergeUnsupported is null', async () => {
    const error = (await errorFor(400, problem(400, 'VALIDATION_ERROR', 'Could not read active policy version'))) as ValidationError;
    expect(error.mergeUnsupported).toBeNull();
    expect(error.issues).toEqual([]);
    expect(error.detail).toBe('Could not read active policy version');
  });

  test('GIVEN a 413 plain body WHEN calling THEN code validation', async () => {
    expect((await errorFor(413, { detail: 'Request body too large (limit 10485760 bytes)' }, JSON_HEADERS)).code).toBe('validation');
  });

  test('GIVEN a 503 GATEWAY_NOT_CONNECTED WHEN calling THEN code server with a gateway hint', async () => {
    const error = await errorFor(503, problem(503, 'GATEWAY_NOT_CONNECTED', 'Gateway is not reachable. Check if it is running.'));
    expect(error.code).toBe('server');
    expect(error.hint).toMatch(/gateway 'gw' is registered but not connected/);
  });

  test('GIVEN a 500 with a text body WHEN calling THEN code server and the text as detail', async () => {
    const error = await errorFor(500, 'Internal Server Error', { 'content-type': 'text/plain' });
    expect(error).toMatchObject({ code: 'server', detail: 'Internal Server Error' });
  });

  test('GIVEN an error body without detail WHEN calling THEN detail is undefined and the message still names the call', async () => {
    const error = await errorFor(500, {}, JSON_HEADERS);
    expect(error.detail).toBeUndefined();
    expect(error.message).toMatch(/^POST \/api\/gateways\/gw\/sandboxes\/sb\/policy\/pin failed with 500 \(server\)\./);
  });

  test('GIVEN a problem body with a request_id WHEN calling THEN it becomes requestId and is quoted in the message', async () => {
    const error = await errorFor(404, problem(404, 'NOT_FOUND', 'gone'));
    expect(error.requestId).toBe('req-0123456789ab');
    expect(error.message).toContain('[request id req-0123456789ab]');
  });

  test('GIVEN no request_id in the body but an X-Request-ID header WHEN calling THEN the header is used', async () => {
    const error = await errorFor(404, { detail: 'x', code: 'NOT_FOUND' }, { ...JSON_HEADERS, 'x-request-id': 'hdr-id-42' });
    expect(error.requestId).toBe('hdr-id-42');
  });

  test('GIVEN a connection refused WHEN calling THEN TransportError says the request never reached the server', async () => {
    const h = harness();
    h.pool.intercept(INFO).replyWithError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8888'), { code: 'ECONNREFUSED' }));
    const error = await rejectionOf(h.client.pins.pin('gw', 'sb'));
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'transport', causeCode: 'ECONNREFUSED', requestMayHaveReachedServer: false, timedOut: false, status: undefined });
    expect((error as Error).message).toMatch(/got no response from http:\/\/localhost:8888 \(ECONNREFUSED/);
  });

  test('GIVEN a server slower than timeouts.requestMs WHEN calling THEN TransportError with timedOut', async () => {
    const h = harness({ timeouts: { requestMs: 20 }, retry: { maxAttempts: 1 } });
    h.pool.intercept({ path: '/healthz', method: 'GET' }).reply(200, { status: 'ok' }, { headers: JSON_HEADERS }).delay(2000);
    const error = await rejectionOf(h.client.health());
    expect(error).toMatchObject({ code: 'transport', timedOut: true });
    await h.agent.close();
  });

  test('GIVEN a 200 whose body breaks the contract WHEN calling THEN InvalidResponseError with the zod issue path', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/gateway/list', method: 'GET' }).reply(200, { items: [{ name: 'gw' }] }, { headers: JSON_HEADERS });
    const error = await rejectionOf(h.client.gateways.list());
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as InvalidResponseError).issues[0]?.path).toEqual(['items', 0, 'endpoint']);
  });

  test('GIVEN any SDK error WHEN checked THEN isShoreGuardError is true, and false for other errors', async () => {
    const error = await errorFor(404, problem(404, 'NOT_FOUND', 'x'));
    expect(isShoreGuardError(error)).toBe(true);
    expect(isShoreGuardError(new Error('x'))).toBe(false);
    expect(isShoreGuardError(null)).toBe(false);
  });

  test('GIVEN an error WHEN serialised THEN toJSON has the stable fields and the name matches the class', async () => {
    const error = await errorFor(423, problem(423, 'INTERNAL_ERROR', 'Policy is pinned at version 2 by sp:ci. Unpin first.'));
    expect(error.name).toBe('PinnedError');
    expect(String(error)).toMatch(/^PinnedError: POST /);
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ name: 'PinnedError', code: 'pinned', status: 423, pinnedVersion: 2, pinnedBy: 'sp:ci', gateway: 'gw', sandbox: 'sb' });
  });
});
