/**
 * The registry both front-ends use: every resource handler by its schema.json type, and every
 * lookup by its data source type. Keys equal schema.json's `resource_schemas` /
 * `data_source_schemas` keys (a unit test checks both directions).
 */
import { approvalWorkflowHandler } from './approval-workflow';
import { gatewayHandler } from './gateway';
import { groupHandler } from './group';
import { groupGatewayRoleHandler } from './group-gateway-role';
import { groupMembershipHandler } from './group-membership';
import { gatewayLookup, userLookup } from './lookups';
import { policyPinHandler } from './policy-pin';
import { sandboxBootHookHandler } from './sandbox-boot-hook';
import type { LookupHandler, ResourceHandler } from './types';

/** Resource handlers by schema.json type (`shoreguard_gateway`, …). */
export const resources: Readonly<Record<string, ResourceHandler>> = Object.freeze({
  shoreguard_gateway: gatewayHandler,
  shoreguard_group: groupHandler,
  shoreguard_group_membership: groupMembershipHandler,
  shoreguard_group_gateway_role: groupGatewayRoleHandler,
  shoreguard_approval_workflow: approvalWorkflowHandler,
  shoreguard_policy_pin: policyPinHandler,
  shoreguard_sandbox_boot_hook: sandboxBootHookHandler,
} as Record<string, ResourceHandler>);

/** Lookups by schema.json data source type (`shoreguard_user`, `shoreguard_gateway`). */
export const lookups: Readonly<Record<string, LookupHandler>> = Object.freeze({
  shoreguard_user: userLookup,
  shoreguard_gateway: gatewayLookup,
} as Record<string, LookupHandler>);

/** The handler of a resource type. @throws Error for a type schema.json does not declare. */
export function resourceHandler(type: string): ResourceHandler {
  const handler = resources[type];
  if (!handler) throw new Error(`unknown ShoreGuard resource type ${JSON.stringify(type)}; known: ${Object.keys(resources).join(', ')}`);
  return handler;
}

export type * from './types';
export { ResourceError, invalidInput, isResourceError } from './errors';
export type { ResourceErrorCode } from './errors';
export { resourceSchema, dataSourceSchema, inputAttributes, computedOnlyAttributes, sensitiveAttributes, resourceTypes, dataSourceTypes } from './schema';
export type { AttributeSpec, BlockSpec } from './schema';
export { certificateToWire } from './gateway';
export type { GatewayInputs, GatewayState } from './gateway';
export type { GroupInputs, GroupState } from './group';
export type { GroupMembershipInputs, GroupMembershipState } from './group-membership';
export type { GroupGatewayRoleInputs, GroupGatewayRoleState } from './group-gateway-role';
export type { ApprovalWorkflowInputs, ApprovalWorkflowState } from './approval-workflow';
export type { PolicyPinInputs, PolicyPinState } from './policy-pin';
export type { BootHookInputs, BootHookState } from './sandbox-boot-hook';
export type { UserQuery, UserResult, GatewayQuery, GatewayResult } from './lookups';
