/**
 * `shoreguard_policy_pin`: a change freeze on one sandbox's policy. Id = `gateway/sandbox_name`.
 *
 * ShoreGuard's POST is an upsert and pins expire lazily on the server. What this resource does:
 * - create, no `adopt`, a pin is already active (set by a person): fails, naming who pinned it,
 *   when, why and until when. With `adopt: true` it takes the pin over (POST upsert: ShoreGuard
 *   records the provider's principal as `pinned_by` and re-reads the active version).
 * - read, the pin is gone and the DECLARED `expires_at` has passed: the freeze lapsed as planned.
 *   State is kept unchanged, so there is no drift and no endless re-create loop.
 * - read, the pin is gone before its expiry (someone unpinned it): the pin is reported gone; the
 *   next `up`/`apply` pins again.
 * - only `reason`/`expires_at` change: updated in place by POST. ShoreGuard re-reads the active
 *   version on every POST, so `pinned_version` moves to the current revision.
 * - `expires_at` must lie in the future when it is new or changed; an unchanged past expiry is
 *   accepted (it is the lapsed freeze above). Changing only the reason of a lapsed pin is refused:
 *   give a new future expiry (or none) to pin again.
 */
import { z } from 'zod';
import type { PolicyPin } from '../../sdk';
import { writeThenSettle } from './calls';
import { sameInstant, sameValue } from './compare';
import { defineBasics } from './define';
import { ResourceError } from './errors';
import { parseSandboxId } from './ids';
import type { AttributeProblem, Attributes, CreateOptions, ResourceContext, ResourceHandler } from './types';
import { gatewayName, instant, optional, sandboxName, timestamp } from './validate';

export const POLICY_PIN_TYPE = 'shoreguard_policy_pin';

const inputSchema = z.object({
  gateway: gatewayName,
  sandbox_name: sandboxName,
  reason: optional(z.string({ error: 'must be a string' })),
  expires_at: optional(timestamp),
});

export type PolicyPinInputs = z.output<typeof inputSchema>;
export type PolicyPinState = PolicyPinInputs & {
  id: string;
  pinned_version: number | null;
  pinned_by: string | null;
  pinned_at: string | null;
};

function hasLapsed(expiresAt: unknown, now: number): boolean {
  if (typeof expiresAt !== 'string' || expiresAt === '') return false;
  try {
    return instant(expiresAt) <= now;
  } catch {
    return false;
  }
}

function expiryRules(inputs: PolicyPinInputs, prior: Attributes | undefined): AttributeProblem[] {
  const now = Date.now();
  const expiryUnchanged = prior !== undefined && prior['expires_at'] !== undefined && sameInstant(prior['expires_at'], inputs.expires_at);
  if (!expiryUnchanged && inputs.expires_at !== null && hasLapsed(inputs.expires_at, now)) {
    return [{ attribute: 'expires_at', message: `must be in the future (got ${inputs.expires_at}, now is ${new Date(now).toISOString()})` }];
  }
  if (expiryUnchanged && hasLapsed(inputs.expires_at, now) && !sameValue(prior?.['reason'], inputs.reason)) {
    return [
      {
        attribute: 'expires_at',
        message: `the pin lapsed at ${inputs.expires_at}; set a new future expires_at (or remove it) to pin again with a new reason`,
      },
    ];
  }
  return [];
}

const basics = defineBasics<PolicyPinInputs>({
  type: POLICY_PIN_TYPE,
  inputs: inputSchema,
  replaceOn: ['gateway', 'sandbox_name'],
  comparators: { expires_at: sameInstant },
  refine: expiryRules,
});

function pinState(live: PolicyPin, prior: Attributes | undefined): PolicyPinState {
  return basics.keepSpelling(prior, {
    id: `${live.gatewayName}/${live.sandboxName}`,
    gateway: live.gatewayName,
    sandbox_name: live.sandboxName,
    reason: live.reason,
    expires_at: live.expiresAt,
    pinned_version: live.pinnedVersion,
    pinned_by: live.pinnedBy,
    pinned_at: live.pinnedAt,
  });
}

function describePin(pin: PolicyPin): string {
  const reason = pin.reason ? `, reason: ${JSON.stringify(pin.reason)}` : '';
  const expiry = pin.expiresAt ? `, expires ${pin.expiresAt}` : ', no expiry';
  return `pinned at version ${pin.pinnedVersion} by ${pin.pinnedBy ?? 'an unknown actor'} at ${pin.pinnedAt ?? 'an unknown time'}${reason}${expiry}`;
}

async function pin(ctx: ResourceContext, inputs: PolicyPinInputs): Promise<PolicyPinState> {
  const { gateway, sandbox_name: sandbox } = inputs;
  const live = await writeThenSettle(
    () => ctx.client.pins.pin(gateway, sandbox, { reason: inputs.reason, expiresAt: inputs.expires_at }),
    async () => {
      // The pin took effect when the live pin carries exactly what was sent.
      const found = await ctx.client.pins.get(gateway, sandbox);
      return found && sameValue(found.reason, inputs.reason) && sameInstant(found.expiresAt, inputs.expires_at) ? found : null;
    },
  );
  return pinState(live, inputs);
}

export const policyPinHandler: ResourceHandler<PolicyPinInputs, PolicyPinState> = {
  ...basics,

  async create(ctx: ResourceContext, inputs: PolicyPinInputs, options: CreateOptions = {}): Promise<PolicyPinState> {
    if (!options.adopt) {
      const existing = await ctx.client.pins.get(inputs.gateway, inputs.sandbox_name);
      if (existing) {
        throw new ResourceError({
          code: 'already_exists',
          resourceType: POLICY_PIN_TYPE,
          summary: `sandbox '${inputs.sandbox_name}' on gateway '${inputs.gateway}' is already ${describePin(existing)}.`,
          hint: 'Set adopt: true to take this pin over (ShoreGuard re-pins at the current revision and records you as pinned_by), or ask its owner to unpin.',
        });
      }
    }
    return pin(ctx, inputs);
  },

  async read(ctx, id, prior) {
    const [gateway, sandbox] = parseSandboxId(POLICY_PIN_TYPE, id);
    const live = await ctx.client.pins.get(gateway, sandbox);
    if (live) return pinState(live, prior);
    const now = (ctx.now?.() ?? new Date()).getTime();
    // A freeze that ran out as declared is fulfilled, not drift: keep state as it is.
    return prior && hasLapsed(prior.expires_at, now) ? prior : null;
  },

  async update(ctx, _id, _prior, inputs) {
    return pin(ctx, inputs);
  },

  async delete(ctx, id) {
    const [gateway, sandbox] = parseSandboxId(POLICY_PIN_TYPE, id);
    await ctx.client.pins.unpin(gateway, sandbox);
  },

  async importState(ctx, importId) {
    const [gateway, sandbox] = parseSandboxId(POLICY_PIN_TYPE, importId);
    const live = await ctx.client.pins.get(gateway, sandbox);
    return live ? pinState(live, undefined) : null;
  },
};
