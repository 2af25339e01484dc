import * as grpc from '@grpc/grpc-js';
import { X509Certificate } from 'node:crypto';
import { startEmulator, type Emulator } from '../../../emulator';
import { createServerCertificate } from '../../../provider/terraform/certs';
import { type CtyObject, type CtyValue, decodeMsgpack, encodeMsgpack, UNKNOWN } from '../../../provider/terraform/cty';
import { loadProviderSchema } from '../../../provider/terraform/schema';
import { SANDBOX_POLICY } from '../../e2e/tofu/harness';
import { derBase64ToPem, type PluginHarness, startPluginHarness, TARGET_NAME_OVERRIDE } from './plugin-client';

const schema = loadProviderSchema();

function blockOf(type: string) {
  const block = schema.resources.get(type);
  if (!block) throw new Error(type);
  return block;
}
function full(type: string, values: Record<string, CtyValue>): Record<string, CtyValue> {
  return Object.fromEntries(blockOf(type).attributes.map((a) => [a.name, values[a.name] ?? null]));
}
function dv(type: string, value: Record<string, CtyValue> | null) {
  return { msgpack: encodeMsgpack(blockOf(type).objectType, value) };
}
function state(type: string, message: unknown): CtyObject | null {
  const bytes = (message as { msgpack?: Uint8Array } | null)?.msgpack;
  return bytes && bytes.length > 0 ? (decodeMsgpack(blockOf(type).objectType, bytes) as CtyObject | null) : null;
}

let emulator: Emulator;
let plugin: PluginHarness;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  plugin = await startPluginHarness();
  const configured = await plugin.provider('ConfigureProvider', {
    terraform_version: '1.6.3',
    config: { msgpack: encodeMsgpack(schema.provider.objectType, { endpoint: emulator.url, api_key: emulator.adminKey, max_retries: 0 }) },
  });
  expect(configured['diagnostics']).toEqual([]);
});

afterAll(async () => {
  await plugin?.close();
  await emulator?.close();
});

/** Plan + apply a create through gRPC, as Terraform does. */
async function create(type: string, config: Record<string, CtyValue>): Promise<CtyObject> {
  const planned = await plugin.provider('PlanResourceChange', { type_name: type, prior_state: dv(type, null), proposed_new_state: dv(type, full(type, config)), config: dv(type, full(type, config)) });
  expect(planned['diagnostics']).toEqual([]);
  const applied = await plugin.provider('ApplyResourceChange', { type_name: type, prior_state: dv(type, null), planned_state: planned['planned_state'], config: dv(type, full(type, config)) });
  expect(applied['diagnostics']).toEqual([]);
  return state(type, applied['new_state']) as CtyObject;
}

describe('the plugin over gRPC with AutoMTLS', () => {
  test('GIVEN a started plugin WHEN the handshake line is read THEN it announces core 1, protocol 6, tcp on loopback, grpc and a localhost CA certificate', () => {
    const { core, app, network, address, protocol, certDerBase64 } = plugin.handshake;
    expect([core, app, network, protocol]).toEqual(['1', '6', 'tcp', 'grpc']);
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(certDerBase64).not.toMatch(/=$/);
    const cert = new X509Certificate(derBase64ToPem(certDerBase64));
    expect(cert.ca).toBe(true);
    expect(cert.checkHost('localhost')).toBe('localhost');
  });

  test('GIVEN the health service WHEN checked for "plugin" THEN it answers SERVING', async () => {
    await expect(plugin.health()).resolves.toEqual({ status: 'SERVING' });
  });

  test('GIVEN a client certificate the plugin was not given WHEN calling THEN the TLS handshake is refused', async () => {
    const stranger = await createServerCertificate();
    const client = plugin.clientWith(grpc.credentials.createSsl(Buffer.from(derBase64ToPem(plugin.handshake.certDerBase64)), Buffer.from(stranger.keyPem), Buffer.from(stranger.certPem)));
    const error = await new Promise<grpc.ServiceError>((resolve) => {
      client.makeUnaryRequest('/tfplugin6.Provider/GetMetadata', () => Buffer.alloc(0), (b: Buffer) => b, {}, { deadline: Date.now() + 5000 }, (err) => resolve(err as grpc.ServiceError));
    });
    client.close();
    expect(error.code).toBe(grpc.status.UNAVAILABLE);
  });

  test('GIVEN an RPC of a newer protocol minor version WHEN called THEN gRPC answers UNIMPLEMENTED (allowed by the protocol)', async () => {
    const raw = new grpc.Client(plugin.handshake.address, grpc.credentials.createSsl(Buffer.from(derBase64ToPem(plugin.handshake.certDerBase64)), Buffer.from(plugin.clientCert.keyPem), Buffer.from(plugin.clientCert.certPem)), TARGET_NAME_OVERRIDE);
    const error = await new Promise<grpc.ServiceError>((resolve) => {
      raw.makeUnaryRequest('/tfplugin6.Provider/GetFunctions', () => Buffer.alloc(0), (b: Buffer) => b, {}, (err) => resolve(err as grpc.ServiceError));
    });
    raw.close();
    expect(error.code).toBe(grpc.status.UNIMPLEMENTED);
  });

  test('GIVEN GetProviderSchema over the wire WHEN decoded THEN attribute types are cty JSON bytes', async () => {
    const response = await plugin.provider('GetProviderSchema', {});
    const resourceSchemas = response['resource_schemas'] as Record<string, { block: { attributes: { name: string; type: Buffer }[] } }>;
    const labels = resourceSchemas['shoreguard_gateway']?.block.attributes.find((a) => a.name === 'labels');
    expect(JSON.parse(labels?.type.toString('utf8') ?? 'null')).toEqual(['map', 'string']);
  });
});

describe('resource lifecycle over gRPC against the emulator', () => {
  test('GIVEN a gateway config WHEN planned and applied THEN ShoreGuard has it and the state equals the plan plus server values', async () => {
    const gateway = await create('shoreguard_gateway', { name: 'grpc-gw', endpoint: '127.0.0.1:8443', labels: { team: 'a' } });
    expect(gateway).toMatchObject({ id: 'grpc-gw', scheme: 'https', auth_mode: 'mtls', labels: { team: 'a' }, connected: true });
    expect(emulator.state.gateways.has('grpc-gw')).toBe(true);
  });

  test('GIVEN a workflow with unsorted roles WHEN read back THEN the state keeps the configured order (no spurious diff)', async () => {
    const workflow = await create('shoreguard_approval_workflow', { gateway: 'grpc-gw', sandbox_name: 'sb-1', required_roles: ['operator', 'admin'] });
    const read = await plugin.provider('ReadResource', { type_name: 'shoreguard_approval_workflow', current_state: dv('shoreguard_approval_workflow', workflow as Record<string, CtyValue>) });
    expect(read['diagnostics']).toEqual([]);
    expect(state('shoreguard_approval_workflow', read['new_state'])).toEqual(workflow);
  });

  test('GIVEN an existing workflow WHEN imported as gateway/sandbox THEN the imported state has its settings', async () => {
    const imported = await plugin.provider('ImportResourceState', { type_name: 'shoreguard_approval_workflow', id: 'grpc-gw/sb-1' });
    expect(imported['diagnostics']).toEqual([]);
    const [resource] = imported['imported_resources'] as { type_name: string; state: unknown }[];
    expect(state('shoreguard_approval_workflow', resource?.state)).toMatchObject({ id: 'grpc-gw/sb-1', required_approvals: 2, required_roles: ['admin', 'operator'] });
  });

  test('GIVEN a malformed import id WHEN imported THEN the diagnostic shows the documented shape', async () => {
    const imported = await plugin.provider('ImportResourceState', { type_name: 'shoreguard_policy_pin', id: 'just-one-part' });
    expect(JSON.stringify(imported['diagnostics'])).toContain('<gateway>/<sandbox_name>');
  });

  test('GIVEN a pin deleted outside Terraform WHEN read THEN the new state is null, so Terraform drops it', async () => {
    emulator.state.seedSandbox('grpc-gw', 'sb-2', SANDBOX_POLICY);
    const pin = await create('shoreguard_policy_pin', { gateway: 'grpc-gw', sandbox_name: 'sb-2', reason: 'freeze' });
    expect(pin['pinned_by']).toBe('sp:emulator-admin');
    emulator.state.pins.clear();
    const read = await plugin.provider('ReadResource', { type_name: 'shoreguard_policy_pin', current_state: dv('shoreguard_policy_pin', pin as Record<string, CtyValue>) });
    expect(read['diagnostics']).toEqual([]);
    expect(state('shoreguard_policy_pin', read['new_state'])).toBeNull();
  });

  test('GIVEN a data source lookup WHEN read THEN it returns the gateway with the configured name', async () => {
    // The data source shares its name with the resource; its block is a different one.
    const dataBlock = schema.dataSources.get('shoreguard_gateway')!;
    const config = Object.fromEntries(dataBlock.attributes.map((a) => [a.name, a.name === 'name' ? 'grpc-gw' : null]));
    const read = await plugin.provider('ReadDataSource', { type_name: 'shoreguard_gateway', config: { msgpack: encodeMsgpack(dataBlock.objectType, config) } });
    expect(read['diagnostics']).toEqual([]);
    const ds = read['state'] as { msgpack: Uint8Array };
    expect(decodeMsgpack(dataBlock.objectType, ds.msgpack)).toMatchObject({ id: 'grpc-gw', name: 'grpc-gw', endpoint: '127.0.0.1:8443' });
  });

  test('GIVEN a pin whose gateway is unknown at plan time WHEN planned THEN the plan keeps it unknown', async () => {
    const config = full('shoreguard_policy_pin', { gateway: UNKNOWN, sandbox_name: 'sb-2' });
    const planned = await plugin.provider('PlanResourceChange', { type_name: 'shoreguard_policy_pin', prior_state: dv('shoreguard_policy_pin', null), proposed_new_state: dv('shoreguard_policy_pin', config), config: dv('shoreguard_policy_pin', config) });
    expect(planned['diagnostics']).toEqual([]);
    expect(state('shoreguard_policy_pin', planned['planned_state'])?.['gateway']).toBe(UNKNOWN);
  });

  test('GIVEN a gateway in state WHEN destroyed THEN ShoreGuard no longer has it', async () => {
    const read = await plugin.provider('ReadResource', { type_name: 'shoreguard_gateway', current_state: dv('shoreguard_gateway', full('shoreguard_gateway', { id: 'grpc-gw', name: 'grpc-gw', endpoint: '127.0.0.1:8443' })) });
    const current = read['new_state'];
    const applied = await plugin.provider('ApplyResourceChange', { type_name: 'shoreguard_gateway', prior_state: current, planned_state: dv('shoreguard_gateway', null), config: dv('shoreguard_gateway', null) });
    expect(applied['diagnostics']).toEqual([]);
    expect(emulator.state.gateways.has('grpc-gw')).toBe(false);
  });

  test('GIVEN the API key WHEN the whole session was logged THEN no log line contains it', () => {
    expect(plugin.logLines.length).toBeGreaterThan(0);
    expect(plugin.logLines.join('\n')).not.toContain(emulator.adminKey);
  });
});

describe('controller', () => {
  test('GIVEN the client asks to shut down WHEN Shutdown is called THEN the plugin answers and runs its exit hook', async () => {
    await plugin.shutdown();
    await new Promise((resolve) => setImmediate(resolve));
    expect(plugin.shutdowns).toBe(1);
  });
});
