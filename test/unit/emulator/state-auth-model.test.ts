import { authenticate, effectiveRole, type Principal } from '../../../emulator/auth';
import { PythonTypeError } from '../../../emulator/core/python';
import { validateBody, type ModelSpec } from '../../../emulator/core/validation';
import type { PydanticError } from '../../../emulator/core/http';
import { normalizePolicy, TldWildcardError } from '../../../emulator/policy/model';
import { EmulatorState, EmulatorStateError } from '../../../emulator/state';

function newState(): EmulatorState {
  return new EmulatorState(() => new Date('2026-04-20T12:00:00Z'));
}

describe('effective role (§2.3)', () => {
  function setup(): { state: EmulatorState; user: Principal; sp: Principal; gatewayId: number } {
    const state = newState();
    const gateway = state.registerGateway({ name: 'gw' });
    const seeded = state.addUser('u@example.com', 'operator');
    const key = state.addServicePrincipal('bot', 'admin');
    const sp = authenticate(state, { authorization: `Bearer ${key}` });
    if (!sp) throw new Error('SP did not authenticate');
    return { state, user: { kind: 'user', id: seeded.id, actor: seeded.email, role: 'operator' }, sp, gatewayId: gateway.id };
  }

  it('GIVEN no overrides WHEN resolving THEN the global role is used', () => {
    const { state, user, sp } = setup();
    expect(effectiveRole(state, user, 'gw')).toBe('operator');
    expect(effectiveRole(state, sp, 'gw')).toBe('admin');
  });

  it('GIVEN an SP gateway role WHEN resolving on that gateway THEN it replaces (and can lower) the role', () => {
    const { state, sp, gatewayId } = setup();
    state.gatewayRoles.push({ subject: 'sp', subjectId: sp.id, gatewayId, role: 'viewer' });
    expect(effectiveRole(state, sp, 'gw')).toBe('viewer');
    expect(effectiveRole(state, sp, 'other')).toBe('admin');
    expect(effectiveRole(state, sp, null)).toBe('admin');
  });

  it('GIVEN group gateway roles WHEN resolving THEN the highest group row applies unless the user has their own row', () => {
    const { state, user, gatewayId } = setup();
    state.groups.set(1, { id: 1, name: 'a', role: 'viewer', description: null, createdAt: 0 });
    state.groups.set(2, { id: 2, name: 'b', role: 'viewer', description: null, createdAt: 0 });
    state.groupMembers.push({ groupId: 1, userId: user.id }, { groupId: 2, userId: user.id });
    state.gatewayRoles.push({ subject: 'group', subjectId: 1, gatewayId, role: 'viewer' }, { subject: 'group', subjectId: 2, gatewayId, role: 'admin' });
    expect(effectiveRole(state, user, 'gw')).toBe('admin');
    state.gatewayRoles.push({ subject: 'user', subjectId: user.id, gatewayId, role: 'viewer' });
    expect(effectiveRole(state, user, 'gw')).toBe('viewer');
  });

  it('GIVEN a lowered user in a higher global group WHEN resolving THEN the group global role raises it again', () => {
    const { state, user, gatewayId } = setup();
    state.gatewayRoles.push({ subject: 'user', subjectId: user.id, gatewayId, role: 'viewer' });
    state.groups.set(1, { id: 1, name: 'ops', role: 'operator', description: null, createdAt: 0 });
    state.groupMembers.push({ groupId: 1, userId: user.id });
    expect(effectiveRole(state, user, 'gw')).toBe('operator');
  });

  it('GIVEN a gateway role row WHEN the gateway is unregistered THEN the row cascades away', () => {
    const { state, sp, gatewayId } = setup();
    state.gatewayRoles.push({ subject: 'sp', subjectId: sp.id, gatewayId, role: 'viewer' });
    state.unregisterGateway('gw');
    expect(state.gatewayRoles).toEqual([]);
  });
});

describe('seeding API', () => {
  it('GIVEN a seeded policy WHEN read back THEN it is normalised like a gateway round trip', () => {
    const state = newState();
    state.seedSandbox('gw', 'sb', { filesystem: { read_only: ['/usr'] }, unknown: 1, network_policies: {} });
    expect(state.getPolicy('gw', 'sb')).toMatchObject({
      activeVersion: 1,
      policy: { version: 0, filesystem: { include_workdir: false, read_only: ['/usr'], read_write: [] } },
    });
  });

  it('GIVEN identical content WHEN written through the gateway THEN the revision and hash are kept', () => {
    const state = newState();
    state.seedSandbox('gw', 'sb', { process: { run_as_user: 'a' } });
    const sandbox = state.findSandbox('gw', 'sb')!;
    const before = state.getPolicy('gw', 'sb');
    expect(state.writePolicy(sandbox, normalizePolicy({ process: { run_as_user: 'a' } })).version).toBe(1);
    const changed = state.writePolicy(sandbox, normalizePolicy({ process: { run_as_user: 'b' } }));
    expect(changed.version).toBe(2);
    expect(changed.policyHash).not.toBe(before.policyHash);
  });

  it('GIVEN bad seeding input WHEN seeding THEN typed errors explain it', () => {
    const state = newState();
    expect(() => state.editPolicyOutOfBand('gw', 'missing', {})).toThrow(EmulatorStateError);
    expect(() => state.setPin('gw', 'sb', { expiresAt: 'soon' })).toThrow("Invalid isoformat string: 'soon'");
    state.addServicePrincipal('bot', 'viewer');
    expect(() => state.addServicePrincipal('bot', 'viewer')).toThrow("A service principal named 'bot' already exists");
  });
});

describe('policy normalisation (_dict_to_policy → _policy_to_dict)', () => {
  it('GIVEN an endpoint with defaults and junk WHEN normalised THEN only non-empty optional keys stay', () => {
    expect(
      normalizePolicy({
        network_policies: {
          r: {
            endpoints: [
              { host: 'h', port: 443, protocol: '', tls: 'terminate', allow_encoded_slash: false, rules: [{ allow: { method: 'GET' } }], extra: 1 },
            ],
            binaries: [{ path: '/bin/x', mode: 'x' }],
          },
        },
      }),
    ).toEqual({
      version: 0,
      network_policies: {
        r: {
          name: '',
          endpoints: [{ host: 'h', port: 443, tls: 'terminate', rules: [{ allow: { method: 'GET', path: '', command: '' } }] }],
          binaries: [{ path: '/bin/x' }],
        },
      },
    });
  });

  it('GIVEN wrong types or a TLD wildcard WHEN normalised THEN the Python conversion errors are raised', () => {
    expect(() => normalizePolicy({ process: { run_as_user: 1000 } })).toThrow(PythonTypeError);
    expect(() => normalizePolicy({ version: null })).toThrow(PythonTypeError);
    expect(() => normalizePolicy({ network_policies: { r: { endpoints: [{ host: 'x', port: -1 }] } } })).toThrow(PythonTypeError);
    expect(() => normalizePolicy({ network_policies: { r: { endpoints: [{ host: '*.io' }] } } })).toThrow(TldWildcardError);
    expect(normalizePolicy({ filesystem_policy: { read_write: ['/w'] } })).toEqual({
      version: 0,
      filesystem: { include_workdir: false, read_only: [], read_write: ['/w'] },
    });
  });
});

describe('pydantic-style body validation', () => {
  const spec: ModelSpec = {
    yaml: { spec: { kind: 'str' }, required: true },
    dry_run: { spec: { kind: 'bool' }, default: false },
    count: { spec: { kind: 'int', ge: 1, le: 20 }, default: 2 },
    roles: { spec: { kind: 'list', item: { kind: 'str' } }, default: [] },
  };

  function errorsFor(body: unknown): PydanticError[] {
    const errors: PydanticError[] = [];
    validateBody(spec, body as never, errors);
    return errors;
  }

  it('GIVEN lax-mode inputs WHEN validated THEN they coerce like pydantic', () => {
    const errors: PydanticError[] = [];
    const model = validateBody(spec, { yaml: 'x', dry_run: 'yes', count: '3', roles: [] }, errors);
    expect(errors).toEqual([]);
    expect(model.values).toEqual({ yaml: 'x', dry_run: true, count: 3, roles: [] });
    expect(model.fieldsSet).toEqual(new Set(['yaml', 'dry_run', 'count', 'roles']));
  });

  it('GIVEN invalid inputs WHEN validated THEN the errors match pydantic 2 (generated with pydantic 2.13)', () => {
    expect(errorsFor({ yaml: 5, dry_run: 'maybe', count: 1.5, roles: [1] })).toEqual([
      { type: 'string_type', loc: ['body', 'yaml'], msg: 'Input should be a valid string', input: 5 },
      { type: 'bool_parsing', loc: ['body', 'dry_run'], msg: 'Input should be a valid boolean, unable to interpret input', input: 'maybe' },
      { type: 'int_from_float', loc: ['body', 'count'], msg: 'Input should be a valid integer, got a number with a fractional part', input: 1.5 },
      { type: 'string_type', loc: ['body', 'roles', 0], msg: 'Input should be a valid string', input: 1 },
    ]);
    expect(errorsFor({ dry_run: true })).toEqual([{ type: 'missing', loc: ['body', 'yaml'], msg: 'Field required', input: { dry_run: true } }]);
    expect(errorsFor({ yaml: 'x', count: 0 })[0]?.msg).toBe('Input should be greater than or equal to 1');
    expect(errorsFor(undefined)).toEqual([{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }]);
    expect(errorsFor([1])[0]?.type).toBe('model_attributes_type');
  });
});
