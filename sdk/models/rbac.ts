import { z } from 'zod';
import { flag, nullableNumber, nullableString } from './common';

/** ShoreGuard roles, lowest to highest: viewer < operator < admin. */
export type Role = 'viewer' | 'operator' | 'admin';

// Roles are read as plain strings: a newer server may add roles, and an unknown one must not
// make a whole listing unreadable.
const role = z.string();

/** A user (`GET /api/auth/users`). */
export interface User {
  readonly id: number;
  /** Lower-cased by the server. */
  readonly email: string;
  readonly role: string;
  readonly isActive: boolean;
  /** True until the invite is accepted. */
  readonly pendingInvite: boolean;
  readonly createdAt: string | null;
  readonly oidcProvider: string | null;
}

export const userSchema: z.ZodType<User> = z
  .object({
    id: z.number().int(),
    email: z.string(),
    role,
    is_active: z.boolean().nullish().transform((v) => v ?? true),
    pending_invite: flag,
    created_at: nullableString,
    oidc_provider: nullableString,
  })
  .loose()
  .transform((w) => ({
    id: w.id,
    email: w.email,
    role: w.role,
    isActive: w.is_active,
    pendingInvite: w.pending_invite,
    createdAt: w.created_at,
    oidcProvider: w.oidc_provider,
  }));

/** `POST /api/auth/users` (201). */
export interface CreatedUser {
  readonly id: number;
  readonly email: string;
  readonly role: string;
  readonly createdAt: string | null;
  /** Returned once; the user accepts the invite with it. */
  readonly inviteToken: string | null;
}

export const createdUserSchema: z.ZodType<CreatedUser> = z
  .object({ id: z.number().int(), email: z.string(), role, created_at: nullableString, invite_token: nullableString })
  .loose()
  .transform((w) => ({ id: w.id, email: w.email, role: w.role, createdAt: w.created_at, inviteToken: w.invite_token }));

/** Input of `users.create`. */
export interface CreateUserInput {
  readonly email: string;
  /** @default server: 'viewer' */
  readonly role?: Role;
}

/** A service principal (API key owner). The key itself is never listed. */
export interface ServicePrincipal {
  readonly id: number;
  readonly name: string;
  readonly role: string;
  /** First 12 characters of the key, e.g. `sg_AbCdEfGh`. */
  readonly keyPrefix: string | null;
  readonly createdAt: string | null;
  readonly createdBy: string | null;
  readonly lastUsed: string | null;
  readonly expiresAt: string | null;
}

const servicePrincipalWire = z
  .object({
    id: z.number().int(),
    name: z.string(),
    role,
    key_prefix: nullableString,
    created_at: nullableString,
    created_by: nullableString,
    last_used: nullableString,
    expires_at: nullableString,
  })
  .loose();

function servicePrincipalFromWire(w: z.output<typeof servicePrincipalWire>): ServicePrincipal {
  return {
    id: w.id,
    name: w.name,
    role: w.role,
    keyPrefix: w.key_prefix,
    createdAt: w.created_at,
    createdBy: w.created_by,
    lastUsed: w.last_used,
    expiresAt: w.expires_at,
  };
}

export const servicePrincipalSchema: z.ZodType<ServicePrincipal> = servicePrincipalWire.transform(servicePrincipalFromWire);

/** `POST /api/auth/service-principals` (201): the principal plus its key, shown only once. */
export interface CreatedServicePrincipal extends ServicePrincipal {
  /** The API key (`sg_…`). A secret: store it in a secret store, never log it. */
  readonly key: string;
}

export const createdServicePrincipalSchema: z.ZodType<CreatedServicePrincipal> = servicePrincipalWire
  .extend({ key: z.string() })
  .transform((w) => ({ ...servicePrincipalFromWire(w), key: w.key }));

/** Input of `servicePrincipals.create`. */
export interface CreateServicePrincipalInput {
  readonly name: string;
  /** @default server: 'viewer' */
  readonly role?: Role;
  /** ISO-8601 date-time or Date; `null`/absent = never expires. */
  readonly expiresAt?: string | Date | null;
}

/** A group (`GET /api/auth/groups`). */
export interface Group {
  readonly id: number;
  readonly name: string;
  /** Global role; can only raise a member's effective role. */
  readonly role: string;
  readonly description: string | null;
  readonly createdAt: string | null;
  /** `null` from get/update (the server does not count there). */
  readonly memberCount: number | null;
}

/** A member as listed by `groups.get`. */
export interface GroupMember {
  readonly id: number;
  readonly email: string;
  readonly role: string;
}

/** `GET /api/auth/groups/{id}`: the group with its members (ordered by email). */
export interface GroupWithMembers extends Group {
  readonly members: readonly GroupMember[];
}

const groupWire = z
  .object({
    id: z.number().int(),
    name: z.string(),
    role,
    description: nullableString,
    created_at: nullableString,
    member_count: nullableNumber,
  })
  .loose();

function groupFromWire(w: z.output<typeof groupWire>): Group {
  return { id: w.id, name: w.name, role: w.role, description: w.description, createdAt: w.created_at, memberCount: w.member_count };
}

export const groupSchema: z.ZodType<Group> = groupWire.transform(groupFromWire);

const groupMemberSchema = z
  .object({ id: z.number().int(), email: z.string(), role })
  .loose()
  .transform((w) => ({ id: w.id, email: w.email, role: w.role }));

export const groupWithMembersSchema: z.ZodType<GroupWithMembers> = groupWire
  .extend({ members: z.array(groupMemberSchema).nullish().transform((v) => v ?? []) })
  .transform((w) => ({ ...groupFromWire(w), members: w.members }));

/** Input of `groups.create`. */
export interface CreateGroupInput {
  readonly name: string;
  /** @default server: 'viewer' */
  readonly role?: Role;
  readonly description?: string | null;
}

/**
 * Input of `groups.update`. `name`/`role` left out stay unchanged. `description` left out is KEPT:
 * the SDK reads the group and sends the current description back, because the server would clear
 * it (contract trap 13). Pass `description: null` to clear it.
 */
export interface UpdateGroupInput {
  readonly name?: string;
  readonly role?: Role;
  readonly description?: string | null;
}

/** `POST /api/auth/groups/{id}/members` (201). */
export interface GroupMembership {
  readonly groupId: number;
  readonly groupName: string | null;
  readonly userId: number;
  readonly userEmail: string | null;
}

export const groupMembershipSchema: z.ZodType<GroupMembership> = z
  .object({ group_id: z.number().int(), group_name: nullableString, user_id: z.number().int(), user_email: nullableString })
  .loose()
  .transform((w) => ({ groupId: w.group_id, groupName: w.group_name, userId: w.user_id, userEmail: w.user_email }));

/** A per-gateway role override (user, service principal or group). */
export interface GatewayRole {
  readonly gatewayName: string;
  readonly role: string;
  readonly userId: number | null;
  readonly spId: number | null;
  readonly groupId: number | null;
}

export const gatewayRoleSchema: z.ZodType<GatewayRole> = z
  .object({ gateway_name: z.string(), role, user_id: nullableNumber, sp_id: nullableNumber, group_id: nullableNumber })
  .loose()
  .transform((w) => ({ gatewayName: w.gateway_name, role: w.role, userId: w.user_id, spId: w.sp_id, groupId: w.group_id }));
