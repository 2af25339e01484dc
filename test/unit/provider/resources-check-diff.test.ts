/**
 * The validation and diff rules of provider/resources, without a server: what `check` accepts,
 * rejects and fills in, and which changes `diff` reports as updates, replacements and
 * delete-before-replace.
 */
import { dataSourceTypes, lookups, resourceHandler, resources, resourceTypes } from '../../../provider/resources';
import type { AttributeProblem, Attributes, CheckResult, ResourceHandler } from '../../../provider/resources';

function ok<I>(result: CheckResult<I>): I {
  if (!result.ok) throw new Error(`expected valid inputs, got ${JSON.stringify(result.problems)}`);
  return result.inputs;
}

function problems(result: CheckResult<unknown>): readonly AttributeProblem[] {
  if (result.ok) throw new Error('expected problems, the inputs were accepted');
  return result.problems;
}

function problemFor(result: CheckResult<unknown>, attribute: string): string {
  const found = problems(result).find((p) => p.attribute === attribute);
  if (!found) throw new Error(`no problem for ${attribute}: ${JSON.stringify(problems(result))}`);
  return found.message;
}

/** State as the server would echo it: the checked inputs plus an id. */
function stateOf(handler: ResourceHandler, raw: Attributes, id = 'x'): Attributes & { id: string } {
  return { ...ok(handler.check(raw)), id };
}

const future = new Date(Date.now() + 7 * 24 * 3600_000).toISOString();
const past = '2020-01-01T00:00:00Z';

const gateway = resourceHandler('shoreguard_gateway');
const group = resourceHandler('shoreguard_group');
const membership = resourceHandler('shoreguard_group_membership');
const gatewayRole = resourceHandler('shoreguard_group_gateway_role');
const workflow = resourceHandler('shoreguard_approval_workflow');
const pin = resourceHandler('shoreguard_policy_pin');
const hook = resourceHandler('shoreguard_sandbox_boot_hook');

describe('the resource registry', () => {
  it('GIVEN schema.json WHEN listing the registry THEN it has exactly one handler per resource type and one lookup per data source', () => {
    expect(Object.keys(resources).sort()).toEqual([...resourceTypes()].sort());
    expect(Object.keys(lookups).sort()).toEqual([...dataSourceTypes()].sort());
    for (const [type, handler] of Object.entries(resources)) expect(handler.type).toBe(type);
  });

  it('GIVEN an unknown type WHEN asking for its handler THEN the error lists the known types', () => {
    expect(() => resourceHandler('shoreguard_policy')).toThrow(/unknown ShoreGuard resource type "shoreguard_policy"; known: shoreguard_gateway/);
  });
});

describe('gateway check', () => {
  it('GIVEN only name and endpoint WHEN checked THEN the server defaults are filled in', () => {
    expect(ok(gateway.check({ name: 'edge-1', endpoint: 'gw.example.com:8443' }))).toEqual({
      name: 'edge-1',
      endpoint: 'gw.example.com:8443',
      scheme: 'https',
      auth_mode: 'mtls',
      ca_cert: null,
      client_cert: null,
      client_key: null,
      metadata: null,
      description: null,
      labels: null,
    });
  });

  it('GIVEN a bad name, an endpoint with a scheme and a port out of range WHEN checked THEN each attribute gets its own message', () => {
    const result = gateway.check({ name: '-bad name', endpoint: 'https://gw:8443' });
    expect(problemFor(result, 'name')).toMatch(/must match \^\[a-zA-Z0-9\]/);
    expect(problemFor(result, 'endpoint')).toMatch(/host:port without a scheme/);
    expect(problemFor(gateway.check({ name: 'a', endpoint: 'gw:70000' }), 'endpoint')).toBe('port must be between 1 and 65535');
  });

  it('GIVEN a missing endpoint WHEN checked THEN the problem says it is required', () => {
    expect(problemFor(gateway.check({ name: 'a' }), 'endpoint')).toBe('is required');
  });

  it('GIVEN 21 labels and a bad label key WHEN checked THEN the label limits are named', () => {
    const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v']));
    expect(problemFor(gateway.check({ name: 'a', endpoint: 'gw:1', labels: many }), 'labels')).toBe('at most 20 labels are allowed (got 21)');
    expect(problemFor(gateway.check({ name: 'a', endpoint: 'gw:1', labels: { '-x': 'v' } }), 'labels')).toMatch(/label key "-x" must match/);
  });

  it('GIVEN a 1001-character description WHEN checked THEN the limit is named', () => {
    expect(problemFor(gateway.check({ name: 'a', endpoint: 'gw:1', description: 'x'.repeat(1001) }), 'description')).toBe('must be at most 1000 characters');
  });

  it('GIVEN metadata.runtime in upper case WHEN checked THEN it is lower-cased like the server does, and an unknown runtime is refused', () => {
    expect(ok(gateway.check({ name: 'a', endpoint: 'gw:1', metadata: { runtime: 'Docker' } }))['metadata']).toEqual({ runtime: 'docker' });
    expect(problemFor(gateway.check({ name: 'a', endpoint: 'gw:1', metadata: { runtime: 'podman' } }), 'metadata')).toMatch(/docker, kubernetes, libkrun/);
  });

  it('GIVEN a certificate that is neither PEM nor base64 WHEN checked THEN the message does not echo the secret', () => {
    const secret = 'not base64 !!! super-secret-key-material';
    const message = problemFor(gateway.check({ name: 'a', endpoint: 'gw:1', client_key: secret }), 'client_key');
    expect(message).toBe('must be PEM text (-----BEGIN …) or base64');
    expect(message).not.toContain('super-secret');
  });
});

describe('gateway diff', () => {
  const prior = stateOf(gateway, { name: 'edge-1', endpoint: 'gw:8443', description: 'old', labels: { team: 'a' } }, 'edge-1');

  it('GIVEN only the description changes WHEN diffed THEN it is an in-place update', () => {
    const diff = gateway.diff(prior, ok(gateway.check({ name: 'edge-1', endpoint: 'gw:8443', description: 'new', labels: { team: 'a' } })));
    expect(diff).toEqual({ changed: ['description'], replaces: [], deleteBeforeReplace: false });
  });

  it('GIVEN the endpoint changes under the same name WHEN diffed THEN it replaces and deletes first', () => {
    const diff = gateway.diff(prior, ok(gateway.check({ name: 'edge-1', endpoint: 'gw:9443', description: 'old', labels: { team: 'a' } })));
    expect(diff).toEqual({ changed: ['endpoint'], replaces: ['endpoint'], deleteBeforeReplace: true });
  });

  it('GIVEN the name changes WHEN diffed THEN it replaces without deleting first (the new name is free)', () => {
    const diff = gateway.diff(prior, ok(gateway.check({ name: 'edge-2', endpoint: 'gw:9443', description: 'old', labels: { team: 'a' } })));
    expect(diff.replaces).toEqual(['name', 'endpoint']);
    expect(diff.deleteBeforeReplace).toBe(false);
  });

  it('GIVEN labels unset in the inputs and {} in state (the server spelling) WHEN diffed THEN there is no change', () => {
    const state = { ...stateOf(gateway, { name: 'e', endpoint: 'gw:1' }), labels: {}, metadata: {} };
    expect(gateway.diff(state, ok(gateway.check({ name: 'e', endpoint: 'gw:1' }))).changed).toEqual([]);
  });

  it('GIVEN a client certificate added WHEN diffed THEN it forces a replacement', () => {
    const diff = gateway.diff(prior, ok(gateway.check({ name: 'edge-1', endpoint: 'gw:8443', description: 'old', labels: { team: 'a' }, client_cert: 'QUJD' })));
    expect(diff).toEqual({ changed: ['client_cert'], replaces: ['client_cert'], deleteBeforeReplace: true });
  });

  it('GIVEN an imported gateway whose state has no certificate text but ShoreGuard holds one WHEN the configuration sets it THEN no replacement is planned', () => {
    const imported = { ...prior, ca_cert: null, has_ca_cert: true, has_client_cert: false };
    const diff = gateway.diff(imported, ok(gateway.check({ name: 'edge-1', endpoint: 'gw:8443', description: 'old', labels: { team: 'a' }, ca_cert: 'QUJD' })));
    expect(diff).toEqual({ changed: [], replaces: [], deleteBeforeReplace: false });
  });

  it('GIVEN an imported gateway where ShoreGuard holds no client certificate WHEN the configuration sets one THEN it still replaces', () => {
    const imported = { ...prior, ca_cert: null, has_ca_cert: true, has_client_cert: false };
    const diff = gateway.diff(imported, ok(gateway.check({ name: 'edge-1', endpoint: 'gw:8443', description: 'old', labels: { team: 'a' }, ca_cert: 'QUJD', client_cert: 'QUJD' })));
    expect(diff).toEqual({ changed: ['client_cert'], replaces: ['client_cert'], deleteBeforeReplace: true });
  });
});

describe('group, membership and gateway role', () => {
  it('GIVEN a group without role WHEN checked THEN role defaults to viewer, and a bad role is refused', () => {
    expect(ok(group.check({ name: 'sre' }))).toEqual({ name: 'sre', role: 'viewer', description: null });
    expect(problemFor(group.check({ name: 'sre', role: 'root' }), 'role')).toBe('must be one of admin, operator, viewer');
    expect(problemFor(group.check({ name: '   ' }), 'name')).toBe('must not be empty');
  });

  it('GIVEN a group rename WHEN diffed THEN it is an in-place update', () => {
    const diff = group.diff(stateOf(group, { name: 'sre' }, '3'), ok(group.check({ name: 'sre-team' })));
    expect(diff).toEqual({ changed: ['name'], replaces: [], deleteBeforeReplace: false });
  });

  it('GIVEN numeric ids as numbers or strings WHEN a membership is checked THEN they become strings, and a non-numeric id is refused', () => {
    expect(ok(membership.check({ group_id: 3, user_id: '17' }))).toEqual({ group_id: '3', user_id: '17' });
    expect(problemFor(membership.check({ group_id: 'sre', user_id: '17' }), 'group_id')).toBe('must be a numeric id such as "42"');
  });

  it('GIVEN another user WHEN a membership is diffed THEN it is replaced', () => {
    const diff = membership.diff(stateOf(membership, { group_id: '3', user_id: '17' }, '3/17'), ok(membership.check({ group_id: '3', user_id: '18' })));
    expect(diff).toEqual({ changed: ['user_id'], replaces: ['user_id'], deleteBeforeReplace: false });
  });

  it('GIVEN a new role WHEN a gateway role is diffed THEN it is updated in place; a new gateway replaces it', () => {
    const prior = stateOf(gatewayRole, { group_id: '3', gateway: 'gw', role: 'viewer' }, '3/gw');
    expect(gatewayRole.diff(prior, ok(gatewayRole.check({ group_id: '3', gateway: 'gw', role: 'operator' }))).replaces).toEqual([]);
    expect(gatewayRole.diff(prior, ok(gatewayRole.check({ group_id: '3', gateway: 'gw2', role: 'viewer' }))).replaces).toEqual(['gateway']);
  });
});

describe('approval workflow', () => {
  it('GIVEN required_approvals 0 and 21 WHEN checked THEN the 1-20 range is named', () => {
    for (const value of [0, 21, 2.5]) {
      expect(problemFor(workflow.check({ gateway: 'gw', sandbox_name: 'sb', required_approvals: value }), 'required_approvals')).toBe('must be a whole number from 1 to 20');
    }
  });

  it('GIVEN roles in any order WHEN checked THEN they are sorted like the server stores them, and defaults are filled', () => {
    expect(ok(workflow.check({ gateway: 'gw', sandbox_name: 'sb', required_roles: ['operator', 'admin'] }))).toEqual({
      gateway: 'gw',
      sandbox_name: 'sb',
      required_approvals: 2,
      required_roles: ['admin', 'operator'],
      distinct_actors: true,
      escalation_timeout_minutes: null,
    });
    expect(problemFor(workflow.check({ gateway: 'gw', sandbox_name: 'sb', required_roles: ['root'] }), 'required_roles')).toMatch(/admin, operator, viewer/);
  });

  it('GIVEN state read back sorted WHEN the same roles are declared unsorted THEN there is no diff', () => {
    const prior = stateOf(workflow, { gateway: 'gw', sandbox_name: 'sb', required_roles: ['admin', 'operator'] }, 'gw/sb');
    expect(workflow.diff(prior, ok(workflow.check({ gateway: 'gw', sandbox_name: 'sb', required_roles: ['operator', 'admin'] }))).changed).toEqual([]);
  });

  it('GIVEN a sandbox name with a slash WHEN checked THEN it is refused (ids are gateway/sandbox)', () => {
    expect(problemFor(workflow.check({ gateway: 'gw', sandbox_name: 'a/b' }), 'sandbox_name')).toMatch(/must not contain "\/"/);
  });
});

describe('policy pin expiry rules', () => {
  const base = { gateway: 'gw', sandbox_name: 'sb', reason: 'freeze' };

  it('GIVEN a new pin with a past expires_at WHEN checked THEN it is refused with the current time', () => {
    expect(problemFor(pin.check({ ...base, expires_at: past }), 'expires_at')).toMatch(/^must be in the future \(got 2020-01-01T00:00:00Z, now is 20\d\d-/);
  });

  it('GIVEN a malformed expires_at WHEN checked THEN the ISO-8601 format is named', () => {
    expect(problemFor(pin.check({ ...base, expires_at: 'next tuesday' }), 'expires_at')).toMatch(/ISO-8601/);
  });

  it('GIVEN an unchanged expiry that has passed WHEN checked against the prior inputs THEN it is accepted (a lapsed freeze)', () => {
    expect(ok(pin.check({ ...base, expires_at: past }, { ...base, expires_at: past }))['expires_at']).toBe(past);
  });

  it('GIVEN the same instant spelled +00:00 WHEN checked and diffed THEN it counts as unchanged', () => {
    const prior = { ...base, expires_at: '2020-01-01T00:00:00+00:00', id: 'gw/sb' };
    const inputs = ok(pin.check({ ...base, expires_at: past }, prior));
    expect(pin.diff(prior, inputs).changed).toEqual([]);
  });

  it('GIVEN an expiry changed to another past time WHEN checked THEN it is refused', () => {
    expect(problemFor(pin.check({ ...base, expires_at: '2021-01-01T00:00:00Z' }, { ...base, expires_at: past }), 'expires_at')).toMatch(/must be in the future/);
  });

  it('GIVEN a lapsed pin whose reason changes WHEN checked THEN the user is told to give a new expiry', () => {
    expect(problemFor(pin.check({ ...base, reason: 'new', expires_at: past }, { ...base, expires_at: past }), 'expires_at')).toMatch(/lapsed .* set a new future expires_at/);
  });

  it('GIVEN a future expiry change WHEN diffed THEN it is an in-place update; another sandbox replaces the pin', () => {
    const prior = { ...base, expires_at: null, id: 'gw/sb' };
    expect(pin.diff(prior, ok(pin.check({ ...base, expires_at: future }, prior)))).toEqual({ changed: ['expires_at'], replaces: [], deleteBeforeReplace: false });
    expect(pin.diff(prior, ok(pin.check({ ...base, sandbox_name: 'other' }, prior))).replaces).toEqual(['sandbox_name']);
  });
});

describe('boot hook', () => {
  const base = { gateway: 'gw', sandbox_name: 'sb', name: 'warm', phase: 'pre_create', command: 'echo hi' };

  it('GIVEN only the required fields WHEN checked THEN the server defaults are filled and order is left to the server', () => {
    expect(ok(hook.check(base))).toEqual({ ...base, workdir: '', env: {}, timeout_seconds: 30, order: null, enabled: true, continue_on_failure: false });
  });

  it('GIVEN a bad phase, an empty command and a timeout of 601 WHEN checked THEN each is named', () => {
    const result = hook.check({ ...base, phase: 'boot', command: '', timeout_seconds: 601 });
    expect(problemFor(result, 'phase')).toBe('must be pre_create or post_create');
    expect(problemFor(result, 'command')).toBe('must not be empty');
    expect(problemFor(result, 'timeout_seconds')).toBe('must be a whole number from 1 to 600');
  });

  it('GIVEN state with a server-assigned order WHEN the inputs leave order unset THEN there is no diff', () => {
    const prior = { ...ok(hook.check(base)), order: 4, id: 'gw/sb/7' };
    expect(hook.diff(prior, ok(hook.check(base))).changed).toEqual([]);
  });

  it('GIVEN a new command WHEN diffed THEN it updates in place; a new phase replaces the hook', () => {
    const prior = stateOf(hook, base, 'gw/sb/7');
    expect(hook.diff(prior, ok(hook.check({ ...base, command: 'echo bye' })))).toEqual({ changed: ['command'], replaces: [], deleteBeforeReplace: false });
    expect(hook.diff(prior, ok(hook.check({ ...base, phase: 'post_create' }))).replaces).toEqual(['phase']);
  });
});

describe('delete-before-replace flags', () => {
  it('GIVEN the handlers WHEN asked statically THEN only the gateway can need to delete first', () => {
    const flags = Object.fromEntries(Object.entries(resources).map(([type, handler]) => [type, handler.deleteBeforeReplace]));
    expect(flags).toEqual({
      shoreguard_gateway: true,
      shoreguard_group: false,
      shoreguard_group_membership: false,
      shoreguard_group_gateway_role: false,
      shoreguard_approval_workflow: false,
      shoreguard_policy_pin: false,
      shoreguard_sandbox_boot_hook: false,
    });
  });
});
