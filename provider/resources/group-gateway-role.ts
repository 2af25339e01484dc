/**
 * `shoreguard_group_gateway_role`: a per-gateway role override for a group's members. Id =
 * `group_id/gateway`. The role changes in place (PUT is an upsert); group and gateway are the identity.
 */
import { z } from 'zod';
import type { ShoreGuardClient } from '../../sdk';
import { deleteIgnoringNotFound, splitId } from './calls';
import { defineBasics } from './define';
import { ResourceError, invalidImportId } from './errors';
import type { Attributes, CreateOptions, ResourceContext, ResourceHandler } from './types';
import { gatewayName, numericId, role } from './validate';

export const GROUP_GATEWAY_ROLE_TYPE = 'shoreguard_group_gateway_role';

const inputSchema = z.object({ group_id: numericId, gateway: gatewayName, role });

export type GroupGatewayRoleInputs = z.output<typeof inputSchema>;
export type GroupGatewayRoleState = GroupGatewayRoleInputs & { id: string };

const basics = defineBasics<GroupGatewayRoleInputs>({ type: GROUP_GATEWAY_ROLE_TYPE, inputs: inputSchema, replaceOn: ['group_id', 'gateway'] });

const ID_SHAPE = '<group_id>/<gateway>, e.g. 3/prod-gw';

function state(groupId: string, gateway: string, roleName: string, prior?: Attributes): GroupGatewayRoleState {
  return basics.keepSpelling(prior, { id: `${groupId}/${gateway}`, group_id: groupId, gateway, role: roleName as GroupGatewayRoleInputs['role'] });
}

/** The group's role on the gateway, or `null` (an unknown group lists no roles). */
async function currentRole(client: ShoreGuardClient, groupId: string, gateway: string): Promise<string | null> {
  const roles = await client.groups.listGatewayRoles(Number(groupId));
  return roles.find((r) => r.gatewayName === gateway)?.role ?? null;
}

function parseId(id: string): [string, string] {
  const parts = splitId(id, 2);
  if (!parts || !/^[0-9]+$/.test(parts[0] as string) || !gatewayName.safeParse(parts[1]).success) throw invalidImportId(GROUP_GATEWAY_ROLE_TYPE, id, [ID_SHAPE]);
  return [parts[0] as string, parts[1] as string];
}

async function put(ctx: ResourceContext, inputs: GroupGatewayRoleInputs): Promise<GroupGatewayRoleState> {
  const live = await ctx.client.groups.setGatewayRole(Number(inputs.group_id), inputs.gateway, inputs.role);
  return state(inputs.group_id, inputs.gateway, live.role, inputs);
}

export const groupGatewayRoleHandler: ResourceHandler<GroupGatewayRoleInputs, GroupGatewayRoleState> = {
  ...basics,

  // PUT is an upsert, so "already exists" is detected by reading first.
  async create(ctx: ResourceContext, inputs: GroupGatewayRoleInputs, options: CreateOptions = {}): Promise<GroupGatewayRoleState> {
    if (!options.adopt) {
      const existing = await currentRole(ctx.client, inputs.group_id, inputs.gateway);
      if (existing !== null) {
        throw new ResourceError({
          code: 'already_exists',
          resourceType: GROUP_GATEWAY_ROLE_TYPE,
          summary: `group ${inputs.group_id} already has role ${existing} on gateway '${inputs.gateway}'.`,
          hint: 'Set adopt: true to manage the existing role binding.',
        });
      }
    }
    return put(ctx, inputs);
  },

  async read(ctx, id, prior) {
    const [groupId, gateway] = parseId(id);
    const live = await currentRole(ctx.client, groupId, gateway);
    return live === null ? null : state(groupId, gateway, live, prior);
  },

  async update(ctx, _id, _prior, inputs) {
    return put(ctx, inputs);
  },

  async delete(ctx, id) {
    const [groupId, gateway] = parseId(id);
    await deleteIgnoringNotFound(() => ctx.client.groups.removeGatewayRole(Number(groupId), gateway));
  },

  async importState(ctx, importId) {
    const [groupId, gateway] = parseId(importId);
    const live = await currentRole(ctx.client, groupId, gateway);
    return live === null ? null : state(groupId, gateway, live);
  },
};
