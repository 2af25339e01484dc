/**
 * The provider as users get it: shoreguard-iac installed as a copy in node_modules (what `npm pack`
 * ships), the closure serialized by a program in that project, then run by the real
 * dynamic-provider host. Guards the `exports`-map trap: a closure that captured any module of the
 * package would be written as `require("shoreguard-iac/dist/…")`, which Node refuses.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { installedConsumerProject } from '../../support/pulumi/consumer';
import { type ProviderHarness, startProviderHarness } from '../../support/pulumi/emulator';
import { FakeEngine, secretValue } from '../../support/pulumi/fake-engine';

// Runs in the consumer project: loads the installed package like a program does and serializes
// the singleton provider exactly as `pulumi.dynamic.Resource` does.
const SERIALIZE = `
const path = require('node:path');
const pulumi = require('@pulumi/pulumi');
const entry = require.resolve('shoreguard-iac/pulumi');
require(entry);
const { providerFor } = require(path.join(path.dirname(entry), 'provider.js'));
const provider = providerFor(process.argv[1]);
pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true }).then((f) => process.stdout.write(JSON.stringify({ entry, text: f.text })));
`;

function serializeInstalled(cwd: string, type: string): Promise<{ entry: string; text: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', SERIALIZE, type], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout) as { entry: string; text: string }) : reject(new Error(`serializer exited ${code}: ${stderr}`))));
  });
}

let h: ProviderHarness;
let cwd: string;
let engine: FakeEngine | undefined;

beforeAll(() => {
  cwd = installedConsumerProject('installed');
});
beforeEach(async () => {
  h = await startProviderHarness();
});
afterEach(async () => {
  await engine?.stop();
  engine = undefined;
  await h.close();
});

describe('the provider from an installed package', () => {
  it('GIVEN shoreguard-iac installed in node_modules WHEN a provider is serialized THEN it requires only the public entry', async () => {
    const { entry, text } = await serializeInstalled(cwd, 'shoreguard_gateway');
    expect(entry).toBe(join(cwd, 'node_modules/shoreguard-iac/dist/provider/pulumi/index.js'));
    expect(text).toContain('"shoreguard-iac/pulumi"');
    // Pulumi writes a captured module as require("<path>"); the provider must capture none.
    expect(text).not.toMatch(/require\("/);
    expect(text).not.toContain('exports.RUNTIME_ENTRY');
  });

  it('GIVEN that closure WHEN the real host creates and deletes a group with it THEN ShoreGuard follows', async () => {
    const { text: __provider } = await serializeInstalled(cwd, 'shoreguard_group');
    engine = await FakeEngine.start(cwd, { ...process.env, SHOREGUARD_URL: '', SHOREGUARD_TOKEN: '' });
    await engine.configure({ 'shoreguard:url': h.emulator.url, 'shoreguard:apiKey': secretValue(h.emulator.adminKey) });
    const urn = 'urn:pulumi:test::installed::pulumi-nodejs:dynamic/shoreguard:Group::g';
    const created = await engine.create(urn, { __provider, name: 'installed', role: 'viewer' });
    expect((await h.admin.groups.get(Number(created.id))).name).toBe('installed');
    await engine.delete(urn, created.id, created.properties);
    expect(await h.admin.groups.list()).toEqual([]);
  });
});
