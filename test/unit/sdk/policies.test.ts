import { PACKAGE_VERSION, hasDrift, parseShoreGuardTime, voteChunkId } from '../../../sdk';
import { EMPTY_WIRE_DIFF, wirePin } from './fixtures';
import { JSON_HEADERS, PROBLEM_HEADERS, harness, problem, rejectionOf } from './helpers';

const APPLY = { path: '/api/gateways/gw/sandboxes/sb/policy/apply', method: 'POST' } as const;
const PIN = '/api/gateways/gw/sandboxes/sb/policy/pin';
const YAML = 'policy: {}\n';
const WIRE_DIFF = {
  filesystem: { read_only_added: ['/etc'], read_write_removed: ['/tmp'], include_workdir_changed: [true, false] },
  process: { run_as_user_changed: ['app', 'root'] },
  network_policies: { added: ['openai'], removed: ['legacy'], changed: ['gh'] },
};

describe('client.policies.export', () => {
  test('GIVEN a live policy WHEN exporting THEN yaml, version and policyHash are returned', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/gateways/gw/sandboxes/sb/policy/export', method: 'GET' }).reply(200, { yaml: YAML, gateway: 'gw', sandbox: 'sb', version: 7, policy_hash: 'abc' }, { headers: JSON_HEADERS });
    await expect(h.client.policies.export('gw', 'sb')).resolves.toEqual({ yaml: YAML, gateway: 'gw', sandbox: 'sb', version: 7, policyHash: 'abc' });
  });
});

describe('client.policies.apply outcomes', () => {
  test('GIVEN all options WHEN applying THEN yaml, dry_run, mode and expected_version are sent', async () => {
    const h = harness();
    h.pool.intercept(APPLY).reply(200, { status: 'dry_run', current_hash: 'h1', diff: EMPTY_WIRE_DIFF, applied_version: null, votes_needed: null, votes_cast: null }, { headers: JSON_HEADERS });
    await h.client.policies.apply('gw', 'sb', { yaml: YAML, dryRun: true, mode: 'merge', expectedVersion: 'h1' });
    expect(h.bodyOf(0)).toEqual({ yaml: YAML, dry_run: true, mode: 'merge', expected_version: 'h1' });
  });

  test('GIVEN only yaml WHEN applying THEN dry_run false is sent and no mode or expected_version', async () => {
    const h = harness();
    h.pool.intercept(APPLY).reply(200, { status: 'up_to_date', current_hash: 'h1', diff: EMPTY_WIRE_DIFF, applied_version: null }, { headers: JSON_HEADERS });
    await h.client.policies.apply('gw', 'sb', { yaml: YAML });
    expect(h.bodyOf(0)).toEqual({ yaml: YAML, dry_run: false });
  });

  test('GIVEN 200 applied WHEN applying THEN the applied outcome carries the new hash and the camelCase diff', async () => {
    const h = harness();
    h.pool.intercept(APPLY).reply(200, { status: 'applied', current_hash: 'old', diff: WIRE_DIFF, applied_version: 'new', votes_needed: null, votes_cast: null }, { headers: { ...JSON_HEADERS, 'x-request-id': 'rid-1' } });
    const outcome = await h.client.policies.apply('gw', 'sb', { yaml: YAML });
    expect(outcome).toEqual({
      status: 'applied',
      currentHash: 'old',
      appliedVersion: 'new',
      requestId: 'rid-1',
      diff: {
        filesystem: { readOnlyAdded: ['/etc'], readOnlyRemoved: [], readWriteAdded: [], readWriteRemoved: ['/tmp'], includeWorkdirChanged: [true, false] },
        process: { runAsUserChanged: ['app', 'root'], runAsGroupChanged: null },
        networkPolicies: { added: ['openai'], removed: ['legacy'], changed: ['gh'] },
      },
    });
    expect(outcome.status === 'applied' && hasDrift(outcome.diff)).toBe(true);
  });

  test('GIVEN 200 up_to_date WHEN applying THEN the diff has no drift', async () => {
    const h = harness();
    h.pool.intercept(APPLY).reply(200, { status: 'up_to_date', current_hash: 'h1', diff: EMPTY_WIRE_DIFF, applied_version: null }, { headers: JSON_HEADERS });
    const outcome = await h.client.policies.apply('gw', 'sb', { yaml: YAML });
    expect(outcome).toMatchObject({ status: 'up_to_date', appliedVersion: null });
    expect(outcome.status === 'up_to_date' && hasDrift(outcome.diff)).toBe(false);
  });

  test('GIVEN 202 vote_recorded WHEN applying THEN an outcome with votes and chunk id, not an error', async () => {
    const h = harness();
    h.pool.intercept(APPLY).reply(202, { status: 'vote_recorded', current_hash: 'h1', diff: WIRE_DIFF, votes_needed: 2, votes_cast: 1, chunk_id: voteChunkId(YAML) }, { headers: JSON_HEADERS });
    await expect(h.client.policies.apply('gw', 'sb', { yaml: YAML })).resolves.toMatchObject({
      status: 'vote_recorded',
      votesCast: 1,
      votesNeeded: 2,
      chunkId: 'policy.apply:5c23dcec03d9af61',
      currentHash: 'h1',
    });
  });

  test('GIVEN 409 version_mismatch WHEN applying THEN a conflict outcome with both hashes', async () => {
    const h = harness();
    h.pool.intercept(APPLY).reply(409, { status: 'version_mismatch', current_hash: 'live', expected_version: 'stale' }, { headers: JSON_HEADERS });
    await expect(h.client.policies.apply('gw', 'sb', { yaml: YAML, expectedVersion: 'stale' })).resolves.toMatchObject({ status: 'conflict', currentHash: 'live', expectedVersion: 'stale' });
  });

  test('GIVEN 423 pinned WHEN applying THEN a pinned outcome enriched with the pin reason and expiry', async () => {
    const h = harness();
    h.pool.intercept(APPLY).reply(423, problem(423, 'INTERNAL_ERROR', 'Policy is pinned at version 5 by alice@example.com. Unpin first.'), { headers: PROBLEM_HEADERS });
    h.pool.intercept({ path: PIN, method: 'GET' }).reply(200, wirePin({ expires_at: '2026-05-01T00:00:00' }), { headers: JSON_HEADERS });
    const outcome = await h.client.policies.apply('gw', 'sb', { yaml: YAML, dryRun: true });
    expect(outcome).toMatchObject({
      status: 'pinned',
      detail: 'Policy is pinned at version 5 by alice@example.com. Unpin first.',
      pinnedVersion: 5,
      pinnedBy: 'alice@example.com',
      pin: { reason: 'release freeze', expiresAt: '2026-05-01T00:00:00' },
    });
  });

  test('GIVEN 423 and the pin read fails WHEN applying THEN still a pinned outcome with pin null', async () => {
    const h = harness({ retry: { maxAttempts: 1 } });
    h.pool.intercept(APPLY).reply(423, problem(423, 'INTERNAL_ERROR', 'Policy is pinned at version 5 by alice@example.com. Unpin first.'), { headers: PROBLEM_HEADERS });
    h.pool.intercept({ path: PIN, method: 'GET' }).reply(503, problem(503, 'SERVICE_UNAVAILABLE', 'busy'), { headers: PROBLEM_HEADERS });
    await expect(h.client.policies.apply('gw', 'sb', { yaml: YAML })).resolves.toMatchObject({ status: 'pinned', pin: null, pinnedVersion: 5 });
  });

  test('GIVEN a 409 duplicate-vote problem WHEN applying THEN it throws conflict (a failure, not a lock conflict)', async () => {
    const h = harness();
    h.pool.intercept(APPLY).reply(409, problem(409, 'CONFLICT', "Actor 'sp:ci' has already voted on chunk policy.apply:5c23dcec03d9af61"), { headers: PROBLEM_HEADERS });
    await expect(h.client.policies.apply('gw', 'sb', { yaml: YAML })).rejects.toMatchObject({ code: 'conflict', sandbox: 'sb' });
  });

  test('GIVEN a 400 merge_unsupported WHEN applying in merge mode THEN a validation error with mergeUnsupported is thrown', async () => {
    const h = harness();
    const detail = "{'status': 'merge_unsupported', 'reason': 'mode=merge cannot express a version bump; the gateway assigns revisions automatically', 'hint': \"retry with mode='replace' for changes outside network_policies\"}";
    h.pool.intercept(APPLY).reply(400, problem(400, 'VALIDATION_ERROR', detail), { headers: PROBLEM_HEADERS });
    const error = await rejectionOf(h.client.policies.apply('gw', 'sb', { yaml: YAML, mode: 'merge' }));
    expect(error).toMatchObject({ code: 'validation', mergeUnsupported: { reason: 'mode=merge cannot express a version bump; the gateway assigns revisions automatically' } });
  });

  test('GIVEN a 200 with an unknown status WHEN applying THEN invalid_response is thrown', async () => {
    const h = harness();
    h.pool.intercept(APPLY).reply(200, { status: 'rejected', current_hash: 'h', diff: EMPTY_WIRE_DIFF }, { headers: JSON_HEADERS });
    await expect(h.client.policies.apply('gw', 'sb', { yaml: YAML })).rejects.toMatchObject({ code: 'invalid_response' });
  });

  test('GIVEN a yaml WHEN reading decisions THEN the chunk id of that exact text is queried', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/gateways/gw/sandboxes/sb/approvals/policy.apply:b4f240489f4610e3/decisions', method: 'GET' }).reply(200, { status: 'no_workflow', votes: 0, needed: 0, decisions: [] }, { headers: JSON_HEADERS });
    await expect(h.client.policies.getDecisions('gw', 'sb', 'policy: {}')).resolves.toEqual({ status: 'no_workflow', votes: 0, needed: 0, decisions: [] });
  });
});

describe('policy helpers', () => {
  test.each([
    ['policy: {}\n', 'policy.apply:5c23dcec03d9af61'],
    ['policy: {}', 'policy.apply:b4f240489f4610e3'],
    ['policy: {}\r\n', 'policy.apply:6c4c47411a4079f7'],
  ])('GIVEN the contract vector %j WHEN hashing THEN %s', (yaml, expected) => {
    expect(voteChunkId(yaml)).toBe(expected);
  });

  test('GIVEN the client helper WHEN hashing THEN it equals the module function', () => {
    expect(harness().client.policies.voteChunkId('policy: {}\n')).toBe('policy.apply:5c23dcec03d9af61');
  });

  test.each([
    ['2026-04-20T12:00:00.123456', '2026-04-20T12:00:00.123Z'],
    ['2026-04-20T12:00:00.123456+00:00', '2026-04-20T12:00:00.123Z'],
    ['2026-04-20T14:00:00+02:00', '2026-04-20T12:00:00.000Z'],
    ['2026-04-20T12:00:00Z', '2026-04-20T12:00:00.000Z'],
    ['2026-04-20 12:00', '2026-04-20T12:00:00.000Z'],
  ])('GIVEN timestamp %s WHEN parsed THEN %s (offset-less means UTC)', (text, iso) => {
    expect(parseShoreGuardTime(text).toISOString()).toBe(iso);
  });

  test.each(['yesterday', '2026-13-45T99:00:00', ''])('GIVEN %j WHEN parsed THEN RangeError', (text) => {
    expect(() => parseShoreGuardTime(text)).toThrow(RangeError);
  });

  test('GIVEN the package WHEN reading its version THEN it is a semver string', () => {
    expect(PACKAGE_VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('probes', () => {
  test('GIVEN a JSON /healthz WHEN probing THEN status is read', async () => {
    const h = harness();
    h.pool.intercept({ path: '/healthz', method: 'GET' }).reply(200, { status: 'ok', uptime: 3 }, { headers: JSON_HEADERS });
    await expect(h.client.health()).resolves.toEqual({ status: 'ok', raw: { status: 'ok', uptime: 3 } });
  });

  test('GIVEN a plain-text /healthz WHEN probing THEN the text is the status', async () => {
    const h = harness();
    h.pool.intercept({ path: '/healthz', method: 'GET' }).reply(200, 'ok\n', { headers: { 'content-type': 'text/plain' } });
    await expect(h.client.health()).resolves.toEqual({ status: 'ok', raw: { text: 'ok\n' } });
  });

  test('GIVEN /version WHEN asked THEN the version string is returned', async () => {
    const h = harness();
    h.pool.intercept({ path: '/version', method: 'GET' }).reply(200, { version: '0.40.0' }, { headers: JSON_HEADERS });
    await expect(h.client.version()).resolves.toMatchObject({ version: '0.40.0' });
  });
});
