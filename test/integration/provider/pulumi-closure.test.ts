/**
 * The serialized provider round trip, as Pulumi's dynamic-provider host does it: serialize the
 * singleton provider with `pulumi.runtime.serializeFunction`, load the text back with
 * `require-from-string` from a consumer-like project, call `configure` with stack config, then
 * CRUD against the emulator. Also: what the closure contains (small, no secrets, no client).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import type * as dynamic from '@pulumi/pulumi/dynamic';
import { providerRuntime } from '../../../provider/pulumi';
import { providerFor } from '../../../provider/pulumi/provider';
import { resourceTypes } from '../../../provider/resources';
import { consumerProject } from '../../support/pulumi/consumer';
import { type ProviderHarness, startProviderHarness } from '../../support/pulumi/emulator';

type RequireFromString = (code: string, filename?: string) => { handler(): dynamic.ResourceProvider };

// The same copy of require-from-string the dynamic-provider host uses.
const requireFromString = createRequire(require.resolve('@pulumi/pulumi'))('require-from-string') as RequireFromString;

/** What `pulumi.dynamic.Resource` does with its provider object. */
async function serialize(type: string): Promise<string> {
  const provider = providerFor(type);
  const serialized = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  return serialized.text;
}

let h: ProviderHarness;
let consumerDir: string;
let nativeRequire: NodeJS.Require;

beforeAll(() => {
  consumerDir = consumerProject('closure');
  nativeRequire = createRequire(join(consumerDir, 'index.js'));
});
beforeEach(async () => {
  h = await startProviderHarness();
});
afterEach(async () => {
  // The deserialized providers run the built runtime (loaded natively, outside jest's registry).
  await (nativeRequire('shoreguard-iac/pulumi') as { providerRuntime: typeof providerRuntime }).providerRuntime.reset();
  await providerRuntime.reset();
  await h.close();
});

function loadProvider(text: string): dynamic.ResourceProvider {
  return requireFromString(text, join(consumerDir, '__provider.js')).handler();
}

function stackConfig(values: Record<string, string>): dynamic.ConfigureRequest {
  return { config: { get: (key) => values[key], require: (key) => values[key] ?? '' } };
}

describe('the serialized provider', () => {
  it('GIVEN every resource type WHEN serialized THEN the closure requires the package entry and captures no client, schema or zod', async () => {
    for (const type of resourceTypes()) {
      const text = await serialize(type);
      expect(text).toContain('"shoreguard-iac/pulumi"');
      expect(text).toContain(`"${type}"`);
      for (const captured of ['undici', 'zod', 'ShoreGuardClient', 'provider_schemas', 'Authorization']) expect(text).not.toContain(captured);
      // A bound, not a timing: the closure is stored in every resource's state.
      expect(Buffer.byteLength(text)).toBeLessThan(4096);
    }
  });

  it('GIVEN the runtime was configured with an API key in this process WHEN the provider is serialized THEN the key is not in the text', async () => {
    providerRuntime.configure((key) => ({ 'shoreguard:url': h.emulator.url, 'shoreguard:apiKey': h.emulator.adminKey })[key]);
    providerRuntime.currentClient();
    const text = await serialize('shoreguard_gateway');
    expect(text).not.toContain(h.emulator.adminKey);
    expect(text).not.toContain(h.emulator.url);
  });

  it('GIVEN the text loaded back in a consumer project WHEN configured from stack config THEN create, read, update and delete work against ShoreGuard', async () => {
    const provider = loadProvider(await serialize('shoreguard_group'));
    await provider.configure!(stackConfig({ 'shoreguard:url': h.emulator.url, 'shoreguard:apiKey': h.emulator.adminKey }));

    const checked = await provider.check!({}, { name: 'sre', description: 'on call' });
    expect(checked).toEqual({ inputs: { name: 'sre', role: 'viewer', description: 'on call' } });
    const created = await provider.create(checked.inputs);
    expect(created.id).toMatch(/^[0-9]+$/);
    expect(created.outs).toMatchObject({ name: 'sre', role: 'viewer', description: 'on call', createdAt: expect.any(String) });

    const diff = await provider.diff!(created.id, created.outs, { name: 'sre', role: 'admin', description: 'on call' });
    expect(diff).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    const updated = await provider.update!(created.id, created.outs, { name: 'sre', role: 'admin', description: 'on call' });
    expect(updated.outs).toMatchObject({ role: 'admin' });
    expect((await h.admin.groups.get(Number(created.id))).role).toBe('admin');

    expect(await provider.read!(created.id, updated.outs)).toMatchObject({ id: created.id, props: { role: 'admin' } });
    await provider.delete!(created.id, updated.outs);
    expect(await provider.read!(created.id, updated.outs)).toEqual({});
  });
});
