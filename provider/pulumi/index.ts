/**
 * `shoreguard-iac/pulumi`: ShoreGuard infrastructure as Pulumi resources (a dynamic provider).
 *
 * ```ts
 * import * as shoreguard from 'shoreguard-iac/pulumi';
 * const gw = new shoreguard.Gateway('edge', { name: 'edge-1', endpoint: 'gw.example.com:8443' });
 * ```
 *
 * Credentials: stack config `shoreguard:url` and `shoreguard:apiKey` (secret), else the
 * environment variables SHOREGUARD_URL and SHOREGUARD_TOKEN / SHOREGUARD_API_KEY.
 * @packageDocumentation
 */
import * as runtime from './runtime';

export {
  ApprovalWorkflow,
  Gateway,
  Group,
  GroupGatewayRole,
  GroupMembership,
  PolicyPin,
  SandboxBootHook,
  TOKEN_MODULE,
  argumentNames,
} from './resources';
export type {
  AdoptArgs,
  ApprovalWorkflowArgs,
  GatewayArgs,
  GroupArgs,
  GroupGatewayRoleArgs,
  GroupMembershipArgs,
  PolicyPinArgs,
  SandboxBootHookArgs,
} from './resources';
export { getGateway, getGatewayOutput, getUser, getUserOutput } from './lookups';
export type { GetGatewayArgs, GetGatewayResult, GetUserArgs, GetUserResult } from './lookups';
export { CONFIG_NAMESPACE } from './settings';

/**
 * @internal What the serialized dynamic providers call inside the Pulumi provider process (they
 * `require('shoreguard-iac/pulumi')` at call time). Not a stable API.
 */
export const providerRuntime: typeof runtime = runtime;
