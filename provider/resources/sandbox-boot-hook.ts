/**
 * `shoreguard_sandbox_boot_hook`: a command run before or after a sandbox is created. Id =
 * `gateway/sandbox_name/<numeric hook id>`; import also accepts `gateway/sandbox_name/<phase>/<name>`.
 * Name and phase cannot change in ShoreGuard (they are the natural key with gateway and sandbox),
 * so changing any of those replaces the hook; everything else changes in place (PUT).
 */
import { z } from 'zod';
import type { BootHook, BootHookPhase, ShoreGuardClient } from '../../sdk';
import { deleteIgnoringNotFound, hasCode, hasDetail, nullWhenNotFound, splitId, writeThenSettle } from './calls';
import { defineBasics } from './define';
import { ResourceError, invalidImportId } from './errors';
import type { Attributes, CreateOptions, ResourceContext, ResourceHandler } from './types';
import { bool, gatewayName, intInRange, optional, sandboxName, stringMap, withDefault } from './validate';

export const SANDBOX_BOOT_HOOK_TYPE = 'shoreguard_sandbox_boot_hook';

const PHASES = ['pre_create', 'post_create'] as const;
const phase = z.enum(PHASES, { error: 'must be pre_create or post_create' });

const inputSchema = z.object({
  gateway: gatewayName,
  sandbox_name: sandboxName,
  name: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(128, { error: 'must be at most 128 characters' }),
  phase,
  command: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(8192, { error: 'must be at most 8192 characters' }),
  workdir: withDefault(z.string({ error: 'must be a string' }).max(512, { error: 'must be at most 512 characters' }), ''),
  env: withDefault(stringMap, {}),
  timeout_seconds: withDefault(intInRange(1, 600), 30),
  order: optional(intInRange(0, 1_000_000)),
  enabled: withDefault(bool, true),
  continue_on_failure: withDefault(bool, false),
});

export type BootHookInputs = z.output<typeof inputSchema>;
export type BootHookState = Omit<BootHookInputs, 'order'> & {
  id: string;
  order: number;
  created_by: string | null;
  created_at: string | null;
  updated_at: string | null;
};

const basics = defineBasics<BootHookInputs>({
  type: SANDBOX_BOOT_HOOK_TYPE,
  inputs: inputSchema,
  replaceOn: ['gateway', 'sandbox_name', 'name', 'phase'],
});

const ID_SHAPES = ['<gateway>/<sandbox_name>/<hook id>, e.g. prod-gw/agent-1/7', '<gateway>/<sandbox_name>/<phase>/<name>, e.g. prod-gw/agent-1/pre_create/warm-cache'];

function hookState(live: BootHook, prior: Attributes | undefined): BootHookState {
  return basics.keepSpelling(prior, {
    id: `${live.gatewayName}/${live.sandboxName}/${live.id}`,
    gateway: live.gatewayName,
    sandbox_name: live.sandboxName,
    name: live.name,
    phase: live.phase as BootHookInputs['phase'],
    command: live.command,
    workdir: live.workdir,
    env: { ...live.env },
    timeout_seconds: live.timeoutSeconds,
    order: live.order,
    enabled: live.enabled,
    continue_on_failure: live.continueOnFailure,
    created_by: live.createdBy,
    created_at: live.createdAt,
    updated_at: live.updatedAt,
  });
}

/** The settable fields; `order` only when given (otherwise the server keeps or assigns it). */
function settings(inputs: BootHookInputs) {
  return {
    command: inputs.command,
    workdir: inputs.workdir,
    env: inputs.env,
    timeoutSeconds: inputs.timeout_seconds,
    ...(inputs.order === null ? {} : { order: inputs.order }),
    enabled: inputs.enabled,
    continueOnFailure: inputs.continue_on_failure,
  };
}

async function findByName(client: ShoreGuardClient, gateway: string, sandbox: string, hookPhase: BootHookPhase, name: string): Promise<BootHook | null> {
  const hooks = await client.bootHooks.list(gateway, sandbox, { phase: hookPhase });
  return hooks.find((hook) => hook.name === name) ?? null;
}

function parseHookId(id: string): { gateway: string; sandbox: string; hookId: number } {
  const parts = splitId(id, 3);
  if (!parts || !/^[0-9]+$/.test(parts[2] as string) || !gatewayName.safeParse(parts[0]).success || !sandboxName.safeParse(parts[1]).success) {
    throw invalidImportId(SANDBOX_BOOT_HOOK_TYPE, id, ID_SHAPES.slice(0, 1));
  }
  return { gateway: parts[0] as string, sandbox: parts[1] as string, hookId: Number(parts[2]) };
}

async function updateLive(client: ShoreGuardClient, live: BootHook, inputs: BootHookInputs): Promise<BootHookState> {
  return hookState(await client.bootHooks.update(live.gatewayName, live.sandboxName, live.id, settings(inputs)), inputs);
}

export const sandboxBootHookHandler: ResourceHandler<BootHookInputs, BootHookState> = {
  ...basics,

  async create(ctx: ResourceContext, inputs: BootHookInputs, options: CreateOptions = {}): Promise<BootHookState> {
    const { gateway, sandbox_name: sandbox, phase: hookPhase, name } = inputs;
    const existingHook = () => findByName(ctx.client, gateway, sandbox, hookPhase, name);
    if (options.adopt) {
      const existing = await existingHook();
      if (existing) return updateLive(ctx.client, existing, inputs);
    }
    try {
      const live = await writeThenSettle(() => ctx.client.bootHooks.create(gateway, sandbox, { name, phase: hookPhase, ...settings(inputs) }), existingHook);
      return hookState(live, inputs);
    } catch (error) {
      // ShoreGuard answers a duplicate name with 400 "A <phase> hook named '<name>' already exists …".
      if (!hasDetail(error, 'validation', 'already exists') && !hasCode(error, 'conflict')) throw error;
      const existing = await existingHook();
      throw new ResourceError({
        code: 'already_exists',
        resourceType: SANDBOX_BOOT_HOOK_TYPE,
        summary: `sandbox '${sandbox}' on gateway '${gateway}' already has a ${hookPhase} hook named '${name}'${existing ? ` (id ${existing.id}, created by ${existing.createdBy ?? 'unknown'})` : ''}.`,
        hint: 'Set adopt: true to manage the existing hook, or choose another name.',
        cause: error,
      });
    }
  },

  async read(ctx, id, prior) {
    const { gateway, sandbox, hookId } = parseHookId(id);
    const live = await nullWhenNotFound(() => ctx.client.bootHooks.get(gateway, sandbox, hookId));
    return live ? hookState(live, prior) : null;
  },

  async update(ctx, id, _prior, inputs) {
    const { gateway, sandbox, hookId } = parseHookId(id);
    return hookState(await ctx.client.bootHooks.update(gateway, sandbox, hookId, settings(inputs)), inputs);
  },

  async delete(ctx, id) {
    const { gateway, sandbox, hookId } = parseHookId(id);
    await deleteIgnoringNotFound(() => ctx.client.bootHooks.delete(gateway, sandbox, hookId));
  },

  async importState(ctx, importId) {
    const byName = splitId(importId, 4, true);
    if (byName && phase.safeParse(byName[2]).success && !/^[0-9]+$/.test(byName[2] as string)) {
      const [gateway, sandbox, hookPhase, name] = byName as [string, string, BootHookPhase, string];
      if (!gatewayName.safeParse(gateway).success || !sandboxName.safeParse(sandbox).success) throw invalidImportId(SANDBOX_BOOT_HOOK_TYPE, importId, ID_SHAPES);
      const live = await findByName(ctx.client, gateway, sandbox, hookPhase, name);
      return live ? hookState(live, undefined) : null;
    }
    if (!splitId(importId, 3)) throw invalidImportId(SANDBOX_BOOT_HOOK_TYPE, importId, ID_SHAPES);
    return sandboxBootHookHandler.read(ctx, importId);
  },
};
