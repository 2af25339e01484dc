/**
 * Gateway management under `/api/gateway` (singular) and `/api/gateways/{gw}/health` (§4).
 */
import { jsonReply, ProblemError, UnhandledServerError, type PydanticError } from '../core/http';
import { compareCodePoints, isPyDict, pyB64DecodedLength, pyJsonDumps, pyStrRepr, type PyValue } from '../core/python';
import { validateBody, type ModelSpec } from '../core/validation';
import { defineRoute, type RequestContext } from '../http/router';
import {
  gatewayDeletedBody,
  gatewayHealthDisconnectedBody,
  GATEWAY_LIST_ITEM_KEYS,
  GATEWAY_RESPONSE_KEYS,
  GATEWAY_RUNTIMES,
  gatewayStatus,
  INVALID_GATEWAY_NAME,
  INVALID_GATEWAY_NAME_PATH_PARAM,
  isValidGatewayName,
  PATCHED_GATEWAY_CONNECTION_FIELDS,
  registerStatus,
  registerResponseTimestamp,
  storedTimestamp,
} from '../quirks';
import type { EmulatorState, GatewayRecord } from '../state';
import { labelsMatch, parseLabelFilters } from './common';

const MAX_DESCRIPTION_LENGTH = 1000;
const MAX_LABELS = 20;
const MAX_LABEL_VALUE_LENGTH = 253;
const MAX_CERT_BYTES = 65_536;
const MAX_METADATA_JSON_BYTES = 16_384;
const LABEL_KEY_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/;
const ENDPOINT_PATTERN = /^[a-zA-Z0-9._-]+:\d{1,5}$/;

/** All fields of a gateway as the registry's `_to_dict` plus the service's connection fields. */
function gatewayFields(state: EmulatorState, gateway: GatewayRecord): Record<string, unknown> {
  const connected = state.isGatewayConnected(gateway.name);
  const runtime = gateway.metadata?.['runtime'];
  return {
    name: gateway.name,
    endpoint: gateway.endpoint,
    scheme: gateway.scheme,
    auth_mode: gateway.authMode,
    has_ca_cert: gateway.hasCaCert,
    has_client_cert: gateway.hasClientCert,
    has_client_key: gateway.hasClientKey,
    metadata: gateway.metadata ?? {},
    description: gateway.description,
    labels: gateway.labels ?? {},
    registered_at: storedTimestamp(gateway.registeredAt),
    last_seen: gateway.lastSeen === null ? null : storedTimestamp(gateway.lastSeen),
    last_status: gateway.lastStatus,
    runtime: typeof runtime === 'string' && runtime ? runtime : null,
    connected,
    status: gatewayStatus(connected, gateway.lastStatus),
  };
}

function pick(fields: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const key of keys) result[key] = fields[key] ?? null;
  return result;
}

function checkNameParam(name: string): void {
  if (!isValidGatewayName(name)) throw new ProblemError(400, INVALID_GATEWAY_NAME_PATH_PARAM);
}

/** Private, loopback, link-local or reserved IPv4 literal (hostnames are not resolved by the emulator). */
function isPrivateHost(host: string): boolean {
  const lowered = host.toLowerCase();
  if (lowered === 'localhost' || lowered === 'localhost.localdomain') return true;
  const octets = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host)?.slice(1).map(Number);
  if (!octets || octets.some((octet) => octet > 255)) return false;
  const [a, b, c] = octets as [number, number, number, number];
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 0 && (c === 0 || c === 2)) ||
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) ||
    (a === 198 && b === 51 && c === 100) ||
    (a === 203 && b === 0 && c === 113) ||
    a >= 240
  );
}

function endpointProblem(localMode: boolean) {
  return (value: PyValue): string | null => {
    const endpoint = String(value);
    if (!endpoint.trim()) return 'endpoint must not be empty';
    const trimmed = endpoint.trim();
    if (!ENDPOINT_PATTERN.test(trimmed)) return "endpoint must be in host:port format (e.g. '10.0.0.5:8443')";
    const separator = trimmed.lastIndexOf(':');
    const host = trimmed.slice(0, separator);
    const port = Number(trimmed.slice(separator + 1));
    if (port < 1 || port > 65535) return 'endpoint port must be between 1 and 65535';
    if (host.toLowerCase().endsWith('.svc.cluster.local')) return null;
    if (isPrivateHost(host) && !localMode) {
      return 'endpoint must not point to a private/loopback address; use a routable IP or hostname';
    }
    return null;
  };
}

function runtimeProblem(value: PyValue): string | null {
  if (typeof value !== 'string' || !value) return 'runtime must be a non-empty string';
  if (!(GATEWAY_RUNTIMES as readonly string[]).includes(value.toLowerCase())) {
    return `runtime ${pyStrRepr(value)} is not recognised; known runtimes: ${GATEWAY_RUNTIMES.join(', ')}`;
  }
  return null;
}

function registerSpec(localMode: boolean): ModelSpec {
  const optionalString = { spec: { kind: 'str' as const }, nullable: true };
  return {
    name: { spec: { kind: 'str' }, required: true },
    endpoint: {
      spec: { kind: 'str' },
      required: true,
      check: endpointProblem(localMode),
      transform: (value) => String(value).trim(),
    },
    scheme: {
      spec: { kind: 'str' },
      default: 'https',
      check: (value) => (value === 'http' || value === 'https' ? null : "scheme must be 'http' or 'https'"),
    },
    auth_mode: {
      spec: { kind: 'str' },
      nullable: true,
      default: 'mtls',
      check: (value) =>
        ['mtls', 'api_key', 'none', 'insecure'].includes(String(value))
          ? null
          : "auth_mode must be one of ('mtls', 'api_key', 'none', 'insecure') or null",
    },
    ca_cert: optionalString,
    client_cert: optionalString,
    client_key: optionalString,
    metadata: {
      spec: { kind: 'dict' },
      nullable: true,
      check: (value) => (isPyDict(value) && 'runtime' in value ? runtimeProblem(value['runtime'] as PyValue) : null),
      transform: (value) =>
        isPyDict(value) && typeof value['runtime'] === 'string' ? { ...value, runtime: value['runtime'].toLowerCase() } : value,
    },
    description: optionalString,
    labels: { spec: { kind: 'dict', value: { kind: 'str' } }, nullable: true },
  };
}

const PATCH_SPEC: ModelSpec = {
  description: { spec: { kind: 'str' }, nullable: true },
  labels: { spec: { kind: 'dict', value: { kind: 'str' } }, nullable: true },
};

function validateDescription(description: PyValue): void {
  if (typeof description === 'string' && Array.from(description).length > MAX_DESCRIPTION_LENGTH) {
    throw new ProblemError(400, `description exceeds maximum length of ${MAX_DESCRIPTION_LENGTH}`);
  }
}

function validateLabels(labels: PyValue): void {
  if (!isPyDict(labels)) return;
  const entries = Object.entries(labels);
  if (entries.length > MAX_LABELS) throw new ProblemError(400, `Too many labels (max ${MAX_LABELS})`);
  for (const [key, value] of entries) {
    const candidate = key.endsWith('\n') ? key.slice(0, -1) : key;
    if (!LABEL_KEY_PATTERN.test(candidate)) {
      throw new ProblemError(400, `Invalid label key '${key}': must match [a-zA-Z0-9][a-zA-Z0-9._-]* (max 63 chars)`);
    }
    if (Array.from(String(value)).length > MAX_LABEL_VALUE_LENGTH) {
      throw new ProblemError(400, `Label value for '${key}' exceeds maximum length of ${MAX_LABEL_VALUE_LENGTH}`);
    }
  }
}

function certificatePresent(values: Record<string, PyValue>, field: 'ca_cert' | 'client_cert' | 'client_key'): boolean {
  const value = values[field];
  return typeof value === 'string' && value.length > 0;
}

/** Decodes the certificate fields like the handler: bad base64 first, then the size limit. */
function validateCertificates(values: Record<string, PyValue>): void {
  const sizes: Array<[string, number]> = [];
  for (const field of ['ca_cert', 'client_cert', 'client_key'] as const) {
    if (!certificatePresent(values, field)) continue;
    const decoded = pyB64DecodedLength(String(values[field]));
    if ('error' in decoded) throw new ProblemError(400, `Invalid base64 in certificate field: ${decoded.error}`);
    sizes.push([field, decoded.length]);
  }
  for (const [field, length] of sizes) {
    if (length > MAX_CERT_BYTES) throw new ProblemError(400, `${field} exceeds maximum size of ${MAX_CERT_BYTES} bytes`);
  }
}

interface RegisterInput {
  values: Record<string, PyValue>;
}

export const gatewayRoutes = [
  defineRoute({
    method: 'GET',
    path: '/api/gateway/list',
    auth: 'required',
    handle: (context) => {
      const filters = parseLabelFilters(context.query.getAll('label'));
      const runtimeFilter = context.query.get('runtime');
      let runtime: string | null = null;
      if (runtimeFilter !== null) {
        const problem = runtimeProblem(runtimeFilter);
        if (problem) throw new ProblemError(400, problem);
        runtime = runtimeFilter.toLowerCase();
      }
      const items = [...context.state.gateways.values()]
        .sort((a, b) => compareCodePoints(a.name, b.name))
        .map((gateway) => gatewayFields(context.state, gateway))
        .filter((fields) => labelsMatch(fields['labels'] as Record<string, string>, filters))
        .filter((fields) => runtime === null || fields['runtime'] === runtime)
        .map((fields) => pick(fields, GATEWAY_LIST_ITEM_KEYS));
      return jsonReply(200, { items, total: items.length });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/gateway/{name}/info',
    auth: 'required',
    handle: (context) => {
      const name = context.params['name'] ?? '';
      checkNameParam(name);
      const gateway = context.state.gateways.get(name);
      if (!gateway) throw new UnhandledServerError(`GatewayResponse validation failed for unknown gateway '${name}'`);
      const fields = gatewayFields(context.state, gateway);
      fields['configured'] = true;
      fields['version'] = fields['connected'] ? context.settings.gatewayVersion : null;
      return jsonReply(200, pick(fields, GATEWAY_RESPONSE_KEYS));
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/gateway/register',
    auth: 'required',
    minRole: 'admin',
    jsonBody: true,
    parse: (context, errors) => validateBody(registerSpec(context.settings.localMode), context.body, errors),
    handle: (context: RequestContext, input: RegisterInput) => {
      const values = input.values;
      const name = String(values['name']);
      if (!isValidGatewayName(name)) throw new ProblemError(400, INVALID_GATEWAY_NAME);
      validateCertificates(values);
      validateDescription(values['description'] ?? null);
      validateLabels(values['labels'] ?? null);
      const metadata = values['metadata'] ?? null;
      if (metadata !== null && pyJsonDumps(metadata).length > MAX_METADATA_JSON_BYTES) {
        throw new ProblemError(400, `metadata exceeds maximum size of ${MAX_METADATA_JSON_BYTES} bytes`);
      }
      if (context.state.gateways.has(name)) {
        throw new ProblemError(409, `Gateway '${name}' is already registered`, { code: 'CONFLICT' });
      }
      const labels = values['labels'];
      const record = context.state.insertGateway({
        name,
        endpoint: String(values['endpoint']),
        scheme: String(values['scheme']),
        authMode: (values['auth_mode'] as string | null) ?? null,
        hasCaCert: certificatePresent(values, 'ca_cert'),
        hasClientCert: certificatePresent(values, 'client_cert'),
        hasClientKey: certificatePresent(values, 'client_key'),
        metadata: isPyDict(metadata) && Object.keys(metadata).length > 0 ? metadata : null,
        description: (values['description'] as string | null) ?? null,
        labels: isPyDict(labels) && Object.keys(labels).length > 0 ? (labels as Record<string, string>) : null,
      });
      // The row stays unprobed (last_status "unknown", last_seen null, findings D13); only the
      // response's registered_at is formatted fresh, with an offset (findings D3).
      const connected = context.state.isGatewayConnected(name);
      const fields = gatewayFields(context.state, record);
      fields['registered_at'] = registerResponseTimestamp(record.registeredAt);
      fields['connected'] = connected;
      fields['status'] = registerStatus(connected);
      return jsonReply(201, pick(fields, GATEWAY_RESPONSE_KEYS));
    },
  }),
  defineRoute({
    method: 'PATCH',
    path: '/api/gateway/{name}',
    auth: 'required',
    minRole: 'admin',
    jsonBody: true,
    parse: (context, errors: PydanticError[]) => validateBody(PATCH_SPEC, context.body, errors),
    handle: (context, input: { values: Record<string, PyValue>; fieldsSet: Set<string> }) => {
      const name = context.params['name'] ?? '';
      checkNameParam(name);
      if (input.fieldsSet.size === 0) throw new ProblemError(400, 'No fields to update');
      if (input.fieldsSet.has('description')) validateDescription(input.values['description'] ?? null);
      if (input.fieldsSet.has('labels')) validateLabels(input.values['labels'] ?? null);
      const gateway = context.state.gateways.get(name);
      if (!gateway) throw new ProblemError(404, `Gateway '${name}' not found`);
      if (input.fieldsSet.has('description')) gateway.description = (input.values['description'] as string | null) ?? null;
      if (input.fieldsSet.has('labels')) {
        const labels = input.values['labels'];
        gateway.labels = isPyDict(labels) && Object.keys(labels).length > 0 ? (labels as Record<string, string>) : null;
      }
      const fields = { ...gatewayFields(context.state, gateway), ...PATCHED_GATEWAY_CONNECTION_FIELDS };
      return jsonReply(200, pick(fields, GATEWAY_RESPONSE_KEYS));
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/api/gateway/{name}',
    auth: 'required',
    minRole: 'admin',
    handle: (context) => {
      const name = context.params['name'] ?? '';
      checkNameParam(name);
      if (!context.state.unregisterGateway(name)) throw new ProblemError(404, `Gateway '${name}' not found`);
      return jsonReply(200, gatewayDeletedBody(name));
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/gateways/{gw}/health',
    auth: 'required',
    gatewayScoped: true,
    handle: (context) => {
      const gateway = context.gateway ?? '';
      if (!context.state.isGatewayConnected(gateway)) return jsonReply(503, gatewayHealthDisconnectedBody(gateway));
      return jsonReply(200, { status: 'healthy', version: context.settings.gatewayVersion });
    },
  }),
];
