/**
 * Fault tests: the emulator injects 5xx bursts, 429 + Retry-After, dropped connections, lost
 * responses and latency; the SDK's fake retry clock records every wait, and the emulator's request
 * counts show what reached the server. Reads must ride out a burst within the retry budget; writes
 * must never be sent twice unless the server said when to come back (429 + Retry-After).
 */
import { DEFAULT_RETRY_POLICY, RateLimitedError, type ShoreGuardClient, TransportError, backoffDelayMs, hasDrift } from '../../../sdk';
import { BASE_POLICY, expectOutcome, failure, policyWith, policyYaml, seedSandboxWithPolicy, useSdkEmulator, withOpenAiRule } from './harness';

const h = useSdkEmulator();
const GW = 'prod-gw';
const SB = 'agent-1';
const LIST_ROUTE = '/api/gateway/list';
const APPLY_ROUTE = '/api/gateways/{gw}/sandboxes/{name}/policy/apply';

/** The waits the default policy takes before attempts 2..n with the harness's random() of 0.5. */
function expectedBackoffs(retries: number): number[] {
  return Array.from({ length: retries }, (_, index) => backoffDelayMs(DEFAULT_RETRY_POLICY, index + 1, () => 0.5));
}

describe('reads ride out faults within the retry budget', () => {
  beforeEach(() => h.emulator().state.registerGateway({ name: GW }));

  it.each([502, 503, 504] as const)('GIVEN three %i responses in a row WHEN gateways.list THEN the fourth attempt succeeds after jittered backoff', async (status) => {
    h.emulator().faults.inject({ kind: 'status', status, count: 3, match: { method: 'GET', path: LIST_ROUTE } });
    const gateways = await h.client('viewer').gateways.list();
    expect(gateways.map((g) => g.name)).toEqual([GW]);
    expect(h.hits('GET', LIST_ROUTE)).toBe(4);
    expect(h.retryClock().sleeps).toEqual(expectedBackoffs(3));
  });

  it('GIVEN two 429s with Retry-After: 3 WHEN gateways.list THEN it waits exactly 3 s twice and succeeds', async () => {
    h.emulator().faults.inject({ kind: 'status', status: 429, count: 2, retryAfterSeconds: 3, match: { path: LIST_ROUTE } });
    await expect(h.client('viewer').gateways.list()).resolves.toHaveLength(1);
    expect(h.hits('GET', LIST_ROUTE)).toBe(3);
    expect(h.retryClock().sleeps).toEqual([3000, 3000]);
  });

  it('GIVEN two dropped connections WHEN gateways.list THEN the third attempt succeeds on a fresh connection', async () => {
    h.emulator().faults.inject({ kind: 'drop', count: 2, match: { path: LIST_ROUTE } });
    await expect(h.client('viewer').gateways.list()).resolves.toHaveLength(1);
    expect(h.hits('GET', LIST_ROUTE)).toBe(3);
    expect(h.retryClock().sleeps).toEqual(expectedBackoffs(2));
  });

  it('GIVEN a lost response WHEN a read is made THEN it is simply asked again', async () => {
    h.emulator().faults.inject({ kind: 'lose-response', count: 1, match: { path: '/api/gateway/{name}/info' } });
    await expect(h.client('viewer').gateways.info(GW)).resolves.toMatchObject({ name: GW, configured: true });
    expect(h.hits('GET', '/api/gateway/{name}/info')).toBe(2);
  });

  it('GIVEN retries WHEN they happen THEN each is logged at debug level without the API key', async () => {
    h.emulator().faults.inject({ kind: 'status', status: 503, count: 2, match: { path: LIST_ROUTE } });
    await h.client('viewer').gateways.list();
    expect(h.log().debug).toEqual([
      expect.stringMatching(/retrying GET \/api\/gateway\/list after HTTP 503 in \d+ ms \(attempt 2\/4\)/),
      expect.stringMatching(/attempt 3\/4/),
    ]);
    expect(h.log().debug.join('\n')).not.toContain(h.emulator().keys.viewer);
  });
});

describe('reads fail with a typed error when a burst exceeds the budget', () => {
  beforeEach(() => h.emulator().state.registerGateway({ name: GW }));

  it('GIVEN ten 503s WHEN gateways.list THEN a server error after maxAttempts (4) attempts, each one seen by the server', async () => {
    h.emulator().faults.inject({ kind: 'status', status: 503, count: 10, match: { path: LIST_ROUTE } });
    const error = await failure(h.client('viewer').gateways.list());
    expect(error).toMatchObject({ code: 'server', status: 503, serverCode: 'SERVICE_UNAVAILABLE', attempts: DEFAULT_RETRY_POLICY.maxAttempts });
    expect(h.hits('GET', LIST_ROUTE)).toBe(DEFAULT_RETRY_POLICY.maxAttempts);
    expect(h.retryClock().sleeps).toEqual(expectedBackoffs(DEFAULT_RETRY_POLICY.maxAttempts - 1));
  });

  it('GIVEN ten dropped connections WHEN gateways.list THEN a TransportError after 4 attempts', async () => {
    h.emulator().faults.inject({ kind: 'drop', count: 10, match: { path: LIST_ROUTE } });
    const error = await failure(h.client('viewer').gateways.list());
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'transport', attempts: 4, timedOut: false, requestMayHaveReachedServer: true });
    expect((error as TransportError).causeCode).toEqual(expect.any(String));
    expect(h.hits('GET', LIST_ROUTE)).toBe(4);
  });

  it('GIVEN a 429 whose Retry-After (120 s) exceeds the 60 s time budget WHEN gateways.list THEN RateLimitedError after one attempt, no wait', async () => {
    h.emulator().faults.inject({ kind: 'status', status: 429, count: 5, retryAfterSeconds: 120, match: { path: LIST_ROUTE } });
    const error = await failure(h.client('viewer').gateways.list());
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ status: 429, attempts: 1, retryAfterSeconds: 120 });
    expect(h.retryClock().sleeps).toEqual([]);
    expect(h.hits('GET', LIST_ROUTE)).toBe(1);
  });

  it('GIVEN retries disabled (maxAttempts 1) WHEN a single 503 comes THEN it surfaces at once', async () => {
    h.emulator().faults.inject({ kind: 'status', status: 503, count: 1, match: { path: LIST_ROUTE } });
    const error = await failure(h.client('viewer', { retry: { maxAttempts: 1 } }).gateways.list());
    expect(error).toMatchObject({ code: 'server', status: 503, attempts: 1 });
    expect(h.hits('GET', LIST_ROUTE)).toBe(1);
  });
});

/** One write per API area named in the issue, with the route template the server counts it under. */
interface WriteCase {
  readonly name: string;
  readonly method: string;
  readonly route: string;
  readonly send: (client: ShoreGuardClient) => Promise<unknown>;
  /** True once the write has taken effect on the server. */
  readonly landed: () => boolean;
}

const WRITES: readonly WriteCase[] = [
  {
    name: 'gateways.register',
    method: 'POST',
    route: '/api/gateway/register',
    send: (client) => client.gateways.register({ name: 'new-gw', endpoint: '127.0.0.1:50051' }),
    landed: () => h.emulator().state.gateways.has('new-gw'),
  },
  {
    name: 'policies.apply',
    method: 'POST',
    route: APPLY_ROUTE,
    send: (client) => client.policies.apply(GW, SB, { yaml: policyYaml(policyWith(withOpenAiRule)) }),
    landed: () => h.emulator().state.getPolicy(GW, SB).activeVersion > 1,
  },
  {
    name: 'pins.pin',
    method: 'POST',
    route: '/api/gateways/{gw}/sandboxes/{name}/policy/pin',
    send: (client) => client.pins.pin(GW, SB, { reason: 'freeze' }),
    landed: () => h.emulator().state.pins.size > 0,
  },
];

describe('writes are never sent twice', () => {
  beforeEach(() => seedSandboxWithPolicy(h.emulator(), GW, SB));

  it.each(WRITES)('GIVEN a 503 WHEN $name THEN a server error, exactly one request reached the server, and nothing was written', async (write) => {
    h.emulator().faults.inject({ kind: 'status', status: 503, count: 5, match: { method: write.method, path: write.route } });
    const error = await failure(write.send(h.client('admin')));
    expect(error).toMatchObject({ code: 'server', status: 503, attempts: 1 });
    expect(h.hits(write.method, write.route)).toBe(1);
    expect(h.retryClock().sleeps).toEqual([]);
    expect(write.landed()).toBe(false);
  });

  it.each(WRITES)('GIVEN a dropped connection WHEN $name THEN a TransportError that says the request may have reached the server, sent once', async (write) => {
    h.emulator().faults.inject({ kind: 'drop', count: 5, match: { method: write.method, path: write.route } });
    const error = await failure(write.send(h.client('admin')));
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'transport', attempts: 1, requestMayHaveReachedServer: true });
    expect(h.hits(write.method, write.route)).toBe(1);
    expect(write.landed()).toBe(false);
  });

  it.each(WRITES)('GIVEN a 429 with Retry-After WHEN $name THEN it is resent once after the wait (the server rejected it unprocessed) and lands once', async (write) => {
    h.emulator().faults.inject({ kind: 'status', status: 429, count: 1, retryAfterSeconds: 2, match: { method: write.method, path: write.route } });
    await write.send(h.client('admin'));
    expect(h.hits(write.method, write.route)).toBe(2);
    expect(h.retryClock().sleeps).toEqual([2000]);
    expect(write.landed()).toBe(true);
  });

  it('GIVEN apply whose response is lost after the write committed WHEN apply THEN TransportError (may have reached the server), one request, and export shows the write landed once', async () => {
    const client = h.client('operator');
    const before = await client.policies.export(GW, SB);
    const desired = policyWith(withOpenAiRule);
    h.emulator().faults.inject({ kind: 'lose-response', count: 1, match: { method: 'POST', path: APPLY_ROUTE } });

    const error = await failure(client.policies.apply(GW, SB, { yaml: policyYaml(desired), expectedVersion: before.policyHash }));
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'transport', attempts: 1, timedOut: false, requestMayHaveReachedServer: true, gateway: GW, sandbox: SB });
    expect(error.hint).toMatch(/may have been applied.*re-read/);
    expect(h.hits('POST', APPLY_ROUTE)).toBe(1);

    // Re-read and decide: the live policy is the desired one, in exactly one new revision.
    const after = await client.policies.export(GW, SB);
    expect(after.version).toBe(before.version + 1);
    expect(after.policyHash).not.toBe(before.policyHash);
    const recheck = expectOutcome(await client.policies.apply(GW, SB, { yaml: policyYaml(desired), dryRun: true }), 'dry_run');
    expect(hasDrift(recheck.diff)).toBe(false);
  });

  it('GIVEN a dry run (changes nothing) WHEN it meets a 503 THEN it is retried like a read', async () => {
    h.emulator().faults.inject({ kind: 'status', status: 503, count: 2, match: { method: 'POST', path: APPLY_ROUTE } });
    const outcome = await h.client('operator').policies.apply(GW, SB, { yaml: policyYaml(BASE_POLICY), dryRun: true });
    expect(outcome.status).toBe('dry_run');
    expect(h.hits('POST', APPLY_ROUTE)).toBe(3);
  });
});

describe('request timeout', () => {
  beforeEach(() => h.emulator().state.registerGateway({ name: GW }));

  it('GIVEN 500 ms of server latency and a 100 ms request timeout WHEN a read is made without retries THEN a TransportError flagged timedOut', async () => {
    h.emulator().faults.inject({ kind: 'latency', ms: 500, count: 1, match: { path: LIST_ROUTE } });
    const client = h.client('viewer', { timeouts: { requestMs: 100 }, retry: { maxAttempts: 1 } });
    const error = await failure(client.gateways.list());
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'transport', timedOut: true, attempts: 1 });
    expect(error.message).toMatch(/timed out after 100 ms/);
    expect(h.hits('GET', LIST_ROUTE)).toBe(1);
  });

  it('GIVEN latency on the first attempt only WHEN a read times out THEN the retry succeeds', async () => {
    h.emulator().faults.inject({ kind: 'latency', ms: 500, count: 1, match: { path: LIST_ROUTE } });
    const client = h.client('viewer', { timeouts: { requestMs: 100 } });
    await expect(client.gateways.list()).resolves.toHaveLength(1);
    expect(h.hits('GET', LIST_ROUTE)).toBe(2);
  });
});
