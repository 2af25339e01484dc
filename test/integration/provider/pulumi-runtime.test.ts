/**
 * The Pulumi provider operations called directly (the level below the serialized closure):
 * camelCase ↔ snake_case, `adopt`, preview unknowns, the pin rules seen through Pulumi's olds
 * (prior inputs in check, prior outputs in diff), and refresh of a lapsed pin.
 */
import { providerRuntime as runtime } from '../../../provider/pulumi';
import { type ProviderHarness, manualClock, startProviderHarness } from '../../support/pulumi/emulator';

const UNKNOWN = runtime.UNKNOWN;

let h: ProviderHarness;

async function start(options: { now?: () => Date } = {}): Promise<void> {
  h = await startProviderHarness(options);
  runtime.configure((key) => ({ 'shoreguard:url': h.emulator.url, 'shoreguard:apiKey': h.emulator.adminKey })[key]);
}

afterEach(async () => {
  runtime.setClock(undefined);
  await runtime.reset();
  await h.close();
});

describe('provider operations', () => {
  it('GIVEN camelCase inputs with adopt WHEN checked and created over an existing hook THEN the hook is adopted and outputs are camelCase', async () => {
    await start();
    await h.admin.bootHooks.create('gw', 'sb', { name: 'warm', phase: 'post_create', command: 'old' });
    const checked = await runtime.check('shoreguard_sandbox_boot_hook', {}, { gateway: 'gw', sandboxName: 'sb', name: 'warm', phase: 'post_create', command: 'new', timeoutSeconds: 5, adopt: true });
    expect(checked.failures).toBeUndefined();
    expect(checked.inputs).toEqual({ gateway: 'gw', sandboxName: 'sb', name: 'warm', phase: 'post_create', command: 'new', workdir: '', env: {}, timeoutSeconds: 5, enabled: true, continueOnFailure: false, adopt: true });
    const created = await runtime.create('shoreguard_sandbox_boot_hook', checked.inputs);
    expect(created.id).toMatch(/^gw\/sb\/[0-9]+$/);
    expect(created.outs).toMatchObject({ command: 'new', timeoutSeconds: 5, continueOnFailure: false, createdBy: 'sp:emulator-admin', adopt: true });
    expect(await runtime.diff('shoreguard_sandbox_boot_hook', created.id, created.outs, { ...checked.inputs, adopt: false })).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
  });

  it('GIVEN adopt is not a boolean WHEN checked THEN the failure names adopt', async () => {
    await start();
    const checked = await runtime.check('shoreguard_group', {}, { name: 'g', adopt: 'yes' });
    expect(checked.failures).toEqual([{ property: 'adopt', reason: 'must be true or false' }]);
  });

  it('GIVEN an unknown label value in preview WHEN checked and diffed THEN other inputs are still validated and the labels count as changed', async () => {
    await start();
    const bad = await runtime.check('shoreguard_gateway', {}, { name: 'bad name', endpoint: 'gw:1', labels: { team: UNKNOWN } });
    expect(bad.failures).toEqual([{ property: 'name', reason: expect.stringMatching(/must match/) }]);
    const news = { name: 'edge', endpoint: 'gw:1', labels: { team: UNKNOWN } };
    const checked = await runtime.check('shoreguard_gateway', {}, news);
    // Validated and normalised (defaults filled) around the unknown value, which passes through.
    expect(checked).toEqual({ inputs: { name: 'edge', endpoint: 'gw:1', scheme: 'https', authMode: 'mtls', labels: { team: UNKNOWN } } });
    const olds = { name: 'edge', endpoint: 'gw:1', scheme: 'https', authMode: 'mtls', labels: { team: 'a' } };
    expect(await runtime.diff('shoreguard_gateway', 'edge', olds, checked.inputs)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
  });

  it('GIVEN an unknown gateway name WHEN a gateway is diffed THEN a replacement is planned conservatively (delete first)', async () => {
    await start();
    const olds = { name: 'edge', endpoint: 'gw:1', scheme: 'https', authMode: 'mtls' };
    expect(await runtime.diff('shoreguard_gateway', 'edge', olds, { ...olds, name: UNKNOWN })).toEqual({ changes: true, replaces: ['name'], deleteBeforeReplace: true });
  });

  it('GIVEN a pin whose expiry is unchanged but past WHEN checked with Pulumi olds THEN it passes; a new past expiry fails', async () => {
    await start();
    const olds = { gateway: 'gw', sandboxName: 'sb', expiresAt: '2020-01-01T00:00:00Z' };
    expect((await runtime.check('shoreguard_policy_pin', olds, { ...olds })).failures).toBeUndefined();
    const changed = await runtime.check('shoreguard_policy_pin', olds, { ...olds, expiresAt: '2021-01-01T00:00:00Z' });
    expect(changed.failures).toEqual([{ property: 'expiresAt', reason: expect.stringMatching(/^must be in the future/) }]);
  });

  it('GIVEN a pin whose declared expiry passed WHEN refreshed THEN the outputs are kept and the next diff is empty', async () => {
    const clock = manualClock();
    await start({ now: clock.now });
    runtime.setClock(clock.now);
    h.emulator.state.registerGateway({ name: 'gw' });
    h.emulator.state.seedSandbox('gw', 'sb', { filesystem: { read_only: ['/usr'] } });
    const inputs = { gateway: 'gw', sandboxName: 'sb', reason: 'freeze', expiresAt: new Date(clock.now().getTime() + 60_000).toISOString() };
    const created = await runtime.create('shoreguard_policy_pin', (await runtime.check('shoreguard_policy_pin', {}, inputs)).inputs);
    clock.advance(120_000);
    const refreshed = await runtime.read('shoreguard_policy_pin', created.id, created.outs);
    expect(refreshed).toEqual({ id: 'gw/sb', props: created.outs });
    const checked = await runtime.check('shoreguard_policy_pin', inputs, inputs);
    expect(await runtime.diff('shoreguard_policy_pin', 'gw/sb', refreshed.props, checked.inputs)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
  });
});
