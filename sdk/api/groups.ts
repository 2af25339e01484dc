import { z } from 'zod';
import { okSchema } from '../models/common';
import {
  type CreateGroupInput,
  type GatewayRole,
  type Group,
  type GroupMembership,
  type GroupWithMembers,
  type Role,
  type UpdateGroupInput,
  gatewayRoleSchema,
  groupMembershipSchema,
  groupSchema,
  groupWithMembersSchema,
} from '../models/rbac';
import { type Transport, apiPath } from '../transport';

/** RBAC groups, memberships and per-gateway group roles: `/api/auth/groups` (admin). */
export class GroupsApi {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Lists groups ordered by name, with member counts. */
  async list(): Promise<readonly Group[]> {
    return this.#transport.call({ method: 'GET', path: '/api/auth/groups', idempotent: true }, z.array(groupSchema));
  }

  /** Reads a group with its members. @throws ShoreGuardError `not_found`. */
  async get(id: number): Promise<GroupWithMembers> {
    return this.#transport.call({ method: 'GET', path: apiPath`/api/auth/groups/${id}`, idempotent: true }, groupWithMembersSchema);
  }

  /** Creates a group (201). @throws ShoreGuardError `conflict` for a taken name. */
  async create(input: CreateGroupInput): Promise<Group> {
    const body = {
      name: input.name,
      ...(input.role === undefined ? {} : { role: input.role }),
      ...(input.description === undefined ? {} : { description: input.description }),
    };
    return this.#transport.call({ method: 'POST', path: '/api/auth/groups', body, idempotent: false }, groupSchema);
  }

  /**
   * Updates a group (`PUT /api/auth/groups/{id}`). The server clears `description` when the body
   * omits it (trap 13), so when `patch.description` is not given this reads the group first and
   * sends its current description back. Pass `description: null` to clear it on purpose.
   */
  async update(id: number, patch: UpdateGroupInput): Promise<Group> {
    const description = patch.description !== undefined ? patch.description : (await this.get(id)).description;
    const body = {
      ...(patch.name === undefined ? {} : { name: patch.name }),
      ...(patch.role === undefined ? {} : { role: patch.role }),
      description,
    };
    return this.#transport.call({ method: 'PUT', path: apiPath`/api/auth/groups/${id}`, body, idempotent: true }, groupSchema);
  }

  /** Deletes a group with its memberships and gateway roles. @throws ShoreGuardError `not_found`. */
  async delete(id: number): Promise<void> {
    await this.#transport.call({ method: 'DELETE', path: apiPath`/api/auth/groups/${id}`, idempotent: true }, okSchema);
  }

  /** Adds a user to a group (201). @throws ShoreGuardError `conflict` if already a member, `not_found`. */
  async addMember(groupId: number, userId: number): Promise<GroupMembership> {
    return this.#transport.call(
      { method: 'POST', path: apiPath`/api/auth/groups/${groupId}/members`, body: { user_id: userId }, idempotent: false },
      groupMembershipSchema,
    );
  }

  /** Removes a user from a group. @throws ShoreGuardError `not_found` when not a member. */
  async removeMember(groupId: number, userId: number): Promise<void> {
    await this.#transport.call({ method: 'DELETE', path: apiPath`/api/auth/groups/${groupId}/members/${userId}`, idempotent: true }, okSchema);
  }

  /** Lists the group's per-gateway roles (an unknown group gives `[]`, not 404). */
  async listGatewayRoles(groupId: number): Promise<readonly GatewayRole[]> {
    return this.#transport.call(
      { method: 'GET', path: apiPath`/api/auth/groups/${groupId}/gateway-roles`, idempotent: true },
      z.array(gatewayRoleSchema),
    );
  }

  /** Sets (upserts) the group's role on a registered gateway. @throws ShoreGuardError `not_found`. */
  async setGatewayRole(groupId: number, gateway: string, role: Role): Promise<GatewayRole> {
    return this.#transport.call(
      { method: 'PUT', path: apiPath`/api/auth/groups/${groupId}/gateway-roles/${gateway}`, body: { role }, idempotent: true, gateway },
      gatewayRoleSchema,
    );
  }

  /** Removes the group's role on a gateway. @throws ShoreGuardError `not_found` when none is set. */
  async removeGatewayRole(groupId: number, gateway: string): Promise<void> {
    await this.#transport.call(
      { method: 'DELETE', path: apiPath`/api/auth/groups/${groupId}/gateway-roles/${gateway}`, idempotent: true, gateway },
      okSchema,
    );
  }
}
