/**
 * Looks at (and, for set-up, writes to) the real ShoreGuard with plain fetch and zod, not with the
 * SDK: the engines under test talk through the SDK, so checking their work through it too could
 * let one client bug cancel itself out. Errors name method, path and status, never a key.
 */
import { z } from 'zod';
import type { Principal } from '../real-shoreguard';

export interface ProbeReply {
  readonly status: number;
  readonly text: string;
  /** The parsed JSON body, or undefined for an empty or non-JSON body. */
  readonly body: unknown;
}

export class ProbeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProbeError';
  }
}

const GatewaySchema = z.object({
  name: z.string(),
  endpoint: z.string(),
  scheme: z.string().nullable(),
  auth_mode: z.string().nullable(),
  status: z.string().nullable(),
  connected: z.boolean().nullable(),
  labels: z.record(z.string(), z.string()),
  metadata: z.record(z.string(), z.unknown()),
  description: z.string().nullable(),
});
export type ProbedGateway = z.infer<typeof GatewaySchema>;

const PinSchema = z.object({
  gateway_name: z.string(),
  sandbox_name: z.string(),
  pinned_version: z.number(),
  pinned_by: z.string(),
  reason: z.string().nullable(),
  expires_at: z.string().nullable(),
});
export type ProbedPin = z.infer<typeof PinSchema>;

const WorkflowSchema = z.object({
  required_approvals: z.number(),
  required_roles: z.array(z.string()),
  distinct_actors: z.boolean(),
  escalation_timeout_minutes: z.number().nullable(),
});
export type ProbedWorkflow = z.infer<typeof WorkflowSchema>;

const HookSchema = z.object({
  id: z.number(),
  name: z.string(),
  phase: z.string(),
  command: z.string(),
  env: z.record(z.string(), z.string()),
  timeout_seconds: z.number(),
});
export type ProbedHook = z.infer<typeof HookSchema>;

const GroupSchema = z.object({ id: z.number(), name: z.string(), role: z.string(), description: z.string().nullable() });
const GroupDetailSchema = GroupSchema.extend({ members: z.array(z.object({ id: z.number(), email: z.string() })) });
const GatewayRoleSchema = z.object({ gateway_name: z.string(), role: z.string() });
export type ProbedGroup = z.infer<typeof GroupDetailSchema> & { gatewayRoles: Array<z.infer<typeof GatewayRoleSchema>> };

const CreatedUserSchema = z.object({ id: z.number(), email: z.string() });

/** Epoch ms of a ShoreGuard timestamp; values read back carry no offset and are UTC (findings D3). */
export function serverTimeMs(time: string | null | undefined): number {
  if (!time) return Number.NaN;
  return Date.parse(/(Z|[+-]\d\d:\d\d)$/.test(time) ? time : `${time}Z`);
}

function sandboxPath(gateway: string, sandbox: string): string {
  return `/api/gateways/${encodeURIComponent(gateway)}/sandboxes/${encodeURIComponent(sandbox)}`;
}

export class ServerProbe {
  constructor(
    readonly url: string,
    private readonly keyOf: (principal: Principal) => string,
  ) {}

  /** One request as `principal`; JSON in, JSON (when there is any) out. */
  async request(method: string, path: string, options: { as?: Principal; body?: unknown } = {}): Promise<ProbeReply> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.keyOf(options.as ?? 'admin')}` };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, text, body };
  }

  /** Like `request`, but a status outside `expected` is an error naming the call and the reply. */
  async expect(expected: readonly number[], method: string, path: string, options: { as?: Principal; body?: unknown } = {}): Promise<ProbeReply> {
    const reply = await this.request(method, path, options);
    if (!expected.includes(reply.status)) {
      throw new ProbeError(`${method} ${path}: expected HTTP ${expected.join('/')}, got ${reply.status}: ${reply.text.slice(0, 400)}`);
    }
    return reply;
  }

  async gateways(): Promise<ProbedGateway[]> {
    const reply = await this.expect([200], 'GET', '/api/gateway/list');
    return z.object({ items: z.array(GatewaySchema) }).parse(reply.body).items;
  }

  /** The active pin, or null (404). */
  async pin(gateway: string, sandbox: string): Promise<ProbedPin | null> {
    const reply = await this.expect([200, 404], 'GET', `${sandboxPath(gateway, sandbox)}/policy/pin`);
    return reply.status === 404 ? null : PinSchema.parse(reply.body);
  }

  async setPin(gateway: string, sandbox: string, input: { reason: string; expires_at?: string }, as: Principal = 'operator'): Promise<ProbedPin> {
    const reply = await this.expect([200], 'POST', `${sandboxPath(gateway, sandbox)}/policy/pin`, { as, body: input });
    return PinSchema.parse(reply.body);
  }

  async deletePin(gateway: string, sandbox: string, as: Principal = 'operator'): Promise<void> {
    await this.expect([204], 'DELETE', `${sandboxPath(gateway, sandbox)}/policy/pin`, { as });
  }

  /** The workflow, or null (ShoreGuard answers `{}` when there is none). */
  async workflow(gateway: string, sandbox: string): Promise<ProbedWorkflow | null> {
    const reply = await this.expect([200], 'GET', `${sandboxPath(gateway, sandbox)}/approval-workflow`);
    const body = z.record(z.string(), z.unknown()).parse(reply.body);
    return Object.keys(body).length === 0 ? null : WorkflowSchema.parse(body);
  }

  async putWorkflow(gateway: string, sandbox: string, input: { required_approvals: number; required_roles?: string[] }): Promise<ProbedWorkflow> {
    const reply = await this.expect([200], 'PUT', `${sandboxPath(gateway, sandbox)}/approval-workflow`, { body: input });
    return WorkflowSchema.parse(reply.body);
  }

  async hooks(gateway: string, sandbox: string): Promise<ProbedHook[]> {
    const reply = await this.expect([200], 'GET', `${sandboxPath(gateway, sandbox)}/hooks`);
    return z.object({ items: z.array(HookSchema) }).parse(reply.body).items;
  }

  /** Every group with its members and per-gateway roles. */
  async groups(): Promise<ProbedGroup[]> {
    const list = z.array(GroupSchema).parse((await this.expect([200], 'GET', '/api/auth/groups')).body);
    const groups: ProbedGroup[] = [];
    for (const { id } of list) {
      const detail = GroupDetailSchema.parse((await this.expect([200], 'GET', `/api/auth/groups/${id}`)).body);
      const roles = z.array(GatewayRoleSchema).parse((await this.expect([200], 'GET', `/api/auth/groups/${id}/gateway-roles`)).body);
      groups.push({ ...detail, gatewayRoles: roles });
    }
    return groups;
  }

  /** Invites a user (ShoreGuard has no other way to add one over REST); returns its id. */
  async createUser(email: string, role: 'admin' | 'operator' | 'viewer'): Promise<number> {
    const reply = await this.expect([201], 'POST', '/api/auth/users', { body: { email, role } });
    return CreatedUserSchema.parse(reply.body).id;
  }
}
