import type { ShoreGuardClient } from '../../../sdk/client';
import { ResourceError } from '../../../provider/resources/errors';
import { type CtyObject, type CtyValue, decodeMsgpack, encodeMsgpack, UNKNOWN } from '../../../provider/terraform/cty';
import { createLogger } from '../../../provider/terraform/logger';
import { type DynamicValueMessage, ProviderService } from '../../../provider/terraform/provider';
import { loadProviderSchema } from '../../../provider/terraform/schema';
import { fakeWorkflowHandler } from './fake-workflow';

const TYPE = 'shoreguard_approval_workflow';
const schema = loadProviderSchema();
const block = schema.resources.get(TYPE)!;
const API_KEY = 'sg_TestKeyThatMustNeverBeLogged_0123456789abcdef';

function dv(value: Record<string, CtyValue> | null): DynamicValueMessage {
  return { msgpack: encodeMsgpack(block.objectType, value) };
}
function providerDv(value: Record<string, CtyValue>): DynamicValueMessage {
  return { msgpack: encodeMsgpack(schema.provider.objectType, value) };
}
function decoded(value: DynamicValueMessage | null | undefined): CtyObject | null {
  return value?.msgpack ? (decodeMsgpack(block.objectType, value.msgpack) as CtyObject | null) : null;
}
/** A full object of the workflow type: every attribute present, null unless given. */
function object(values: Record<string, CtyValue>): Record<string, CtyValue> {
  return Object.fromEntries(block.attributes.map((a) => [a.name, values[a.name] ?? null]));
}

async function setup(options: { configure?: boolean } = {}) {
  const { handler, store } = fakeWorkflowHandler();
  const lines: string[] = [];
  const service = new ProviderService({
    resources: { [TYPE]: handler },
    lookups: {},
    logger: createLogger({ write: (line) => lines.push(line) }),
    createClient: () => ({ baseUrl: 'http://shoreguard.test', close: async () => undefined }) as unknown as ShoreGuardClient,
    env: {},
  });
  if (options.configure !== false) {
    const configured = await service.configureProvider({ config: providerDv({ endpoint: 'http://shoreguard.test', api_key: API_KEY }) });
    expect(configured.diagnostics).toEqual([]);
  }
  /** Plans and applies a create from config, returning the new state. */
  const create = async (config: Record<string, CtyValue>) => {
    const plan = await service.planResourceChange({ type_name: TYPE, prior_state: dv(null), proposed_new_state: dv(object(config)), config: dv(object(config)) });
    expect(plan.diagnostics).toEqual([]);
    const applied = await service.applyResourceChange({ type_name: TYPE, prior_state: dv(null), planned_state: plan.planned_state, config: dv(object(config)) });
    expect(applied.diagnostics).toEqual([]);
    return decoded(applied.new_state) as CtyObject;
  };
  /** Plans an update of `prior` to `config` the way Terraform proposes it (computed attributes keep prior values when unset). */
  const planUpdate = (prior: CtyObject, config: Record<string, CtyValue>) => {
    const proposed: Record<string, CtyValue> = {};
    for (const a of block.attributes) proposed[a.name] = a.computed && (config[a.name] ?? null) === null ? (prior[a.name] ?? null) : (config[a.name] ?? null);
    return service.planResourceChange({ type_name: TYPE, prior_state: dv(prior as Record<string, CtyValue>), proposed_new_state: dv(proposed), config: dv(object(config)) });
  };
  return { service, store, lines, create, planUpdate };
}

const base = { gateway: 'gw', sandbox_name: 'sb' };

describe('PlanResourceChange', () => {
  test('GIVEN a new workflow WHEN planned THEN config values stay verbatim, defaults are known and computed-only attributes unknown', async () => {
    const { service } = await setup();
    const config = object({ ...base, required_roles: ['operator', 'admin'] });
    const plan = await service.planResourceChange({ type_name: TYPE, prior_state: dv(null), proposed_new_state: dv(config), config: dv(config) });
    expect(plan.diagnostics).toEqual([]);
    expect(decoded(plan.planned_state)).toEqual({
      ...base,
      required_roles: ['operator', 'admin'],
      required_approvals: 2,
      distinct_actors: true,
      escalation_timeout_minutes: null,
      id: UNKNOWN,
      created_by: UNKNOWN,
      created_at: UNKNOWN,
      updated_at: UNKNOWN,
    });
    expect(plan.requires_replace).toEqual([]);
  });

  test('GIVEN a required attribute known only after apply WHEN planned THEN it stays unknown and is not reported as missing', async () => {
    const { service } = await setup();
    const config = object({ gateway: UNKNOWN, sandbox_name: 'sb' });
    const plan = await service.planResourceChange({ type_name: TYPE, prior_state: dv(null), proposed_new_state: dv(config), config: dv(config) });
    expect(plan.diagnostics).toEqual([]);
    expect(decoded(plan.planned_state)?.['gateway']).toBe(UNKNOWN);
  });

  test('GIVEN an invalid known value WHEN planned THEN the diagnostic points at that attribute', async () => {
    const { service } = await setup();
    const config = object({ gateway: '-bad', sandbox_name: 'sb' });
    const plan = await service.planResourceChange({ type_name: TYPE, prior_state: dv(null), proposed_new_state: dv(config), config: dv(config) });
    expect(plan.planned_state).toBeNull();
    expect(plan.diagnostics).toEqual([expect.objectContaining({ severity: 'ERROR', attribute: { steps: [{ attribute_name: 'gateway' }] } })]);
  });

  test('GIVEN roles in another order than stored WHEN planned THEN the plan keeps the prior state (no change)', async () => {
    const { create, planUpdate } = await setup();
    const state = await create({ ...base, required_roles: ['operator', 'admin'] });
    const plan = await planUpdate({ ...state, required_roles: ['admin', 'operator'] }, { ...base, required_roles: ['operator', 'admin'] });
    expect(decoded(plan.planned_state)).toEqual({ ...state, required_roles: ['admin', 'operator'] });
    expect(plan.requires_replace).toEqual([]);
  });

  test('GIVEN a changed in-place attribute WHEN planned THEN id stays known, server-stamped attributes become unknown, nothing is replaced', async () => {
    const { create, planUpdate } = await setup();
    const state = await create(base);
    const plan = await planUpdate(state, { ...base, required_approvals: 3 });
    const planned = decoded(plan.planned_state);
    expect(planned).toMatchObject({ required_approvals: 3, id: state['id'], updated_at: UNKNOWN });
    expect(plan.requires_replace).toEqual([]);
  });

  test('GIVEN a changed identity attribute WHEN planned THEN requires_replace names it and id is unknown', async () => {
    const { create, planUpdate } = await setup();
    const state = await create(base);
    const plan = await planUpdate(state, { ...base, gateway: 'other-gw' });
    expect(plan.requires_replace).toEqual([{ steps: [{ attribute_name: 'gateway' }] }]);
    expect(decoded(plan.planned_state)?.['id']).toBe(UNKNOWN);
  });

  test('GIVEN an identity attribute that becomes unknown WHEN planned THEN it requires replacement', async () => {
    const { create, planUpdate } = await setup();
    const state = await create(base);
    const plan = await planUpdate(state, { ...base, sandbox_name: UNKNOWN });
    expect(plan.requires_replace).toEqual([{ steps: [{ attribute_name: 'sandbox_name' }] }]);
  });

  test('GIVEN a destroy WHEN planned THEN the planned state is null', async () => {
    const { create, service } = await setup();
    const state = await create(base);
    const plan = await service.planResourceChange({ type_name: TYPE, prior_state: dv(state as Record<string, CtyValue>), proposed_new_state: dv(null), config: dv(null) });
    expect(plan.diagnostics).toEqual([]);
    expect(decoded(plan.planned_state)).toBeNull();
  });
});

describe('ApplyResourceChange', () => {
  test('GIVEN a create WHEN the server answers THEN the state has every planned value and the server values for unknowns', async () => {
    const { create, store } = await setup();
    const state = await create({ ...base, required_roles: ['operator', 'admin'] });
    expect(state).toMatchObject({ id: 'gw/sb', required_roles: ['operator', 'admin'], created_by: 'sp:test', required_approvals: 2 });
    expect(store.objects.get('gw/sb')?.['required_roles']).toEqual(['admin', 'operator']);
  });

  test('GIVEN the server returns another value for a known planned attribute WHEN applied THEN the planned value is kept and a warning logged', async () => {
    const { create, store, lines } = await setup();
    store.overrideOnCreate = { distinct_actors: false };
    const state = await create(base);
    expect(state['distinct_actors']).toBe(true);
    expect(lines.some((line) => line.includes('"@level":"warn"') && line.includes('distinct_actors'))).toBe(true);
  });

  test('GIVEN only an equivalent spelling changed WHEN applied THEN no update is sent', async () => {
    const { create, planUpdate, service, store } = await setup();
    const state = await create({ ...base, required_roles: ['admin', 'operator'] });
    const config = { ...base, required_roles: ['admin', 'operator'], required_approvals: 2 };
    const plan = await planUpdate(state, config);
    const applied = await service.applyResourceChange({ type_name: TYPE, prior_state: dv(state as Record<string, CtyValue>), planned_state: plan.planned_state, config: dv(object(config)) });
    expect(applied.diagnostics).toEqual([]);
    expect(store.calls['update'] ?? 0).toBe(0);
  });

  test('GIVEN a destroy WHEN applied THEN the object is deleted and the new state is null', async () => {
    const { create, service, store } = await setup();
    const state = await create(base);
    const applied = await service.applyResourceChange({ type_name: TYPE, prior_state: dv(state as Record<string, CtyValue>), planned_state: dv(null), config: dv(null) });
    expect(applied.diagnostics).toEqual([]);
    expect(decoded(applied.new_state)).toBeNull();
    expect(store.objects.size).toBe(0);
  });

  test('GIVEN the server fails an update WHEN applied THEN the diagnostic explains it and the prior state is kept', async () => {
    const { create, planUpdate, service, store } = await setup();
    const state = await create(base);
    const plan = await planUpdate(state, { ...base, required_approvals: 5 });
    store.failWith = new Error('connection reset');
    const applied = await service.applyResourceChange({ type_name: TYPE, prior_state: dv(state as Record<string, CtyValue>), planned_state: plan.planned_state, config: dv(object({ ...base, required_approvals: 5 })) });
    expect(applied.diagnostics).toEqual([expect.objectContaining({ severity: 'ERROR', summary: 'shoreguard_approval_workflow: apply failed', detail: 'connection reset' })]);
    expect(decoded(applied.new_state)).toEqual(state);
  });
});

describe('ReadResource', () => {
  test('GIVEN the object was deleted outside Terraform WHEN read THEN the new state is null', async () => {
    const { create, service, store } = await setup();
    const state = await create(base);
    store.objects.clear();
    const read = await service.readResource({ type_name: TYPE, current_state: dv(state as Record<string, CtyValue>) });
    expect(read.diagnostics).toEqual([]);
    expect(decoded(read.new_state)).toBeNull();
  });

  test('GIVEN the server reports an equivalent spelling WHEN read THEN the state keeps the prior spelling', async () => {
    const { create, service } = await setup();
    const state = await create({ ...base, required_roles: ['operator', 'admin'] });
    const read = await service.readResource({ type_name: TYPE, current_state: dv(state as Record<string, CtyValue>) });
    expect(decoded(read.new_state)?.['required_roles']).toEqual(['operator', 'admin']);
  });

  test('GIVEN a real change made outside Terraform WHEN read THEN the state shows the drift', async () => {
    const { create, service, store } = await setup();
    const state = await create(base);
    store.objects.set('gw/sb', { ...(store.objects.get('gw/sb') as { id: string }), required_approvals: 7 });
    const read = await service.readResource({ type_name: TYPE, current_state: dv(state as Record<string, CtyValue>) });
    expect(decoded(read.new_state)?.['required_approvals']).toBe(7);
  });
});

describe('ImportResourceState', () => {
  test('GIVEN an existing object WHEN imported by its documented id THEN its full state is returned', async () => {
    const { create, service } = await setup();
    await create(base);
    const imported = await service.importResourceState({ type_name: TYPE, id: 'gw/sb' });
    expect(imported.diagnostics).toEqual([]);
    expect(imported.imported_resources).toHaveLength(1);
    expect(decoded(imported.imported_resources[0]?.state)).toMatchObject({ id: 'gw/sb', gateway: 'gw', required_approvals: 2 });
  });

  test('GIVEN no such object WHEN imported THEN a "non-existent remote object" error is returned', async () => {
    const { service } = await setup();
    const imported = await service.importResourceState({ type_name: TYPE, id: 'gw/missing' });
    expect(imported.imported_resources).toEqual([]);
    expect(imported.diagnostics[0]).toMatchObject({ summary: 'Cannot import non-existent remote object' });
  });

  test('GIVEN a malformed id WHEN imported THEN the handler error with the accepted shape is shown', async () => {
    const { service, store } = await setup();
    store.failWith = new ResourceError({ code: 'invalid_import_id', resourceType: TYPE, summary: 'import id "x" is not valid.', hint: 'Use <gateway>/<sandbox_name>.' });
    const imported = await service.importResourceState({ type_name: TYPE, id: 'x' });
    expect(imported.diagnostics[0]?.detail).toContain('Use <gateway>/<sandbox_name>.');
  });
});

describe('UpgradeResourceState', () => {
  test('GIVEN JSON state with an attribute the schema no longer has WHEN upgraded THEN it is dropped and missing ones are null', async () => {
    const { service } = await setup();
    const json = Buffer.from(JSON.stringify({ id: 'gw/sb', gateway: 'gw', sandbox_name: 'sb', legacy_field: 'x' }));
    const upgraded = service.upgradeResourceState({ type_name: TYPE, version: 0, raw_state: { json } });
    expect(upgraded.diagnostics).toEqual([]);
    expect(decoded(upgraded.upgraded_state)).toEqual(object({ id: 'gw/sb', gateway: 'gw', sandbox_name: 'sb' }));
  });

  test('GIVEN state from a newer schema version WHEN upgraded THEN it refuses and says to upgrade the provider', async () => {
    const { service } = await setup();
    const upgraded = service.upgradeResourceState({ type_name: TYPE, version: 3, raw_state: { json: Buffer.from('{}') } });
    expect(upgraded.diagnostics[0]?.detail).toMatch(/schema version 3.*Upgrade terraform-provider-shoreguard/);
  });
});

describe('ValidateResourceConfig', () => {
  test('GIVEN one invalid known value and one unknown value WHEN validated THEN only the known one is reported, with its path', async () => {
    const { service } = await setup({ configure: false });
    const validated = service.validateResourceConfig({ type_name: TYPE, config: dv(object({ gateway: UNKNOWN, sandbox_name: '-x', required_approvals: 50 })) });
    expect(validated.diagnostics.map((d) => d.attribute)).toEqual([{ steps: [{ attribute_name: 'sandbox_name' }] }, { steps: [{ attribute_name: 'required_approvals' }] }]);
  });

  test('GIVEN an unknown resource type WHEN validated THEN the diagnostic names it', async () => {
    const { service } = await setup({ configure: false });
    expect(service.validateResourceConfig({ type_name: 'shoreguard_nope', config: null }).diagnostics[0]?.detail).toContain('"shoreguard_nope"');
  });
});

describe('provider configuration and lifecycle', () => {
  test('GIVEN no ConfigureProvider WHEN a resource is read THEN it says the provider is not configured', async () => {
    const { service } = await setup({ configure: false });
    const read = await service.readResource({ type_name: TYPE, current_state: dv(object({ id: 'gw/sb', ...base })) });
    expect(read.diagnostics[0]?.summary).toBe('Provider not configured');
  });

  test('GIVEN an endpoint known only after apply WHEN configured THEN the diagnostic points at endpoint', async () => {
    const { service } = await setup({ configure: false });
    const configured = await service.configureProvider({ config: providerDv({ endpoint: UNKNOWN }) });
    expect(configured.diagnostics).toEqual([expect.objectContaining({ summary: 'Provider configuration is not known yet', attribute: { steps: [{ attribute_name: 'endpoint' }] } })]);
  });

  test('GIVEN an error that quotes the API key WHEN it becomes a diagnostic and a log line THEN the key appears in neither', async () => {
    const { create, planUpdate, service, store, lines } = await setup();
    const state = await create(base);
    const plan = await planUpdate(state, { ...base, required_approvals: 4 });
    store.failWith = new Error(`server said: bad token ${API_KEY}`);
    const applied = await service.applyResourceChange({ type_name: TYPE, prior_state: dv(state as Record<string, CtyValue>), planned_state: plan.planned_state, config: dv(object({ ...base, required_approvals: 4 })) });
    expect(applied.diagnostics[0]?.detail).toContain('[REDACTED]');
    expect(JSON.stringify(applied.diagnostics)).not.toContain(API_KEY);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(API_KEY);
  });

  test('GIVEN StopProvider WHEN another change is applied THEN it is refused', async () => {
    const { service } = await setup();
    expect(service.stopProvider()).toEqual({ Error: '' });
    const config = object(base);
    const applied = await service.applyResourceChange({ type_name: TYPE, prior_state: dv(null), planned_state: dv(config), config: dv(config) });
    expect(applied.diagnostics[0]?.summary).toBe('Provider is stopping');
  });
});
