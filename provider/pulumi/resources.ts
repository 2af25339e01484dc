/**
 * The Pulumi resource classes. Their inputs are schema.json's settable attributes in camelCase plus
 * the Pulumi-only `adopt`; their outputs are all attributes. Type tokens read
 * `pulumi-nodejs:dynamic/shoreguard:<Type>`. Certificate and key inputs are wrapped in
 * `pulumi.secret` and listed in `additionalSecretOutputs`, so state holds them only encrypted.
 */
import * as pulumi from '@pulumi/pulumi';
import { resourceSchema, sensitiveAttributes } from '../resources/schema';
import { pulumiTypeName, toCamel } from './names';
import { providerFor } from './provider';

/** The `<module>` of every type token. */
export const TOKEN_MODULE = 'shoreguard';

/** Common to every resource's arguments. */
export interface AdoptArgs {
  /**
   * Take over an object that already exists under the same natural key instead of failing.
   * Dynamic providers cannot `pulumi import`, so this is how existing ShoreGuard objects come
   * under management. Without it, creating over an existing object fails and names it.
   * @default false
   */
  adopt?: pulumi.Input<boolean>;
}

/** Secret inputs of a type, camelCased (certificates and keys). */
function secretProps(schemaType: string): string[] {
  return sensitiveAttributes(resourceSchema(schemaType)).map(toCamel);
}

/**
 * The props handed to Pulumi: every attribute seeded as `undefined` (an output exists only for keys
 * present at construction), then the arguments, with secret inputs wrapped in `pulumi.secret`.
 */
function resourceProps(schemaType: string, args: object): pulumi.Inputs {
  const seeds = Object.fromEntries(
    resourceSchema(schemaType)
      .attributes.filter((a) => a.name !== 'id')
      .map((a) => [toCamel(a.name), undefined]),
  );
  const props: Record<string, unknown> = { ...seeds, ...args };
  for (const name of secretProps(schemaType)) {
    if (props[name] !== undefined && props[name] !== null) props[name] = pulumi.secret(props[name]);
  }
  return props as pulumi.Inputs;
}

function resourceOptions(schemaType: string, opts: pulumi.CustomResourceOptions | undefined): pulumi.CustomResourceOptions {
  const secrets = new Set([...(opts?.additionalSecretOutputs ?? []), ...secretProps(schemaType)]);
  return { ...opts, additionalSecretOutputs: [...secrets] };
}

/** Base class: wires the singleton provider, the type token, seeds and secrets. */
abstract class ShoreGuardResource extends pulumi.dynamic.Resource {
  protected constructor(schemaType: string, name: string, args: object, opts: pulumi.CustomResourceOptions | undefined) {
    super(providerFor(schemaType), name, resourceProps(schemaType, args), resourceOptions(schemaType, opts), TOKEN_MODULE, pulumiTypeName(schemaType));
  }
}

// ---------------------------------------------------------------------------------------------
// Gateway
// ---------------------------------------------------------------------------------------------

export interface GatewayArgs extends AdoptArgs {
  /** Unique name, `^[a-zA-Z0-9][a-zA-Z0-9._-]{0,252}$`. Changing it replaces the gateway. */
  name: pulumi.Input<string>;
  /** OpenShell gateway address as `host:port` (no scheme). Changing it replaces the gateway (delete first). */
  endpoint: pulumi.Input<string>;
  /** Informational. Changing it replaces the gateway. @default "https" */
  scheme?: pulumi.Input<'http' | 'https'>;
  /** Informational. Changing it replaces the gateway. @default "mtls" */
  authMode?: pulumi.Input<'mtls' | 'api_key' | 'none' | 'insecure'>;
  /** PEM or base64 CA certificate for the gateway connection (a secret). Changing it replaces the gateway. */
  caCert?: pulumi.Input<string>;
  /** PEM or base64 client certificate for mTLS to the gateway (a secret). Changing it replaces the gateway. */
  clientCert?: pulumi.Input<string>;
  /** PEM or base64 private key of `clientCert` (a secret). Changing it replaces the gateway. */
  clientKey?: pulumi.Input<string>;
  /** Free-form metadata; `runtime` must be docker, kubernetes or libkrun. Changing it replaces the gateway. */
  metadata?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** At most 1000 characters. Changes in place. */
  description?: pulumi.Input<string>;
  /** At most 20; keys `^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$`, values ≤ 253 characters. Changes in place. */
  labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** A registered OpenShell gateway. Id = the gateway name. */
export class Gateway extends ShoreGuardResource {
  declare readonly name: pulumi.Output<string>;
  declare readonly endpoint: pulumi.Output<string>;
  declare readonly scheme: pulumi.Output<string>;
  declare readonly authMode: pulumi.Output<string>;
  declare readonly caCert: pulumi.Output<string | undefined>;
  declare readonly clientCert: pulumi.Output<string | undefined>;
  declare readonly clientKey: pulumi.Output<string | undefined>;
  declare readonly metadata: pulumi.Output<Record<string, string> | undefined>;
  declare readonly description: pulumi.Output<string | undefined>;
  declare readonly labels: pulumi.Output<Record<string, string> | undefined>;
  declare readonly hasCaCert: pulumi.Output<boolean>;
  declare readonly hasClientCert: pulumi.Output<boolean>;
  declare readonly hasClientKey: pulumi.Output<boolean>;
  /** When the gateway was registered (ISO-8601). */
  declare readonly registeredAt: pulumi.Output<string>;
  declare readonly lastSeen: pulumi.Output<string | undefined>;
  declare readonly lastStatus: pulumi.Output<string | undefined>;
  declare readonly runtime: pulumi.Output<string | undefined>;
  /** Whether ShoreGuard holds a live connection (as of the last create/update/refresh). */
  declare readonly connected: pulumi.Output<boolean>;
  /** connected, unreachable or offline (as of the last create/update/refresh). */
  declare readonly status: pulumi.Output<string>;
  declare readonly adopt: pulumi.Output<boolean | undefined>;

  constructor(name: string, args: GatewayArgs, opts?: pulumi.CustomResourceOptions) {
    super('shoreguard_gateway', name, args, opts);
  }
}

// ---------------------------------------------------------------------------------------------
// Group, membership, gateway role
// ---------------------------------------------------------------------------------------------

export interface GroupArgs extends AdoptArgs {
  /** Unique group name (at most 100 characters). Changes in place. */
  name: pulumi.Input<string>;
  /** Global role granted to members; it can only raise a member's role. @default "viewer" */
  role?: pulumi.Input<'admin' | 'operator' | 'viewer'>;
  /** At most 1000 characters. */
  description?: pulumi.Input<string>;
}

/** An RBAC group. Id = ShoreGuard's numeric group id. */
export class Group extends ShoreGuardResource {
  declare readonly name: pulumi.Output<string>;
  declare readonly role: pulumi.Output<string>;
  declare readonly description: pulumi.Output<string | undefined>;
  declare readonly createdAt: pulumi.Output<string>;
  declare readonly adopt: pulumi.Output<boolean | undefined>;

  constructor(name: string, args: GroupArgs, opts?: pulumi.CustomResourceOptions) {
    super('shoreguard_group', name, args, opts);
  }
}

export interface GroupMembershipArgs extends AdoptArgs {
  /** Numeric group id, e.g. `group.id`. Changing it replaces the membership. */
  groupId: pulumi.Input<string>;
  /** Numeric user id, e.g. from `getUser`. Changing it replaces the membership. */
  userId: pulumi.Input<string>;
}

/** One user in one group. Id = `groupId/userId`. */
export class GroupMembership extends ShoreGuardResource {
  declare readonly groupId: pulumi.Output<string>;
  declare readonly userId: pulumi.Output<string>;
  declare readonly userEmail: pulumi.Output<string>;
  declare readonly groupName: pulumi.Output<string>;
  declare readonly adopt: pulumi.Output<boolean | undefined>;

  constructor(name: string, args: GroupMembershipArgs, opts?: pulumi.CustomResourceOptions) {
    super('shoreguard_group_membership', name, args, opts);
  }
}

export interface GroupGatewayRoleArgs extends AdoptArgs {
  /** Numeric group id. Changing it replaces the binding. */
  groupId: pulumi.Input<string>;
  /** Name of a registered gateway. Changing it replaces the binding. */
  gateway: pulumi.Input<string>;
  /** Role of the group's members on this gateway. Changes in place. */
  role: pulumi.Input<'admin' | 'operator' | 'viewer'>;
}

/** A per-gateway role for a group's members. Id = `groupId/gateway`. */
export class GroupGatewayRole extends ShoreGuardResource {
  declare readonly groupId: pulumi.Output<string>;
  declare readonly gateway: pulumi.Output<string>;
  declare readonly role: pulumi.Output<string>;
  declare readonly adopt: pulumi.Output<boolean | undefined>;

  constructor(name: string, args: GroupGatewayRoleArgs, opts?: pulumi.CustomResourceOptions) {
    super('shoreguard_group_gateway_role', name, args, opts);
  }
}

// ---------------------------------------------------------------------------------------------
// Sandbox-scoped: approval workflow, policy pin, boot hook
// ---------------------------------------------------------------------------------------------

export interface ApprovalWorkflowArgs extends AdoptArgs {
  /** Gateway name. Changing it replaces the workflow. */
  gateway: pulumi.Input<string>;
  /** Sandbox name (the sandbox need not exist yet). Changing it replaces the workflow. */
  sandboxName: pulumi.Input<string>;
  /** Approve votes needed, 1 to 20. @default 2 */
  requiredApprovals?: pulumi.Input<number>;
  /** Roles allowed to vote; empty = any role. Stored sorted. @default [] */
  requiredRoles?: pulumi.Input<pulumi.Input<'admin' | 'operator' | 'viewer'>[]>;
  /** One vote per actor and chunk. @default true */
  distinctActors?: pulumi.Input<boolean>;
  /** Minutes after the first vote before `approval.escalated` fires, 1 to 10080. @default none */
  escalationTimeoutMinutes?: pulumi.Input<number>;
}

/** Quorum approval for one sandbox's policy changes. Id = `gateway/sandboxName`. */
export class ApprovalWorkflow extends ShoreGuardResource {
  declare readonly gateway: pulumi.Output<string>;
  declare readonly sandboxName: pulumi.Output<string>;
  declare readonly requiredApprovals: pulumi.Output<number>;
  declare readonly requiredRoles: pulumi.Output<string[]>;
  declare readonly distinctActors: pulumi.Output<boolean>;
  declare readonly escalationTimeoutMinutes: pulumi.Output<number | undefined>;
  declare readonly createdBy: pulumi.Output<string>;
  declare readonly createdAt: pulumi.Output<string>;
  declare readonly updatedAt: pulumi.Output<string>;
  declare readonly adopt: pulumi.Output<boolean | undefined>;

  constructor(name: string, args: ApprovalWorkflowArgs, opts?: pulumi.CustomResourceOptions) {
    super('shoreguard_approval_workflow', name, args, opts);
  }
}

export interface PolicyPinArgs extends AdoptArgs {
  /** Gateway name. Changing it replaces the pin. */
  gateway: pulumi.Input<string>;
  /** Sandbox name. Changing it replaces the pin. */
  sandboxName: pulumi.Input<string>;
  /** Why the policy is frozen (shown to anyone refused with 423). Changes in place. */
  reason?: pulumi.Input<string>;
  /**
   * When the freeze lapses (ISO-8601); must be in the future when set or changed. After it passes
   * the pin stays in state as a fulfilled freeze: no drift, no re-create. @default no expiry
   */
  expiresAt?: pulumi.Input<string>;
}

/** A change freeze: ShoreGuard refuses policy changes to the sandbox with 423. Id = `gateway/sandboxName`. */
export class PolicyPin extends ShoreGuardResource {
  declare readonly gateway: pulumi.Output<string>;
  declare readonly sandboxName: pulumi.Output<string>;
  declare readonly reason: pulumi.Output<string | undefined>;
  declare readonly expiresAt: pulumi.Output<string | undefined>;
  /** The policy revision active when the pin was (last) set. */
  declare readonly pinnedVersion: pulumi.Output<number>;
  declare readonly pinnedBy: pulumi.Output<string>;
  declare readonly pinnedAt: pulumi.Output<string>;
  declare readonly adopt: pulumi.Output<boolean | undefined>;

  constructor(name: string, args: PolicyPinArgs, opts?: pulumi.CustomResourceOptions) {
    super('shoreguard_policy_pin', name, args, opts);
  }
}

export interface SandboxBootHookArgs extends AdoptArgs {
  /** Gateway name. Changing it replaces the hook. */
  gateway: pulumi.Input<string>;
  /** Sandbox name. Changing it replaces the hook. */
  sandboxName: pulumi.Input<string>;
  /** 1 to 128 characters, unique per sandbox and phase. Changing it replaces the hook. */
  name: pulumi.Input<string>;
  /** Changing it replaces the hook. */
  phase: pulumi.Input<'pre_create' | 'post_create'>;
  /** Shell command, 1 to 8192 characters. */
  command: pulumi.Input<string>;
  /** At most 512 characters. @default "" */
  workdir?: pulumi.Input<string>;
  /** @default {} */
  env?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** 1 to 600. @default 30 */
  timeoutSeconds?: pulumi.Input<number>;
  /** Position within the phase; lower runs first. @default after the existing hooks */
  order?: pulumi.Input<number>;
  /** @default true */
  enabled?: pulumi.Input<boolean>;
  /** Whether sandbox creation continues when the hook fails. @default false */
  continueOnFailure?: pulumi.Input<boolean>;
}

/** A command run before or after a sandbox is created. Id = `gateway/sandboxName/<hook id>`. */
export class SandboxBootHook extends ShoreGuardResource {
  declare readonly gateway: pulumi.Output<string>;
  declare readonly sandboxName: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly phase: pulumi.Output<string>;
  declare readonly command: pulumi.Output<string>;
  declare readonly workdir: pulumi.Output<string>;
  declare readonly env: pulumi.Output<Record<string, string>>;
  declare readonly timeoutSeconds: pulumi.Output<number>;
  declare readonly order: pulumi.Output<number>;
  declare readonly enabled: pulumi.Output<boolean>;
  declare readonly continueOnFailure: pulumi.Output<boolean>;
  declare readonly createdBy: pulumi.Output<string>;
  declare readonly createdAt: pulumi.Output<string>;
  declare readonly updatedAt: pulumi.Output<string>;
  declare readonly adopt: pulumi.Output<boolean | undefined>;

  constructor(name: string, args: SandboxBootHookArgs, opts?: pulumi.CustomResourceOptions) {
    super('shoreguard_sandbox_boot_hook', name, args, opts);
  }
}

/**
 * The argument names of each class, checked against the Args interfaces at compile time (exact
 * keys) and against schema.json by a unit test.
 */
export const argumentNames = {
  Gateway: keysOf<GatewayArgs>()({
    name: true, endpoint: true, scheme: true, authMode: true, caCert: true, clientCert: true, clientKey: true,
    metadata: true, description: true, labels: true, adopt: true,
  }),
  Group: keysOf<GroupArgs>()({ name: true, role: true, description: true, adopt: true }),
  GroupMembership: keysOf<GroupMembershipArgs>()({ groupId: true, userId: true, adopt: true }),
  GroupGatewayRole: keysOf<GroupGatewayRoleArgs>()({ groupId: true, gateway: true, role: true, adopt: true }),
  ApprovalWorkflow: keysOf<ApprovalWorkflowArgs>()({
    gateway: true, sandboxName: true, requiredApprovals: true, requiredRoles: true, distinctActors: true, escalationTimeoutMinutes: true, adopt: true,
  }),
  PolicyPin: keysOf<PolicyPinArgs>()({ gateway: true, sandboxName: true, reason: true, expiresAt: true, adopt: true }),
  SandboxBootHook: keysOf<SandboxBootHookArgs>()({
    gateway: true, sandboxName: true, name: true, phase: true, command: true, workdir: true, env: true,
    timeoutSeconds: true, order: true, enabled: true, continueOnFailure: true, adopt: true,
  }),
} as const;

/** `keysOf<T>()({...})` accepts exactly the keys of T and returns them. */
function keysOf<T>() {
  return <const K extends Record<keyof T, true>>(keys: K & Record<Exclude<keyof K, keyof T>, never>): readonly (keyof T & string)[] =>
    Object.keys(keys) as (keyof T & string)[];
}
