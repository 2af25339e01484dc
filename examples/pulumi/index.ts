/**
 * A realistic ShoreGuard setup as a Pulumi program:
 * - two gateways (production and staging),
 * - an on-call RBAC group that operates the production gateway, with one member found by e-mail,
 * - a quorum-2 approval workflow on the production agent sandbox,
 * - a change freeze (policy pin) on that sandbox until a release date,
 * - a boot hook that warms a cache before staging sandboxes start.
 *
 * Policy *content* is deliberately not here: it changes daily through approvals and votes, so it
 * lives as YAML in Git and is synced by the GitOps bridge (`shoreguard-gitops`).
 *
 * Config: `shoreguard:url`, `shoreguard:apiKey` (secret) — or SHOREGUARD_URL / SHOREGUARD_TOKEN —
 * and `example:freezeUntil` (ISO-8601), `example:oncallEmail`, `example:productionEndpoint`,
 * `example:stagingEndpoint` (host:port; a real ShoreGuard dials them when they are registered).
 * Run against the emulator with: bash examples/pulumi/run.sh
 */
import * as pulumi from '@pulumi/pulumi';
import * as shoreguard from 'shoreguard-iac/pulumi';

const config = new pulumi.Config('example');
const freezeUntil = config.require('freezeUntil');
const oncallEmail = config.get('oncallEmail') ?? 'alice@example.com';
const productionEndpoint = config.get('productionEndpoint') ?? '10.0.0.10:8443';
const stagingEndpoint = config.get('stagingEndpoint') ?? '10.0.1.10:8443';

const production = new shoreguard.Gateway('production', {
  name: 'edge-prod',
  endpoint: productionEndpoint,
  authMode: 'mtls',
  metadata: { runtime: 'kubernetes', region: 'eu-west-1' },
  labels: { env: 'prod', team: 'platform' },
  description: 'Production OpenShell gateway',
  // Certificates are secrets: Pulumi stores them encrypted. Set them with `pulumi config set --secret`.
  ...(config.get('clientCert') ? { clientCert: config.requireSecret('clientCert'), clientKey: config.requireSecret('clientKey') } : {}),
});

const staging = new shoreguard.Gateway('staging', {
  name: 'edge-staging',
  endpoint: stagingEndpoint,
  metadata: { runtime: 'docker' },
  labels: { env: 'staging', team: 'platform' },
});

const oncall = new shoreguard.Group('oncall', {
  name: 'platform-oncall',
  role: 'viewer',
  description: 'Platform on-call rotation',
});

new shoreguard.GroupGatewayRole('oncall-operates-production', {
  groupId: oncall.id,
  gateway: production.name,
  role: 'operator',
});

const member = shoreguard.getUserOutput({ email: oncallEmail });
new shoreguard.GroupMembership('oncall-member', { groupId: oncall.id, userId: member.id });

new shoreguard.ApprovalWorkflow('agent-quorum', {
  gateway: production.name,
  sandboxName: 'agent-1',
  requiredApprovals: 2,
  requiredRoles: ['operator', 'admin'],
  escalationTimeoutMinutes: 60,
});

const freeze = new shoreguard.PolicyPin('release-freeze', {
  gateway: production.name,
  sandboxName: 'agent-1',
  reason: 'Release freeze: no policy changes until the release ships',
  expiresAt: freezeUntil,
});

new shoreguard.SandboxBootHook('warm-cache', {
  gateway: staging.name,
  sandboxName: 'agent-1',
  name: 'warm-cache',
  phase: 'pre_create',
  command: 'make -C /workspace warm-cache',
  timeoutSeconds: 120,
  env: { CACHE_DIR: '/cache' },
});

export const productionStatus = production.status;
export const oncallGroupId = oncall.id;
export const frozenAtVersion = freeze.pinnedVersion;
export const frozenBy = freeze.pinnedBy;
