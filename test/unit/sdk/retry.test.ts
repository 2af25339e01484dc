import {
  DEFAULT_RETRY_POLICY,
  RateLimitedError,
  type RetryPolicy,
  ShoreGuardError,
  TransportError,
  backoffDelayMs,
  decideRetry,
  parseRetryAfter,
} from '../../../sdk';
import { JSON_HEADERS, PROBLEM_HEADERS, harness, problem, rejectionOf } from './helpers';

const NOW = Date.parse('2026-04-20T12:00:00Z');
const noJitter: RetryPolicy = { ...DEFAULT_RETRY_POLICY, jitter: 'none' };

describe('retry policy functions', () => {
  test.each([
    ['7', 7000],
    ['0', 0],
    ['Mon, 20 Apr 2026 12:00:30 GMT', 30_000],
    ['Mon, 20 Apr 2026 11:00:00 GMT', 0],
    ['soon', undefined],
    ['1.5', undefined],
    ['-3', undefined],
    [undefined, undefined],
  ])('GIVEN Retry-After %p WHEN parsed THEN %p ms', (header, expected) => {
    expect(parseRetryAfter(header, NOW)).toBe(expected);
  });

  test('GIVEN no jitter WHEN computing backoffs THEN they double up to maxDelayMs', () => {
    const policy: RetryPolicy = { ...noJitter, baseDelayMs: 500, maxDelayMs: 3000 };
    expect([1, 2, 3, 4, 5].map((attempt) => backoffDelayMs(policy, attempt, () => 0.5))).toEqual([500, 1000, 2000, 3000, 3000]);
  });

  test('GIVEN full jitter WHEN computing a backoff THEN it is random() times the capped backoff', () => {
    expect(backoffDelayMs({ ...DEFAULT_RETRY_POLICY, baseDelayMs: 1000 }, 2, () => 0.25)).toBe(500);
  });

  const ask = (overrides: Partial<Parameters<typeof decideRetry>[0]>) =>
    decideRetry({ policy: noJitter, idempotent: true, attempt: 1, elapsedMs: 0, failure: { kind: 'network' }, random: () => 0, ...overrides });

  test('GIVEN an idempotent call and a 503 WHEN deciding THEN retry after the backoff', () => {
    expect(ask({ failure: { kind: 'status', status: 503, retryAfterMs: undefined } })).toEqual({ retry: true, delayMs: 500 });
  });

  test('GIVEN a 429 with Retry-After WHEN deciding THEN the server delay is used as is', () => {
    expect(ask({ failure: { kind: 'status', status: 429, retryAfterMs: 12_000 } })).toEqual({ retry: true, delayMs: 12_000 });
  });

  test.each([400, 401, 403, 404, 409, 422, 423, 500])('GIVEN status %p WHEN deciding THEN no retry', (status) => {
    expect(ask({ failure: { kind: 'status', status, retryAfterMs: undefined } }).retry).toBe(false);
  });

  test('GIVEN a write and a 503 WHEN deciding THEN no retry', () => {
    expect(ask({ idempotent: false, failure: { kind: 'status', status: 503, retryAfterMs: 1000 } })).toMatchObject({ retry: false });
  });

  test('GIVEN a write and a network error WHEN deciding THEN no retry', () => {
    expect(ask({ idempotent: false })).toMatchObject({ retry: false, reason: expect.stringContaining('network') });
  });

  test('GIVEN a write and a 429 without Retry-After WHEN deciding THEN no retry', () => {
    expect(ask({ idempotent: false, failure: { kind: 'status', status: 429, retryAfterMs: undefined } }).retry).toBe(false);
  });

  test('GIVEN a write and a 429 with Retry-After WHEN deciding THEN retry after it', () => {
    expect(ask({ idempotent: false, failure: { kind: 'status', status: 429, retryAfterMs: 2000 } })).toEqual({ retry: true, delayMs: 2000 });
  });

  test('GIVEN the last attempt WHEN deciding THEN no retry', () => {
    expect(ask({ attempt: noJitter.maxAttempts }).retry).toBe(false);
  });

  test('GIVEN a wait that would pass maxElapsedMs WHEN deciding THEN no retry', () => {
    expect(ask({ elapsedMs: 59_000, failure: { kind: 'status', status: 429, retryAfterMs: 2000 } })).toMatchObject({ retry: false, reason: expect.stringContaining('maxElapsedMs') });
  });

  test('GIVEN network retries disabled WHEN a network error happens THEN no retry', () => {
    expect(ask({ policy: { ...noJitter, retryOnNetworkErrors: false } }).retry).toBe(false);
  });
});

describe('retry loop through the client', () => {
  const LIST = { path: '/api/gateway/list', method: 'GET' } as const;
  const EMPTY_LIST = { items: [], total: 0 };

  test('GIVEN a GET answered 429 with Retry-After 2 WHEN listing THEN it waits 2 s and succeeds on the second attempt', async () => {
    const h = harness();
    h.pool.intercept(LIST).reply(429, { detail: 'Too many requests' }, { headers: { ...JSON_HEADERS, 'retry-after': '2' } });
    h.pool.intercept(LIST).reply(200, EMPTY_LIST, { headers: JSON_HEADERS });
    await expect(h.client.gateways.list()).resolves.toEqual([]);
    expect(h.clock.sleeps).toEqual([2000]);
    expect(h.calls()).toHaveLength(2);
  });

  test.each([502, 503, 504])('GIVEN a GET answered %p then 200 WHEN listing THEN it retries after a jittered backoff', async (status) => {
    const h = harness();
    h.pool.intercept(LIST).reply(status, problem(status, 'SERVICE_UNAVAILABLE', 'busy'), { headers: PROBLEM_HEADERS });
    h.pool.intercept(LIST).reply(200, EMPTY_LIST, { headers: JSON_HEADERS });
    await expect(h.client.gateways.list()).resolves.toEqual([]);
    // random() = 0.5 and full jitter → half of the 500 ms base.
    expect(h.clock.sleeps).toEqual([250]);
  });

  test('GIVEN a GET that hits a network error once WHEN listing THEN it retries and succeeds', async () => {
    const h = harness();
    h.pool.intercept(LIST).replyWithError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    h.pool.intercept(LIST).reply(200, EMPTY_LIST, { headers: JSON_HEADERS });
    await expect(h.client.gateways.list()).resolves.toEqual([]);
    expect(h.calls()).toHaveLength(2);
  });

  test('GIVEN a GET that keeps failing with 503 WHEN listing THEN it stops after maxAttempts with exponential waits', async () => {
    const h = harness({ retry: { maxAttempts: 3, jitter: 'none' } });
    h.pool.intercept(LIST).reply(503, problem(503, 'SERVICE_UNAVAILABLE', 'busy'), { headers: PROBLEM_HEADERS }).times(3);
    const error = await rejectionOf(h.client.gateways.list());
    expect(error).toBeInstanceOf(ShoreGuardError);
    expect(error).toMatchObject({ code: 'server', status: 503, attempts: 3 });
    expect(h.clock.sleeps).toEqual([500, 1000]);
    expect(h.calls()).toHaveLength(3);
  });

  test('GIVEN a Retry-After beyond maxElapsedMs WHEN listing THEN it does not wait and throws rate_limited', async () => {
    const h = harness();
    h.pool.intercept(LIST).reply(429, { detail: 'Too many requests' }, { headers: { ...JSON_HEADERS, 'retry-after': '120' } });
    const error = await rejectionOf(h.client.gateways.list());
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 120, attempts: 1 });
    expect(h.clock.sleeps).toEqual([]);
  });

  test('GIVEN repeated 429s WHEN the elapsed budget runs out THEN it stops before exceeding maxElapsedMs', async () => {
    const h = harness({ retry: { maxAttempts: 10, maxElapsedMs: 5000 } });
    h.pool.intercept(LIST).reply(429, { detail: 'Too many requests' }, { headers: { ...JSON_HEADERS, 'retry-after': '2' } }).times(3);
    const error = await rejectionOf(h.client.gateways.list());
    expect(error).toMatchObject({ code: 'rate_limited', attempts: 3 });
    expect(h.clock.sleeps).toEqual([2000, 2000]);
  });

  test('GIVEN a write (register) answered 503 WHEN registering THEN it is not retried', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/gateway/register', method: 'POST' }).reply(503, problem(503, 'SERVICE_UNAVAILABLE', 'busy'), { headers: PROBLEM_HEADERS });
    const error = await rejectionOf(h.client.gateways.register({ name: 'gw', endpoint: 'gw.example.com:8443' }));
    expect(error).toMatchObject({ code: 'server', attempts: 1 });
    expect(h.calls()).toHaveLength(1);
  });

  test('GIVEN a write that hits a network error WHEN pinning THEN it is not retried and may have reached the server', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/gateways/gw/sandboxes/sb/policy/pin', method: 'POST' }).replyWithError(Object.assign(new Error('socket hang up'), { code: 'UND_ERR_SOCKET' }));
    const error = await rejectionOf(h.client.pins.pin('gw', 'sb', { reason: 'freeze' }));
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'transport', requestMayHaveReachedServer: true, attempts: 1 });
    expect(h.calls()).toHaveLength(1);
  });

  test('GIVEN a write answered 429 with Retry-After WHEN applying THEN it is retried after the server delay', async () => {
    const h = harness();
    const route = { path: '/api/gateways/gw/sandboxes/sb/policy/apply', method: 'POST' } as const;
    h.pool.intercept(route).reply(429, problem(429, 'RATE_LIMITED', 'Rate limit exceeded'), { headers: { ...PROBLEM_HEADERS, 'retry-after': '3' } });
    h.pool.intercept(route).reply(200, { status: 'applied', current_hash: 'h1', diff: {}, applied_version: 'h2', votes_needed: null, votes_cast: null }, { headers: JSON_HEADERS });
    await expect(h.client.policies.apply('gw', 'sb', { yaml: 'policy: {}\n' })).resolves.toMatchObject({ status: 'applied', appliedVersion: 'h2' });
    expect(h.clock.sleeps).toEqual([3000]);
  });

  test('GIVEN a write answered 429 without Retry-After WHEN applying THEN it is not retried', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/gateways/gw/sandboxes/sb/policy/apply', method: 'POST' }).reply(429, problem(429, 'RATE_LIMITED', 'Rate limit exceeded'), { headers: PROBLEM_HEADERS });
    const error = await rejectionOf(h.client.policies.apply('gw', 'sb', { yaml: 'policy: {}\n' }));
    expect(error).toMatchObject({ code: 'rate_limited', retryAfterSeconds: null, attempts: 1 });
  });

  test('GIVEN a dry-run apply answered 503 WHEN applying THEN it is retried like a read', async () => {
    const h = harness();
    const route = { path: '/api/gateways/gw/sandboxes/sb/policy/apply', method: 'POST' } as const;
    h.pool.intercept(route).reply(503, problem(503, 'GATEWAY_NOT_CONNECTED', 'Gateway is not reachable.'), { headers: PROBLEM_HEADERS });
    h.pool.intercept(route).reply(200, { status: 'dry_run', current_hash: 'h1', diff: {}, applied_version: null }, { headers: JSON_HEADERS });
    await expect(h.client.policies.apply('gw', 'sb', { yaml: 'policy: {}\n', dryRun: true })).resolves.toMatchObject({ status: 'dry_run' });
    expect(h.calls()).toHaveLength(2);
  });

  test('GIVEN a real apply answered 503 WHEN applying THEN it is not retried', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/gateways/gw/sandboxes/sb/policy/apply', method: 'POST' }).reply(503, problem(503, 'GATEWAY_NOT_CONNECTED', 'Gateway is not reachable.'), { headers: PROBLEM_HEADERS });
    await expect(h.client.policies.apply('gw', 'sb', { yaml: 'policy: {}\n' })).rejects.toMatchObject({ code: 'server', attempts: 1 });
  });

  test('GIVEN maxAttempts 1 WHEN a GET fails with 503 THEN no retry happens', async () => {
    const h = harness({ retry: { maxAttempts: 1 } });
    h.pool.intercept(LIST).reply(503, problem(503, 'SERVICE_UNAVAILABLE', 'busy'), { headers: PROBLEM_HEADERS });
    await expect(h.client.gateways.list()).rejects.toMatchObject({ attempts: 1 });
    expect(h.clock.sleeps).toEqual([]);
  });

  test('GIVEN a retry WHEN it happens THEN the debug logger gets one note without the key', async () => {
    const h = harness();
    h.pool.intercept(LIST).reply(502, 'Bad Gateway', { headers: { 'content-type': 'text/plain' } });
    h.pool.intercept(LIST).reply(200, EMPTY_LIST, { headers: JSON_HEADERS });
    await h.client.gateways.list();
    expect(h.debugs).toHaveLength(1);
    expect(h.debugs[0]).toMatch(/retrying GET \/api\/gateway\/list after HTTP 502 in 250 ms \(attempt 2\/4\)/);
  });

  test('GIVEN retries WHEN they happen THEN every attempt carries the same X-Request-ID', async () => {
    const h = harness();
    h.pool.intercept(LIST).reply(503, {}, { headers: JSON_HEADERS });
    h.pool.intercept(LIST).reply(200, EMPTY_LIST, { headers: JSON_HEADERS });
    await h.client.gateways.list();
    const ids = h.calls().map((call) => (call.headers as Record<string, string>)['x-request-id']);
    expect(ids[0]).toBeDefined();
    expect(ids[1]).toBe(ids[0]);
  });
});
