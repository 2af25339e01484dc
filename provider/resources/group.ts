/**
 * `shoreguard_group`: an RBAC group. Id = ShoreGuard's numeric group id (as a string); import also
 * accepts the group name. Name, role and description change in place (PUT).
 */
import { z } from 'zod';
import type { Group as LiveGroup, ShoreGuardClient } from '../../sdk';
import { deleteIgnoringNotFound, hasCode, nullWhenNotFound, writeThenSettle } from './calls';
import { defineBasics } from './define';
import { ResourceError } from './errors';
import type { Attributes, CreateOptions, ResourceContext, ResourceHandler } from './types';
import { description, optional, role, withDefault } from './validate';

export const GROUP_TYPE = 'shoreguard_group';

const groupName = z
  .string({ error: 'must be a string' })
  .transform((value) => value.trim())
  .pipe(z.string().min(1, { error: 'must not be empty' }).max(100, { error: 'must be at most 100 characters' }));

const inputSchema = z.object({
  name: groupName,
  role: withDefault(role, 'viewer'),
  description: optional(description),
});

export type GroupInputs = z.output<typeof inputSchema>;
export type GroupState = GroupInputs & { id: string; created_at: string | null };

const basics = defineBasics<GroupInputs>({ type: GROUP_TYPE, inputs: inputSchema, replaceOn: [] });

function groupState(live: LiveGroup, prior: Attributes | undefined): GroupState {
  return basics.keepSpelling(prior, {
    id: String(live.id),
    name: live.name,
    role: live.role as GroupInputs['role'],
    description: live.description,
    created_at: live.createdAt,
  });
}

async function findByName(client: ShoreGuardClient, name: string): Promise<LiveGroup | null> {
  const groups = await client.groups.list();
  return groups.find((group) => group.name === name) ?? null;
}

/** PUTs name/role/description when any differs (description always sent: the server clears it when omitted). */
async function reconcile(client: ShoreGuardClient, live: LiveGroup, inputs: GroupInputs): Promise<LiveGroup> {
  if (live.name === inputs.name && live.role === inputs.role && live.description === inputs.description) return live;
  return client.groups.update(live.id, { name: inputs.name, role: inputs.role, description: inputs.description });
}

export const groupHandler: ResourceHandler<GroupInputs, GroupState> = {
  ...basics,

  async create(ctx: ResourceContext, inputs: GroupInputs, options: CreateOptions = {}): Promise<GroupState> {
    if (options.adopt) {
      const existing = await findByName(ctx.client, inputs.name);
      if (existing) return groupState(await reconcile(ctx.client, existing, inputs), inputs);
    }
    try {
      const live = await writeThenSettle(
        () => ctx.client.groups.create({ name: inputs.name, role: inputs.role, description: inputs.description }),
        () => findByName(ctx.client, inputs.name),
      );
      return groupState(live, inputs);
    } catch (error) {
      if (!hasCode(error, 'conflict')) throw error;
      const existing = await findByName(ctx.client, inputs.name);
      throw new ResourceError({
        code: 'already_exists',
        resourceType: GROUP_TYPE,
        summary: `group '${inputs.name}' already exists${existing ? ` (id ${existing.id}, role ${existing.role})` : ''}.`,
        hint: 'Set adopt: true to manage the existing group, or choose another name.',
        cause: error,
      });
    }
  },

  async read(ctx, id, prior) {
    const live = await nullWhenNotFound(() => ctx.client.groups.get(Number(id)));
    return live ? groupState(live, prior) : null;
  },

  async update(ctx, id, _prior, inputs) {
    const live = await ctx.client.groups.update(Number(id), { name: inputs.name, role: inputs.role, description: inputs.description });
    return groupState(live, inputs);
  },

  async delete(ctx, id) {
    await deleteIgnoringNotFound(() => ctx.client.groups.delete(Number(id)));
  },

  async importState(ctx, importId) {
    if (importId.trim() === '') {
      throw new ResourceError({ code: 'invalid_import_id', resourceType: GROUP_TYPE, summary: 'import id is empty.', hint: 'Use the numeric group id or the group name.' });
    }
    const live = /^[0-9]+$/.test(importId) ? await nullWhenNotFound(() => ctx.client.groups.get(Number(importId))) : await findByName(ctx.client, importId);
    return live ? groupState(live, undefined) : null;
  },
};
