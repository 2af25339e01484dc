import { wirePin, wireWorkflow } from './fixtures';
import { JSON_HEADERS, PROBLEM_HEADERS, harness, problem } from './helpers';

const WORKFLOW = '/api/gateways/gw/sandboxes/sb/approval-workflow';
const PIN = '/api/gateways/gw/sandboxes/sb/policy/pin';

describe('client.workflows', () => {
  test('GIVEN no workflow ({} from the server) WHEN getting THEN null', async () => {
    const h = harness();
    h.pool.intercept({ path: WORKFLOW, method: 'GET' }).reply(200, {}, { headers: JSON_HEADERS });
    await expect(h.client.workflows.get('gw', 'sb')).resolves.toBeNull();
  });

  test('GIVEN a workflow WHEN getting THEN it is mapped to camelCase', async () => {
    const h = harness();
    h.pool.intercept({ path: WORKFLOW, method: 'GET' }).reply(200, wireWorkflow(), { headers: JSON_HEADERS });
    await expect(h.client.workflows.get('gw', 'sb')).resolves.toEqual({
      gatewayName: 'gw',
      sandboxName: 'sb',
      requiredApprovals: 2,
      requiredRoles: ['admin', 'operator'],
      distinctActors: true,
      escalationTimeoutMinutes: null,
      createdBy: 'sp:ci',
      createdAt: '2026-04-20T12:00:00',
      updatedAt: '2026-04-20T12:00:00',
    });
  });

  test('GIVEN camelCase settings WHEN putting THEN the real wire names are sent', async () => {
    const h = harness();
    h.pool.intercept({ path: WORKFLOW, method: 'PUT' }).reply(200, wireWorkflow({ required_approvals: 3, escalation_timeout_minutes: 60 }), { headers: JSON_HEADERS });
    const workflow = await h.client.workflows.put('gw', 'sb', { requiredApprovals: 3, requiredRoles: ['operator'], distinctActors: false, escalationTimeoutMinutes: 60 });
    expect(h.bodyOf(0)).toEqual({ required_approvals: 3, required_roles: ['operator'], distinct_actors: false, escalation_timeout_minutes: 60 });
    expect(workflow.requiredApprovals).toBe(3);
  });

  test('GIVEN a partial input WHEN putting THEN only the given keys are sent', async () => {
    const h = harness();
    h.pool.intercept({ path: WORKFLOW, method: 'PUT' }).reply(200, wireWorkflow(), { headers: JSON_HEADERS });
    await h.client.workflows.put('gw', 'sb', { requiredApprovals: 2 });
    expect(h.bodyOf(0)).toEqual({ required_approvals: 2 });
  });

  test('GIVEN a workflow WHEN deleting THEN DELETE is called', async () => {
    const h = harness();
    h.pool.intercept({ path: WORKFLOW, method: 'DELETE' }).reply(200, { status: 'deleted' }, { headers: JSON_HEADERS });
    await expect(h.client.workflows.delete('gw', 'sb')).resolves.toBeUndefined();
  });

  test('GIVEN no workflow WHEN deleting THEN not_found is thrown', async () => {
    const h = harness();
    h.pool.intercept({ path: WORKFLOW, method: 'DELETE' }).reply(404, problem(404, 'NOT_FOUND', 'No workflow configured'), { headers: PROBLEM_HEADERS });
    await expect(h.client.workflows.delete('gw', 'sb')).rejects.toMatchObject({ code: 'not_found', sandbox: 'sb' });
  });

  test('GIVEN a chunk id with a colon WHEN reading decisions THEN it stays readable in the path and votes are mapped', async () => {
    const h = harness();
    h.pool.intercept({ path: '/api/gateways/gw/sandboxes/sb/approvals/policy.apply:5c23dcec03d9af61/decisions', method: 'GET' }).reply(
      200,
      { status: 'pending', votes: 1, needed: 2, decisions: [{ actor: 'sp:ci', role: 'operator', decision: 'approve', comment: null, created_at: '2026-04-20T12:00:00' }] },
      { headers: JSON_HEADERS },
    );
    await expect(h.client.workflows.decisions('gw', 'sb', 'policy.apply:5c23dcec03d9af61')).resolves.toEqual({
      status: 'pending',
      votes: 1,
      needed: 2,
      decisions: [{ actor: 'sp:ci', role: 'operator', decision: 'approve', comment: null, createdAt: '2026-04-20T12:00:00' }],
    });
  });
});

describe('client.pins', () => {
  test('GIVEN an active pin WHEN getting THEN it is mapped', async () => {
    const h = harness();
    h.pool.intercept({ path: PIN, method: 'GET' }).reply(200, wirePin(), { headers: JSON_HEADERS });
    await expect(h.client.pins.get('gw', 'sb')).resolves.toEqual({
      gatewayName: 'gw',
      sandboxName: 'sb',
      pinnedVersion: 5,
      pinnedBy: 'alice@example.com',
      reason: 'release freeze',
      pinnedAt: '2026-04-20T12:00:00+00:00',
      expiresAt: null,
    });
  });

  test('GIVEN no pin (404 problem) WHEN getting THEN null', async () => {
    const h = harness();
    h.pool.intercept({ path: PIN, method: 'GET' }).reply(404, problem(404, 'NOT_FOUND', 'No active pin for this sandbox'), { headers: PROBLEM_HEADERS });
    await expect(h.client.pins.get('gw', 'sb')).resolves.toBeNull();
  });

  test('GIVEN an unknown route (plain 404) WHEN getting a pin THEN not_found is thrown, not hidden as null', async () => {
    const h = harness();
    h.pool.intercept({ path: PIN, method: 'GET' }).reply(404, { detail: 'Not Found' }, { headers: JSON_HEADERS });
    await expect(h.client.pins.get('gw', 'sb')).rejects.toMatchObject({ code: 'not_found' });
  });

  test('GIVEN a reason and a Date expiry WHEN pinning THEN reason and ISO expires_at are sent', async () => {
    const h = harness();
    h.pool.intercept({ path: PIN, method: 'POST' }).reply(200, wirePin({ expires_at: '2026-05-01T00:00:00+00:00' }), { headers: JSON_HEADERS });
    const pin = await h.client.pins.pin('gw', 'sb', { reason: 'release freeze', expiresAt: new Date('2026-05-01T00:00:00Z') });
    expect(h.bodyOf(0)).toEqual({ reason: 'release freeze', expires_at: '2026-05-01T00:00:00.000Z' });
    expect(pin.expiresAt).toBe('2026-05-01T00:00:00+00:00');
  });

  test('GIVEN no input WHEN pinning THEN an empty object is sent', async () => {
    const h = harness();
    h.pool.intercept({ path: PIN, method: 'POST' }).reply(200, wirePin({ reason: null }), { headers: JSON_HEADERS });
    await h.client.pins.pin('gw', 'sb');
    expect(h.bodyOf(0)).toEqual({});
  });

  test('GIVEN an unparseable expiry WHEN pinning THEN it is rejected locally (the server would 500)', async () => {
    const h = harness();
    await expect(h.client.pins.pin('gw', 'sb', { expiresAt: 'tomorrow' })).rejects.toMatchObject({ code: 'validation', status: undefined });
    expect(h.calls()).toHaveLength(0);
  });

  test('GIVEN a pin WHEN unpinning THEN true (204)', async () => {
    const h = harness();
    h.pool.intercept({ path: PIN, method: 'DELETE' }).reply(204, '');
    await expect(h.client.pins.unpin('gw', 'sb')).resolves.toBe(true);
  });

  test('GIVEN no pin WHEN unpinning THEN false', async () => {
    const h = harness();
    h.pool.intercept({ path: PIN, method: 'DELETE' }).reply(404, problem(404, 'NOT_FOUND', 'No active pin for this sandbox'), { headers: PROBLEM_HEADERS });
    await expect(h.client.pins.unpin('gw', 'sb')).resolves.toBe(false);
  });

  test('GIVEN a viewer key WHEN unpinning THEN forbidden is thrown', async () => {
    const h = harness();
    h.pool.intercept({ path: PIN, method: 'DELETE' }).reply(403, problem(403, 'PERMISSION_DENIED', 'Requires operator role'), { headers: PROBLEM_HEADERS });
    await expect(h.client.pins.unpin('gw', 'sb')).rejects.toMatchObject({ code: 'forbidden' });
  });
});
