/**
 * `shoreguard-iac/cdktf`: CDKTF bindings for terraform-provider-shoreguard, generated from
 * schema.json (provider/cdktf/gen, namespaced like the prebuilt `@cdktf/provider-*` packages and
 * also flat), and hand-written constructs (provider/cdktf/constructs).
 *
 * ```ts
 * import { ShoreguardProvider, Gateway, GovernedSandbox } from 'shoreguard-iac/cdktf';
 * ```
 */
export * as approvalWorkflow from './gen/approval-workflow';
export * as dataShoreguardGateway from './gen/data-shoreguard-gateway';
export * as dataShoreguardUser from './gen/data-shoreguard-user';
export * as gateway from './gen/gateway';
export * as group from './gen/group';
export * as groupGatewayRole from './gen/group-gateway-role';
export * as groupMembership from './gen/group-membership';
export * as policyPin from './gen/policy-pin';
export * as provider from './gen/provider';
export * as sandboxBootHook from './gen/sandbox-boot-hook';

export * from './gen/approval-workflow';
export * from './gen/data-shoreguard-gateway';
export * from './gen/data-shoreguard-user';
export * from './gen/gateway';
export * from './gen/group';
export * from './gen/group-gateway-role';
export * from './gen/group-membership';
export * from './gen/policy-pin';
export * from './gen/provider';
export * from './gen/sandbox-boot-hook';

export * from './constructs';
