/**
 * `getUser` and `getGateway`. Dynamic providers have no invoke, so lookups run in the program
 * process: they read the same `shoreguard:*` stack config (else the SDK's environment variables),
 * query ShoreGuard with a short-lived client and resolve to plain values. They run in preview too.
 */
import * as pulumi from '@pulumi/pulumi';
import { lookup } from './runtime';
import { clientOptionsFromConfig } from './settings';

export interface GetUserArgs {
  /** E-mail address (case-insensitive). */
  email: string;
}

export interface GetUserResult {
  /** Numeric user id, as a string (what `GroupMembership.userId` takes). */
  readonly id: string;
  readonly email: string;
  readonly role: string;
  readonly isActive: boolean;
  readonly createdAt?: string;
}

export interface GetGatewayArgs {
  name: string;
}

export interface GetGatewayResult {
  readonly id: string;
  readonly name: string;
  readonly endpoint: string;
  readonly scheme?: string;
  readonly authMode?: string;
  readonly metadata?: Record<string, string>;
  readonly description?: string;
  readonly labels?: Record<string, string>;
  readonly hasCaCert: boolean;
  readonly hasClientCert: boolean;
  readonly hasClientKey: boolean;
  readonly registeredAt?: string;
  readonly lastSeen?: string;
  readonly lastStatus?: string;
  readonly runtime?: string;
  readonly connected: boolean;
  readonly status?: string;
}

function programClientOptions() {
  return clientOptionsFromConfig((key) => pulumi.runtime.getConfig(key));
}

/** Looks up a ShoreGuard user by e-mail. Fails when there is none. */
export async function getUser(args: GetUserArgs): Promise<GetUserResult> {
  return (await lookup('shoreguard_user', { ...args }, programClientOptions())) as unknown as GetUserResult;
}

/** {@link getUser} with Output arguments. */
export function getUserOutput(args: { email: pulumi.Input<string> }): pulumi.Output<GetUserResult> {
  return pulumi.output(args.email).apply((email) => getUser({ email }));
}

/** Looks up a registered gateway by name. Fails when there is none. */
export async function getGateway(args: GetGatewayArgs): Promise<GetGatewayResult> {
  return (await lookup('shoreguard_gateway', { ...args }, programClientOptions())) as unknown as GetGatewayResult;
}

/** {@link getGateway} with Output arguments. */
export function getGatewayOutput(args: { name: pulumi.Input<string> }): pulumi.Output<GetGatewayResult> {
  return pulumi.output(args.name).apply((name) => getGateway({ name }));
}
