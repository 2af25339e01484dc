/**
 * `shoreguard_group_membership`: one user in one group. Id = `group_id/user_id`. Both ids are the
 * identity, so any change replaces the membership (a new key: no delete-first needed).
 */
import { z } from 'zod';
import type { ShoreGuardClient } from '../../sdk';
import { deleteIgnoringNotFound, hasCode, nullWhenNotFound, splitId, writeThenSettle } from './calls';
import { defineBasics } from './define';
import { ResourceError, invalidImportId } from './errors';
import type { Attributes, CreateOptions, ResourceContext, ResourceHandler } from './types';
import { numericId } from './validate';

export const GROUP_MEMBERSHIP_TYPE = 'shoreguard_group_membership';

const inputSchema = z.object({ group_id: numericId, user_id: numericId });

export type GroupMembershipInputs = z.output<typeof inputSchema>;
export type GroupMembershipState = GroupMembershipInputs & { id: string; user_email: string | null; group_name: string | null };

const basics = defineBasics<GroupMembershipInputs>({ type: GROUP_MEMBERSHIP_TYPE, inputs: inputSchema, replaceOn: ['group_id', 'user_id'] });

const ID_SHAPE = '<group_id>/<user_id>, e.g. 3/17';

/** Reads the membership from the group's member list; `null` when the group or the membership is gone. */
async function readMembership(client: ShoreGuardClient, groupId: string, userId: string, prior?: Attributes): Promise<GroupMembershipState | null> {
  const group = await nullWhenNotFound(() => client.groups.get(Number(groupId)));
  const member = group?.members.find((m) => String(m.id) === userId);
  if (!group || !member) return null;
  return basics.keepSpelling(prior, { id: `${groupId}/${userId}`, group_id: groupId, user_id: userId, user_email: member.email, group_name: group.name });
}

function parseId(id: string): [string, string] {
  const parts = splitId(id, 2);
  if (!parts || !parts.every((part) => /^[0-9]+$/.test(part))) throw invalidImportId(GROUP_MEMBERSHIP_TYPE, id, [ID_SHAPE]);
  return [parts[0] as string, parts[1] as string];
}

export const groupMembershipHandler: ResourceHandler<GroupMembershipInputs, GroupMembershipState> = {
  ...basics,

  async create(ctx: ResourceContext, inputs: GroupMembershipInputs, options: CreateOptions = {}): Promise<GroupMembershipState> {
    const { group_id: groupId, user_id: userId } = inputs;
    const readBack = () => readMembership(ctx.client, groupId, userId, inputs);
    try {
      return await writeThenSettle(async () => {
        const added = await ctx.client.groups.addMember(Number(groupId), Number(userId));
        return { id: `${groupId}/${userId}`, group_id: groupId, user_id: userId, user_email: added.userEmail, group_name: added.groupName };
      }, readBack);
    } catch (error) {
      if (!hasCode(error, 'conflict')) throw error;
      const existing = await readBack();
      if (!options.adopt || !existing) {
        throw new ResourceError({
          code: 'already_exists',
          resourceType: GROUP_MEMBERSHIP_TYPE,
          summary: `user ${existing?.user_email ?? userId} is already a member of group ${existing?.group_name ?? groupId}.`,
          hint: 'Set adopt: true to manage the existing membership.',
          cause: error,
        });
      }
      return existing;
    }
  },

  async read(ctx, id, prior) {
    const [groupId, userId] = parseId(id);
    return readMembership(ctx.client, groupId, userId, prior);
  },

  // Every input is part of the identity (replaceOn), so an update only refreshes the computed fields.
  async update(ctx, id, prior) {
    const [groupId, userId] = parseId(id);
    return (await readMembership(ctx.client, groupId, userId, prior)) ?? prior;
  },

  async delete(ctx, id) {
    const [groupId, userId] = parseId(id);
    await deleteIgnoringNotFound(() => ctx.client.groups.removeMember(Number(groupId), Number(userId)));
  },

  async importState(ctx, importId) {
    const [groupId, userId] = parseId(importId);
    return readMembership(ctx.client, groupId, userId);
  },
};
