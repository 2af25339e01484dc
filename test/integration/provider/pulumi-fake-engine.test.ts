/**
 * The real `@pulumi/pulumi` dynamic-provider host driven over gRPC like the engine drives it:
 * config plumbing (secret config unwrapped, environment fallback), `__provider` carried through
 * every call, check failures per property, the unknown sentinel of preview, diff → replace, refresh
 * of a deleted object, and error messages that reach the engine.
 */
import * as pulumi from '@pulumi/pulumi';
import { providerFor } from '../../../provider/pulumi/provider';
import { consumerProject } from '../../support/pulumi/consumer';
import { type ProviderHarness, startProviderHarness } from '../../support/pulumi/emulator';
import { FakeEngine, secretValue } from '../../support/pulumi/fake-engine';

const UNKNOWN = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';

function urn(type: string, name: string): string {
  return `urn:pulumi:test::fake-engine::pulumi-nodejs:dynamic/shoreguard:${type}::${name}`;
}

const serialized = new Map<string, string>();
async function providerText(schemaType: string): Promise<string> {
  let text = serialized.get(schemaType);
  if (!text) {
    const provider = providerFor(schemaType);
    text = (await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true })).text;
    serialized.set(schemaType, text);
  }
  return text;
}

/** The host's environment without any ShoreGuard variables of the machine running the tests. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('SHOREGUARD_')));
  return { ...env, ...extra };
}

let h: ProviderHarness;
let cwd: string;
let engine: FakeEngine | undefined;

beforeAll(() => {
  cwd = consumerProject('fake-engine');
});
beforeEach(async () => {
  h = await startProviderHarness();
});
afterEach(async () => {
  await engine?.stop();
  engine = undefined;
  await h.close();
});

async function configuredEngine(): Promise<FakeEngine> {
  engine = await FakeEngine.start(cwd, cleanEnv());
  await engine.configure({ 'shoreguard:url': h.emulator.url, 'shoreguard:apiKey': secretValue(h.emulator.adminKey), 'fake-engine:other': 'x' });
  return engine;
}

describe('the dynamic-provider host over gRPC', () => {
  it('GIVEN secret stack config WHEN a group goes through check, create, diff, update, read and delete THEN each RPC answers like the engine expects', async () => {
    const e = await configuredEngine();
    const __provider = await providerText('shoreguard_group');
    const u = urn('Group', 'sre');

    const checked = await e.check(u, {}, { __provider, name: 'sre', description: 'on call', adopt: false });
    expect(checked.failures).toEqual([]);
    expect(checked.inputs).toEqual({ __provider, name: 'sre', role: 'viewer', description: 'on call', adopt: false });

    const created = await e.create(u, checked.inputs);
    expect(created.id).toMatch(/^[0-9]+$/);
    expect(created.properties).toMatchObject({ __provider, name: 'sre', role: 'viewer', description: 'on call' });
    expect(created.properties).not.toHaveProperty('id');

    expect(await e.diff(u, created.id, created.properties, checked.inputs)).toEqual({ changes: 'none', replaces: [], deleteBeforeReplace: false });
    const news = { ...checked.inputs, role: 'operator' };
    expect(await e.diff(u, created.id, created.properties, news)).toEqual({ changes: 'some', replaces: [], deleteBeforeReplace: false });
    const updated = await e.update(u, created.id, created.properties, news);
    expect(updated).toMatchObject({ __provider, role: 'operator' });

    const read = await e.read(u, created.id, updated);
    expect(read).toEqual({ id: created.id, properties: updated });

    await e.delete(u, created.id, updated);
    expect(await h.admin.groups.list()).toEqual([]);
    const gone = await e.read(u, created.id, updated);
    expect(gone.id).toBe('');
  });

  it('GIVEN invalid inputs WHEN checked THEN each failure names the camelCase property and the rule', async () => {
    const e = await configuredEngine();
    const __provider = await providerText('shoreguard_approval_workflow');
    const checked = await e.check(urn('ApprovalWorkflow', 'wf'), {}, { __provider, gateway: 'gw', sandboxName: 'a/b', requiredApprovals: 21 });
    expect(checked.failures).toEqual(
      expect.arrayContaining([
        { property: 'sandboxName', reason: 'must not contain "/" or whitespace, and must not be "." or ".."' },
        { property: 'requiredApprovals', reason: 'must be a whole number from 1 to 20' },
      ]),
    );
  });

  it('GIVEN an unknown group id in preview WHEN a membership is checked and diffed THEN it passes check and plans a replacement', async () => {
    const e = await configuredEngine();
    const __provider = await providerText('shoreguard_group_membership');
    const u = urn('GroupMembership', 'm');
    const checked = await e.check(u, { __provider, groupId: '3', userId: '7' }, { __provider, groupId: UNKNOWN, userId: 7 });
    expect(checked).toEqual({ inputs: { __provider, groupId: UNKNOWN, userId: '7' }, failures: [] });
    const diff = await e.diff(u, '3/7', { __provider, groupId: '3', userId: '7', userEmail: 'a@b.c', groupName: 'g' }, checked.inputs);
    expect(diff).toEqual({ changes: 'some', replaces: ['groupId'], deleteBeforeReplace: false });
  });

  it('GIVEN a gateway endpoint change WHEN diffed THEN the host forwards replaces and deleteBeforeReplace', async () => {
    const e = await configuredEngine();
    const __provider = await providerText('shoreguard_gateway');
    const olds = { __provider, name: 'edge', endpoint: '10.0.0.1:1', scheme: 'https', authMode: 'mtls', status: 'connected', connected: true };
    expect(await e.diff(urn('Gateway', 'edge'), 'edge', olds, { __provider, name: 'edge', endpoint: '10.0.0.2:1', scheme: 'https', authMode: 'mtls' })).toEqual({
      changes: 'some',
      replaces: ['endpoint'],
      deleteBeforeReplace: true,
    });
  });

  it('GIVEN a pin set by a person WHEN created without adopt THEN the engine receives the error naming who pinned it', async () => {
    h.emulator.state.registerGateway({ name: 'gw' });
    h.emulator.state.seedSandbox('gw', 'agent-1', { filesystem: { read_only: ['/usr'] } });
    h.emulator.state.setPin('gw', 'agent-1', { pinnedBy: 'alice@example.com', reason: 'incident' });
    const e = await configuredEngine();
    const __provider = await providerText('shoreguard_policy_pin');
    const create = e.create(urn('PolicyPin', 'p'), { __provider, gateway: 'gw', sandboxName: 'agent-1' });
    await expect(create).rejects.toThrow(/already pinned at version 1 by alice@example\.com .*reason: "incident".*Set adopt: true/);
    const adopted = await e.create(urn('PolicyPin', 'p'), { __provider, gateway: 'gw', sandboxName: 'agent-1', adopt: true });
    expect(adopted).toMatchObject({ id: 'gw/agent-1', properties: { pinnedBy: 'sp:emulator-admin', adopt: true } });
  });

  it('GIVEN no stack config WHEN the host runs THEN the SDK environment variables are used', async () => {
    engine = await FakeEngine.start(cwd, cleanEnv({ SHOREGUARD_URL: h.emulator.url, SHOREGUARD_TOKEN: h.emulator.adminKey }));
    await engine.configure({});
    const __provider = await providerText('shoreguard_group');
    const created = await engine.create(urn('Group', 'env'), { __provider, name: 'from-env', role: 'viewer' });
    expect((await h.admin.groups.get(Number(created.id))).name).toBe('from-env');
  });

  it('GIVEN a wrong API key WHEN creating THEN the 401 reaches the engine without the key in the message', async () => {
    engine = await FakeEngine.start(cwd, cleanEnv());
    const wrongKey = `sg_${'x'.repeat(43)}`;
    await engine.configure({ 'shoreguard:url': h.emulator.url, 'shoreguard:apiKey': secretValue(wrongKey) });
    const __provider = await providerText('shoreguard_group');
    const failure = await engine.create(urn('Group', 'x'), { __provider, name: 'x', role: 'viewer' }).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/401/);
    expect((failure as Error).message).not.toContain(wrongKey);
    expect(engine.stderr()).not.toContain(wrongKey);
  });
});


