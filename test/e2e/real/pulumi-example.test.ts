/**
 * examples/pulumi with the real Pulumi CLI against the REAL ShoreGuard 0.40.0:
 * up → refresh (no changes) → up --expect-no-changes → destroy. Both gateways of the example point
 * at fake OpenShell gateways on loopback ports (the example's `productionEndpoint` /
 * `stagingEndpoint` config), so ShoreGuard really connects to them, and the pin reads the revision
 * seeded on the production gateway. What the engine reports is checked against the server over REST.
 */
import { CLI_BUILD_TIMEOUT_MS } from '../../support/pulumi/cli';
import { serverTimeMs } from '../../support/e2e/probe';
import { openExampleStack, type ExampleStack } from '../../support/e2e/pulumi-example';
import { REAL_STACK_START_TIMEOUT_MS, startRealStack, type RealStack } from '../../support/e2e/real-stack';

const STEP_TIMEOUT_MS = 5 * 60_000;
const PRODUCTION = 'edge-prod';
const STAGING = 'edge-staging';
const SANDBOX = 'agent-1';
const ONCALL_EMAIL = 'alice@example.com';
const SEEDED_POLICY = { filesystem: { include_workdir: true, read_only: ['/usr'], read_write: ['/tmp'] } };
/** Two weeks ahead with milliseconds, as examples/pulumi/run.js sets it. */
const FREEZE_UNTIL = new Date(Date.now() + 14 * 86_400_000).toISOString();
/** The example's eight resources plus the stack itself. */
const RESOURCE_COUNT = 9;

let real: RealStack;
let example: ExampleStack;

beforeAll(async () => {
  real = await startRealStack([PRODUCTION, STAGING]);
  // The sandbox lives on the OpenShell side; ShoreGuard pins only a sandbox with a policy revision.
  real.gateway(PRODUCTION).seedSandbox(SANDBOX, SEEDED_POLICY);
  await real.probe.createUser(ONCALL_EMAIL, 'viewer');
  example = await openExampleStack({
    name: 'real-shoreguard',
    url: real.url,
    apiKey: real.server.key('admin'),
    exampleConfig: {
      freezeUntil: FREEZE_UNTIL,
      oncallEmail: ONCALL_EMAIL,
      productionEndpoint: real.gateway(PRODUCTION).endpoint,
      stagingEndpoint: real.gateway(STAGING).endpoint,
    },
  });
}, CLI_BUILD_TIMEOUT_MS + REAL_STACK_START_TIMEOUT_MS);

afterAll(async () => {
  await example?.remove();
  await real?.close();
}, STEP_TIMEOUT_MS);

describe('examples/pulumi against the real ShoreGuard 0.40.0', () => {
  it('GIVEN an empty ShoreGuard WHEN pulumi up THEN every object of the example exists on the server', async () => {
    const up = await example.stack.up();
    expect(up.summary.result).toBe('succeeded');
    expect(up.summary.resourceChanges).toEqual({ create: RESOURCE_COUNT });

    const gateways = await real.probe.gateways();
    expect(gateways.map((g) => g.name)).toEqual([PRODUCTION, STAGING]);
    expect(gateways[0]).toMatchObject({
      endpoint: real.gateway(PRODUCTION).endpoint,
      auth_mode: 'mtls',
      status: 'connected',
      labels: { env: 'prod', team: 'platform' },
      metadata: { runtime: 'kubernetes', region: 'eu-west-1' },
      description: 'Production OpenShell gateway',
    });
    expect(gateways[1]).toMatchObject({ endpoint: real.gateway(STAGING).endpoint, status: 'connected', labels: { env: 'staging', team: 'platform' } });

    const [group, ...otherGroups] = await real.probe.groups();
    expect(otherGroups).toEqual([]);
    expect(group).toMatchObject({ name: 'platform-oncall', role: 'viewer', description: 'Platform on-call rotation' });
    expect(group?.members.map((m) => m.email)).toEqual([ONCALL_EMAIL]);
    expect(group?.gatewayRoles).toEqual([expect.objectContaining({ gateway_name: PRODUCTION, role: 'operator' })]);

    expect(await real.probe.workflow(PRODUCTION, SANDBOX)).toMatchObject({
      required_approvals: 2,
      required_roles: ['admin', 'operator'],
      escalation_timeout_minutes: 60,
    });
    const pin = await real.probe.pin(PRODUCTION, SANDBOX);
    expect(pin).toMatchObject({ pinned_version: 1, pinned_by: 'sp:ts-admin', reason: 'Release freeze: no policy changes until the release ships' });
    expect(serverTimeMs(pin?.expires_at)).toBe(Date.parse(FREEZE_UNTIL));
    expect(await real.probe.hooks(STAGING, SANDBOX)).toEqual([
      expect.objectContaining({ name: 'warm-cache', phase: 'pre_create', command: 'make -C /workspace warm-cache', env: { CACHE_DIR: '/cache' }, timeout_seconds: 120 }),
    ]);

    expect(up.outputs['productionStatus']?.value).toBe('connected');
    expect(up.outputs['frozenAtVersion']?.value).toBe(1);
    expect(up.outputs['frozenBy']?.value).toBe('sp:ts-admin');
    expect(Number(up.outputs['oncallGroupId']?.value)).toBe(group?.id);
  }, STEP_TIMEOUT_MS);

  it('GIVEN the stack is up WHEN its state is searched THEN the admin API key is not in it', () => {
    const state = example.stateText();
    expect(state).toContain(real.gateway(PRODUCTION).endpoint);
    expect(state).not.toContain(real.server.key('admin'));
  });

  it('GIVEN nothing changed on the server WHEN pulumi refresh THEN every resource is the same', async () => {
    const refresh = await example.stack.refresh();
    expect(refresh.summary.result).toBe('succeeded');
    expect(refresh.summary.resourceChanges).toEqual({ same: RESOURCE_COUNT });
  }, STEP_TIMEOUT_MS);

  it('GIVEN the refreshed stack WHEN pulumi up --expect-no-changes THEN it succeeds without changes', async () => {
    const up = await example.stack.up({ expectNoChanges: true });
    expect(up.summary.result).toBe('succeeded');
    expect(up.summary.resourceChanges).toEqual({ same: RESOURCE_COUNT });
  }, STEP_TIMEOUT_MS);

  it('GIVEN the stack WHEN pulumi destroy THEN the server holds none of its objects', async () => {
    const destroy = await example.stack.destroy();
    expect(destroy.summary.result).toBe('succeeded');
    expect(destroy.summary.resourceChanges).toEqual({ delete: RESOURCE_COUNT });
    expect(await real.probe.gateways()).toEqual([]);
    expect(await real.probe.groups()).toEqual([]);
    expect(await real.probe.pin(PRODUCTION, SANDBOX)).toBeNull();
    expect(await real.probe.workflow(PRODUCTION, SANDBOX)).toBeNull();
    expect(await real.probe.hooks(STAGING, SANDBOX)).toEqual([]);
  }, STEP_TIMEOUT_MS);
});
