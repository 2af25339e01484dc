/**
 * Real `pulumi preview / up / refresh / up (no changes) / destroy` through the Automation API: the
 * Pulumi CLI built from the Go module proxy, a local file backend, the real dynamic-provider plugin
 * process, and the emulator. Also drift (an object deleted behind Pulumi's back), an in-place pin
 * update, and the state file holding no secret in plain text.
 */
import { readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { LocalWorkspace, PulumiCommand, type Stack } from '@pulumi/pulumi/automation';
import * as shoreguard from '../../../provider/pulumi';
import { CLI_BUILD_TIMEOUT_MS, ensurePulumiCli, pulumiEnv } from '../../support/pulumi/cli';
import { consumerProject } from '../../support/pulumi/consumer';
import { type ProviderHarness, startProviderHarness } from '../../support/pulumi/emulator';

const STEP_TIMEOUT_MS = 5 * 60 * 1000;
const PEM_KEY = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIE2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2eSECRET\n-----END PRIVATE KEY-----\n';
const PEM_CERT = '-----BEGIN CERTIFICATE-----\nMIIBe2eCERTIFICATEBODY\n-----END CERTIFICATE-----\n';

interface ProgramKnobs {
  pinReason: string;
  pinExpiresAt: string;
}

const knobs: ProgramKnobs = { pinReason: 'release freeze', pinExpiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString() };

/** The stack under test: the same shape as examples/pulumi. */
async function program(): Promise<Record<string, unknown>> {
  const edge = new shoreguard.Gateway('edge', { name: 'edge-1', endpoint: '10.0.0.5:8443', clientCert: PEM_CERT, clientKey: PEM_KEY, labels: { env: 'prod' } });
  const lab = new shoreguard.Gateway('lab', { name: 'lab-1', endpoint: '10.0.0.6:8443', description: 'lab gateway' });
  const sre = new shoreguard.Group('sre', { name: 'sre', role: 'viewer', description: 'on-call engineers' });
  const alice = await shoreguard.getUser({ email: 'alice@example.com' });
  new shoreguard.GroupMembership('alice-in-sre', { groupId: sre.id, userId: alice.id });
  new shoreguard.GroupGatewayRole('sre-operates-edge', { groupId: sre.id, gateway: edge.name, role: 'operator' });
  new shoreguard.ApprovalWorkflow('quorum', { gateway: edge.name, sandboxName: 'agent-1', requiredApprovals: 2, requiredRoles: ['operator', 'admin'] });
  const freeze = new shoreguard.PolicyPin('freeze', { gateway: edge.name, sandboxName: 'agent-1', reason: knobs.pinReason, expiresAt: knobs.pinExpiresAt });
  new shoreguard.SandboxBootHook('warm', { gateway: lab.name, sandboxName: 'agent-2', name: 'warm-cache', phase: 'pre_create', command: 'make warm' });
  return { edgeStatus: edge.status, pinnedVersion: freeze.pinnedVersion, groupId: sre.id, clientKey: edge.clientKey, labGateway: pulumi.output(lab.name) };
}

let h: ProviderHarness;
let stack: Stack;
let stateDir: string;

function stateFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? stateFiles(path) : [path];
  });
}

beforeAll(async () => {
  const cliRoot = await ensurePulumiCli();
  h = await startProviderHarness();
  h.emulator.state.addUser('alice@example.com', 'viewer');
  const workDir = consumerProject('automation');
  const workRoot = join(workDir, 'run');
  rmSync(workRoot, { recursive: true, force: true });
  const env = pulumiEnv(cliRoot, workRoot);
  stateDir = join(workRoot, 'state');
  stack = await LocalWorkspace.createOrSelectStack(
    { stackName: 'e2e', projectName: 'shoreguard-e2e', program },
    {
      workDir,
      pulumiCommand: await PulumiCommand.get({ root: cliRoot }),
      envVars: env,
      secretsProvider: 'passphrase',
      projectSettings: { name: 'shoreguard-e2e', runtime: 'nodejs', backend: { url: env['PULUMI_BACKEND_URL'] as string } },
    },
  );
  await stack.setConfig('shoreguard:url', { value: h.emulator.url });
  await stack.setConfig('shoreguard:apiKey', { value: h.emulator.adminKey, secret: true });
}, CLI_BUILD_TIMEOUT_MS);

afterAll(async () => {
  await stack?.workspace.removeStack('e2e', { force: true }).catch(() => undefined);
  await shoreguard.providerRuntime.reset();
  await h?.close();
}, STEP_TIMEOUT_MS);

describe('pulumi through the Automation API against the emulator', () => {
  it('GIVEN a new stack WHEN preview THEN it plans to create every resource', async () => {
    const preview = await stack.preview();
    expect(preview.changeSummary).toEqual({ create: 9 });
    expect(h.emulator.state.gateways.size).toBe(0);
  }, STEP_TIMEOUT_MS);

  it('GIVEN the plan WHEN up THEN ShoreGuard holds every object and the outputs carry server-computed fields', async () => {
    // The pin needs the sandbox on the gateway; the gateway is registered by the same up, so seed the OpenShell side first.
    h.emulator.state.seedSandbox('edge-1', 'agent-1', { filesystem: { read_only: ['/usr'] } });
    const up = await stack.up();
    expect(up.summary.result).toBe('succeeded');
    expect(up.summary.resourceChanges).toEqual({ create: 9 });
    expect(up.outputs['edgeStatus']?.value).toBe('connected');
    expect(up.outputs['pinnedVersion']?.value).toBe(1);
    expect(up.outputs['clientKey']?.secret).toBe(true);
    expect([...h.emulator.state.gateways.keys()].sort()).toEqual(['edge-1', 'lab-1']);
    expect(await h.admin.pins.get('edge-1', 'agent-1')).toMatchObject({ reason: 'release freeze', pinnedBy: 'sp:emulator-admin' });
    expect(await h.admin.workflows.get('edge-1', 'agent-1')).toMatchObject({ requiredApprovals: 2, requiredRoles: ['admin', 'operator'] });
    const groupId = Number(up.outputs['groupId']?.value);
    expect((await h.admin.groups.get(groupId)).members.map((m) => m.email)).toEqual(['alice@example.com']);
    expect(await h.admin.groups.listGatewayRoles(groupId)).toMatchObject([{ gatewayName: 'edge-1', role: 'operator' }]);
  }, STEP_TIMEOUT_MS);

  it('GIVEN the stack is up WHEN the state is read THEN no API key, client key or certificate is stored in plain text', () => {
    const text = stateFiles(stateDir).map((file) => readFileSync(file, 'utf8')).join('\n');
    expect(text).toContain('edge-1');
    for (const secret of [h.emulator.adminKey, 'e2e2e2e2e2e2SECRET', 'MIIBe2eCERTIFICATEBODY', Buffer.from(PEM_KEY).toString('base64').slice(0, 40)]) {
      expect(text).not.toContain(secret);
    }
  });

  it('GIVEN nothing changed WHEN refresh and then up THEN both report no changes', async () => {
    const refresh = await stack.refresh();
    expect(refresh.summary.resourceChanges).toEqual({ same: 9 });
    const up = await stack.up();
    expect(up.summary.resourceChanges).toEqual({ same: 9 });
  }, STEP_TIMEOUT_MS);

  it('GIVEN the group role was deleted behind Pulumi WHEN refresh and up THEN refresh drops it and up re-creates it', async () => {
    const groups = await h.admin.groups.list();
    await h.admin.groups.removeGatewayRole(groups[0]!.id, 'edge-1');
    const refresh = await stack.refresh();
    expect(refresh.summary.resourceChanges).toMatchObject({ delete: 1 });
    const up = await stack.up();
    expect(up.summary.resourceChanges).toMatchObject({ create: 1 });
    expect(await h.admin.groups.listGatewayRoles(groups[0]!.id)).toMatchObject([{ gatewayName: 'edge-1', role: 'operator' }]);
  }, STEP_TIMEOUT_MS);

  it('GIVEN only the pin reason changes WHEN up THEN the pin is updated in place at the current revision', async () => {
    h.emulator.state.editPolicyOutOfBand('edge-1', 'agent-1', { filesystem: { read_only: ['/usr', '/opt'] } });
    knobs.pinReason = 'release freeze, extended';
    const up = await stack.up();
    expect(up.summary.resourceChanges).toEqual({ same: 8, update: 1 });
    expect(up.outputs['pinnedVersion']?.value).toBe(2);
    expect(await h.admin.pins.get('edge-1', 'agent-1')).toMatchObject({ reason: 'release freeze, extended', pinnedVersion: 2 });
  }, STEP_TIMEOUT_MS);

  it('GIVEN the stack WHEN destroy THEN ShoreGuard is left without the declared objects', async () => {
    const destroy = await stack.destroy();
    expect(destroy.summary.resourceChanges).toEqual({ delete: 9 });
    expect(h.emulator.state.gateways.size).toBe(0);
    expect(await h.admin.groups.list()).toEqual([]);
    expect(await h.admin.pins.get('edge-1', 'agent-1')).toBeNull();
    expect(await h.admin.workflows.get('edge-1', 'agent-1')).toBeNull();
    expect(await h.admin.bootHooks.list('lab-1', 'agent-2')).toEqual([]);
  }, STEP_TIMEOUT_MS);
});
