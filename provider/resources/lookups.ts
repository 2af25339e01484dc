/**
 * Read-only lookups (Terraform data sources, Pulumi `get*` functions): `shoreguard_user` by e-mail
 * and `shoreguard_gateway` by name. A lookup that finds nothing fails with a clear error: a
 * program that references a missing user or gateway cannot be planned meaningfully.
 */
import { z } from 'zod';
import { ResourceError } from './errors';
import { gatewayState } from './gateway';
import type { Attributes, LookupHandler } from './types';
import { gatewayName, parseAttributes } from './validate';

export const USER_LOOKUP_TYPE = 'shoreguard_user';
export const GATEWAY_LOOKUP_TYPE = 'shoreguard_gateway';

const userQuery = z.object({
  email: z
    .string({ error: 'must be a string' })
    .transform((value) => value.trim().toLowerCase())
    .refine((value) => /^[^@\s]+@[^@\s]+$/.test(value), { error: 'must be an e-mail address' }),
});
export type UserQuery = z.output<typeof userQuery>;
export type UserResult = { id: string; email: string; role: string; is_active: boolean; created_at: string | null };

export const userLookup: LookupHandler<UserQuery, UserResult> = {
  type: USER_LOOKUP_TYPE,
  check: (raw) => parseAttributes(userQuery, raw),
  async lookup(ctx, query) {
    const user = await ctx.client.users.findByEmail(query.email);
    if (!user) {
      throw new ResourceError({
        code: 'not_found',
        resourceType: USER_LOOKUP_TYPE,
        summary: `no ShoreGuard user has the e-mail address ${query.email}.`,
        hint: 'Check the address, or invite the user first (POST /api/auth/users).',
      });
    }
    return { id: String(user.id), email: user.email, role: user.role, is_active: user.isActive, created_at: user.createdAt };
  },
};

const gatewayQuery = z.object({ name: gatewayName });
export type GatewayQuery = z.output<typeof gatewayQuery>;
/** The data source attributes: the resource's, without certificates (never returned by ShoreGuard). */
export type GatewayResult = Attributes & { id: string; name: string };

export const gatewayLookup: LookupHandler<GatewayQuery, GatewayResult> = {
  type: GATEWAY_LOOKUP_TYPE,
  check: (raw) => parseAttributes(gatewayQuery, raw),
  async lookup(ctx, query) {
    const live = await ctx.client.gateways.findByName(query.name);
    if (!live) {
      throw new ResourceError({
        code: 'not_found',
        resourceType: GATEWAY_LOOKUP_TYPE,
        summary: `no gateway named '${query.name}' is registered.`,
        hint: 'Check the name (GET /api/gateway/list shows the registered gateways).',
      });
    }
    const { ca_cert: _ca, client_cert: _cert, client_key: _key, ...result } = gatewayState(live, undefined);
    return result;
  },
};
