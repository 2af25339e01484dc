/**
 * `shoreguard_gateway`: a registered OpenShell gateway. Id = the gateway name.
 *
 * ShoreGuard can change only description and labels in place (PATCH); endpoint, scheme, auth mode,
 * certificates and metadata are fixed at registration, so changing them replaces the gateway. The
 * name stays the same in that case, so the old registration must go first (deleteBeforeReplace).
 * Certificates are never returned by the server: state keeps the values the user gave, and a
 * certificate that disappeared server-side (`has_*` false) shows up as drift. After an import,
 * a configured certificate is assumed to be the one the server holds (see diffKnowingHeldCertificates).
 */
import { z } from 'zod';
import type { Gateway as LiveGateway, RegisterGatewayInput, ShoreGuardClient } from '../../sdk';
import { deleteIgnoringNotFound, hasCode, writeThenSettle } from './calls';
import { sameValue } from './compare';
import { defineBasics } from './define';
import { ResourceError } from './errors';
import type { Attributes, CreateOptions, ResourceContext, ResourceDiff, ResourceHandler } from './types';
import { description, gatewayName, labels, optional, stringMap, withDefault } from './validate';

export const GATEWAY_TYPE = 'shoreguard_gateway';

const MAX_CERT_BYTES = 65_536;
const MAX_METADATA_JSON = 16_384;
const RUNTIMES = ['docker', 'kubernetes', 'libkrun'];
const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

// Messages never echo the value: certificates and keys are secrets.
const certificate = z
  .string({ error: 'must be a PEM or base64 string' })
  .min(1, { error: 'must not be empty (leave it unset instead)' })
  .refine((value) => value.includes('-----BEGIN') || BASE64.test(value), { error: 'must be PEM text (-----BEGIN …) or base64' })
  .refine((value) => Buffer.byteLength(certificateToWire(value), 'base64') <= MAX_CERT_BYTES, {
    error: `must be at most ${MAX_CERT_BYTES} bytes once decoded`,
  });

const endpoint = z
  .string({ error: 'must be a string' })
  .transform((value) => value.trim())
  .refine((value) => /^[a-zA-Z0-9._-]+:\d{1,5}$/.test(value), { error: "must be host:port without a scheme, e.g. '10.0.0.5:8443'" })
  .refine((value) => {
    const port = Number(value.slice(value.lastIndexOf(':') + 1));
    return port >= 1 && port <= 65_535;
  }, { error: 'port must be between 1 and 65535' });

const metadata = stringMap
  .superRefine((value, ctx) => {
    const runtime = value['runtime'];
    if (runtime !== undefined && !RUNTIMES.includes(runtime.toLowerCase())) {
      ctx.addIssue({ code: 'custom', message: `metadata.runtime must be one of ${RUNTIMES.join(', ')} (got ${JSON.stringify(runtime)})` });
    }
    if (JSON.stringify(value).length > MAX_METADATA_JSON) ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_METADATA_JSON} bytes as JSON` });
  })
  // ShoreGuard stores metadata.runtime lower-cased; do the same so a refresh shows no diff.
  .transform((value) => (value['runtime'] === undefined ? value : { ...value, runtime: value['runtime'].toLowerCase() }));

const inputSchema = z.object({
  name: gatewayName,
  endpoint,
  scheme: withDefault(z.enum(['http', 'https'], { error: 'must be http or https' }), 'https'),
  auth_mode: withDefault(z.enum(['mtls', 'api_key', 'none', 'insecure'], { error: 'must be one of mtls, api_key, none, insecure' }), 'mtls'),
  ca_cert: optional(certificate),
  client_cert: optional(certificate),
  client_key: optional(certificate),
  metadata: optional(metadata),
  description: optional(description),
  labels: optional(labels),
});

export type GatewayInputs = z.output<typeof inputSchema>;

export type GatewayState = GatewayInputs & {
  id: string;
  has_ca_cert: boolean;
  has_client_cert: boolean;
  has_client_key: boolean;
  registered_at: string | null;
  last_seen: string | null;
  last_status: string | null;
  runtime: string | null;
  connected: boolean;
  status: string | null;
};

const REPLACE_ON = ['name', 'endpoint', 'scheme', 'auth_mode', 'ca_cert', 'client_cert', 'client_key', 'metadata'] as const;

const basics = defineBasics<GatewayInputs>({
  type: GATEWAY_TYPE,
  inputs: inputSchema,
  replaceOn: REPLACE_ON,
  // Same name, new registration: the old one must be unregistered first (names are unique).
  deleteFirst: (replaces) => !replaces.includes('name'),
});

/** PEM text is base64-encoded for the wire; base64 input is sent as is (whitespace removed). */
export function certificateToWire(value: string): string {
  return value.includes('-----BEGIN') ? Buffer.from(value, 'utf8').toString('base64') : value.replace(/\s+/g, '');
}

/** Metadata values as strings (schema.json declares map(string); the server allows any JSON). */
function metadataToStrings(value: Readonly<Record<string, unknown>>): Record<string, string> | null {
  const entries = Object.entries(value);
  if (entries.length === 0) return null;
  return Object.fromEntries(entries.map(([key, item]) => [key, typeof item === 'string' ? item : JSON.stringify(item)]));
}

function nonEmptyMap(value: Readonly<Record<string, string>>): Record<string, string> | null {
  return Object.keys(value).length === 0 ? null : { ...value };
}

/**
 * State from the live gateway. Certificates come from `prior` (the server never returns them) unless
 * the server says it holds none any more.
 */
export function gatewayState(live: LiveGateway, prior: Attributes | undefined): GatewayState {
  const certificateFrom = (name: 'ca_cert' | 'client_cert' | 'client_key', held: boolean): string | null => {
    const value = prior?.[name];
    return held && typeof value === 'string' ? value : null;
  };
  const state: GatewayState = {
    id: live.name,
    name: live.name,
    endpoint: live.endpoint,
    scheme: (live.scheme ?? 'https') as GatewayInputs['scheme'],
    auth_mode: (live.authMode ?? 'mtls') as GatewayInputs['auth_mode'],
    ca_cert: certificateFrom('ca_cert', live.hasCaCert),
    client_cert: certificateFrom('client_cert', live.hasClientCert),
    client_key: certificateFrom('client_key', live.hasClientKey),
    metadata: metadataToStrings(live.metadata),
    description: live.description,
    labels: nonEmptyMap(live.labels),
    has_ca_cert: live.hasCaCert,
    has_client_cert: live.hasClientCert,
    has_client_key: live.hasClientKey,
    registered_at: live.registeredAt,
    last_seen: live.lastSeen,
    last_status: live.lastStatus,
    runtime: live.runtime,
    connected: live.connected,
    status: live.status,
  };
  return basics.keepSpelling(prior, state);
}

function registration(inputs: GatewayInputs): RegisterGatewayInput {
  return {
    name: inputs.name,
    endpoint: inputs.endpoint,
    scheme: inputs.scheme,
    authMode: inputs.auth_mode,
    ...(inputs.ca_cert ? { caCert: certificateToWire(inputs.ca_cert) } : {}),
    ...(inputs.client_cert ? { clientCert: certificateToWire(inputs.client_cert) } : {}),
    ...(inputs.client_key ? { clientKey: certificateToWire(inputs.client_key) } : {}),
    ...(inputs.metadata ? { metadata: inputs.metadata } : {}),
    ...(inputs.description !== null ? { description: inputs.description } : {}),
    ...(inputs.labels ? { labels: inputs.labels } : {}),
  };
}

function describeLive(live: LiveGateway): string {
  return `endpoint ${live.endpoint}, registered at ${live.registeredAt ?? 'an unknown time'}, status ${live.status ?? 'unknown'}`;
}

/** Fields fixed at registration where the live gateway differs from the inputs (certificates by presence). */
function fixedFieldMismatches(live: LiveGateway, inputs: GatewayInputs): string[] {
  const problems: string[] = [];
  if (live.endpoint !== inputs.endpoint) problems.push(`endpoint is ${live.endpoint}, the inputs say ${inputs.endpoint}`);
  if ((live.scheme ?? 'https') !== inputs.scheme) problems.push(`scheme is ${live.scheme}, the inputs say ${inputs.scheme}`);
  if ((live.authMode ?? 'mtls') !== inputs.auth_mode) problems.push(`auth_mode is ${live.authMode}, the inputs say ${inputs.auth_mode}`);
  if (!sameValue(metadataToStrings(live.metadata), inputs.metadata)) problems.push('metadata differs');
  const certs: [string, boolean, string | null][] = [
    ['ca_cert', live.hasCaCert, inputs.ca_cert],
    ['client_cert', live.hasClientCert, inputs.client_cert],
    ['client_key', live.hasClientKey, inputs.client_key],
  ];
  for (const [name, held, given] of certs) {
    if (held !== (given !== null)) problems.push(`${name} is ${held ? 'stored' : 'not stored'} in ShoreGuard but ${given !== null ? 'given' : 'not given'} in the inputs`);
  }
  return problems;
}

/** PATCHes description/labels when they differ from the live gateway. */
async function patchMutable(client: ShoreGuardClient, live: LiveGateway, inputs: GatewayInputs): Promise<LiveGateway> {
  const patch = {
    ...(sameValue(live.description, inputs.description) ? {} : { description: inputs.description }),
    ...(sameValue(nonEmptyMap(live.labels), inputs.labels) ? {} : { labels: inputs.labels }),
  };
  return Object.keys(patch).length === 0 ? live : client.gateways.update(live.name, patch);
}

async function adopt(ctx: ResourceContext, inputs: GatewayInputs, live: LiveGateway): Promise<GatewayState> {
  const mismatches = fixedFieldMismatches(live, inputs);
  if (mismatches.length > 0) {
    throw new ResourceError({
      code: 'adopt_mismatch',
      resourceType: GATEWAY_TYPE,
      summary: `cannot adopt gateway '${inputs.name}': ${mismatches.join('; ')}.`,
      hint: 'These fields are fixed at registration. Make the inputs match the registered gateway to adopt it, or unregister it first.',
    });
  }
  return gatewayState(await patchMutable(ctx.client, live, inputs), inputs);
}

const CERTIFICATES = [
  ['ca_cert', 'has_ca_cert'],
  ['client_cert', 'has_client_cert'],
  ['client_key', 'has_client_key'],
] as const;

/**
 * After an import (or adoption) state holds no certificate text, because ShoreGuard never returns
 * it, only `has_*`. A configured certificate is then taken to be the one the server holds rather
 * than a change that would replace the gateway; the next apply records it in state.
 */
function diffKnowingHeldCertificates(prior: Attributes, inputs: GatewayInputs): ResourceDiff {
  const diff = basics.diff(prior, inputs);
  const unverifiable = new Set<string>(
    CERTIFICATES.filter(([cert, held]) => prior[held] === true && (prior[cert] === null || prior[cert] === undefined) && inputs[cert] !== null).map(([cert]) => cert),
  );
  if (unverifiable.size === 0) return diff;
  const replaces = diff.replaces.filter((name) => !unverifiable.has(name));
  return {
    changed: diff.changed.filter((name) => !unverifiable.has(name)),
    replaces,
    deleteBeforeReplace: replaces.length > 0 && !replaces.includes('name'),
  };
}

export const gatewayHandler: ResourceHandler<GatewayInputs, GatewayState> = {
  ...basics,
  diff: diffKnowingHeldCertificates,

  async create(ctx: ResourceContext, inputs: GatewayInputs, options: CreateOptions = {}): Promise<GatewayState> {
    if (options.adopt) {
      const existing = await ctx.client.gateways.findByName(inputs.name);
      if (existing) return adopt(ctx, inputs, existing);
    }
    try {
      const live = await writeThenSettle(
        () => ctx.client.gateways.register(registration(inputs)),
        async () => {
          const found = await ctx.client.gateways.findByName(inputs.name);
          return found && found.endpoint === inputs.endpoint ? found : null;
        },
      );
      return gatewayState(live, inputs);
    } catch (error) {
      if (!hasCode(error, 'conflict')) throw error;
      const existing = await ctx.client.gateways.findByName(inputs.name);
      throw new ResourceError({
        code: 'already_exists',
        resourceType: GATEWAY_TYPE,
        summary: `gateway '${inputs.name}' is already registered${existing ? ` (${describeLive(existing)})` : ''}.`,
        hint: 'Set adopt: true to manage the existing gateway, or choose another name.',
        cause: error,
      });
    }
  },

  async read(ctx, id, prior) {
    const live = await ctx.client.gateways.findByName(id);
    return live ? gatewayState(live, prior) : null;
  },

  async update(ctx, id, _prior, inputs) {
    const live = await ctx.client.gateways.findByName(id);
    if (!live) {
      throw new ResourceError({ code: 'not_found', resourceType: GATEWAY_TYPE, summary: `gateway '${id}' no longer exists.`, hint: 'Run a refresh; the next update re-registers it.' });
    }
    return gatewayState(await patchMutable(ctx.client, live, inputs), inputs);
  },

  async delete(ctx, id) {
    await deleteIgnoringNotFound(() => ctx.client.gateways.delete(id));
  },

  async importState(ctx, importId) {
    const parsed = gatewayName.safeParse(importId);
    if (!parsed.success) {
      throw new ResourceError({ code: 'invalid_import_id', resourceType: GATEWAY_TYPE, summary: `import id ${JSON.stringify(importId)} is not a gateway name.`, hint: 'Use the gateway name.' });
    }
    const live = await ctx.client.gateways.findByName(importId);
    return live ? gatewayState(live, undefined) : null;
  },
};
