/**
 * OpenShell's side of the draft-policy flow, as the gateway (NVIDIA/OpenShell, the version
 * ShoreGuard 0.40.0's protos come from) implements it: how an approved chunk's rule is merged into
 * the live policy (`merge.rs` `add_rule`: by rule name, else folded into a rule sharing an
 * endpoint; endpoints normalised so `ports` lists the port), how undo / reject-after-approve remove
 * it (`RemoveBinary`), and the security notes the gateway writes on every submitted chunk.
 *
 * Works on plain objects in either of the two shapes a policy has here: ShoreGuard's dict form
 * (the emulator) or a decoded protobuf message (the fake OpenShell gateway). Absent fields read
 * as their protobuf defaults; every field is written, and the caller's normaliser drops defaults.
 */
import { isIP } from 'node:net';

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObj(value)) {
    return `{${Object.keys(value)
      .filter((key) => value[key] !== undefined && value[key] !== '' && value[key] !== false && !(Array.isArray(value[key]) && (value[key] as unknown[]).length === 0))
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Structural equality with protobuf-default fields ignored (`""`, `false`, `[]` = absent). */
function sameMessage(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function uniqueBy<T>(items: readonly T[], same: (a: T, b: T) => boolean): T[] {
  const out: T[] = [];
  for (const item of items) if (!out.some((existing) => same(existing, item))) out.push(item);
  return out;
}

function canonicalPorts(endpoint: Obj): number[] {
  const ports = list(endpoint['ports']).map(num).filter((port) => port > 0);
  if (ports.length > 0) return ports;
  const port = num(endpoint['port']);
  return port > 0 ? [port] : [];
}

/** `normalize_endpoint`: ports sorted and unique, `port` = the first; lists de-duplicated. */
function normalizeEndpoint(endpoint: Obj): Obj {
  const ports = [...new Set(canonicalPorts(endpoint))].sort((a, b) => a - b);
  return {
    ...endpoint,
    port: ports[0] ?? 0,
    ports,
    allowed_ips: [...new Set(list(endpoint['allowed_ips']).map(str))],
    rules: uniqueBy(list(endpoint['rules']), sameMessage),
    deny_rules: uniqueBy(list(endpoint['deny_rules']), sameMessage),
  };
}

function dedupBinaries(binaries: unknown[]): Obj[] {
  return uniqueBy(binaries.filter(isObj), (a, b) => str(a['path']) === str(b['path']));
}

function endpointsOverlap(left: Obj, right: Obj): boolean {
  if (str(left['host']).toLowerCase() !== str(right['host']).toLowerCase()) return false;
  if (str(left['path']) !== str(right['path'])) return false;
  const rightPorts = canonicalPorts(right);
  return canonicalPorts(left).some((port) => rightPorts.includes(port));
}

function rulesShareEndpoint(existing: Obj, incoming: Obj): boolean {
  return list(incoming['endpoints']).filter(isObj).some((inc) => list(existing['endpoints']).filter(isObj).some((ex) => endpointsOverlap(ex, inc)));
}

/** Thrown where the gateway answers a merge with an error (INVALID_ARGUMENT upstream). */
export class DraftMergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DraftMergeError';
  }
}

/** `merge_endpoint`: unset strings filled from the incoming endpoint, lists appended without repeats. */
function mergeEndpoint(existing: Obj, incoming: Obj): Obj {
  const merged: Obj = { ...existing };
  for (const key of ['host', 'path', 'protocol', 'enforcement', 'tls']) {
    if (!str(merged[key]) && str(incoming[key])) merged[key] = incoming[key];
  }
  merged['ports'] = [...canonicalPorts(existing), ...canonicalPorts(incoming)];
  const incomingRules = list(incoming['rules']);
  if (incomingRules.length > 0) {
    if (str(merged['access']) && list(merged['rules']).length === 0) {
      // expand_existing_access needs the preset tables; the draft flow never proposes one on top of rules.
      throw new DraftMergeError(`cannot add L7 rules to an endpoint that uses access preset '${str(merged['access'])}'`);
    }
    merged['rules'] = [...list(merged['rules']), ...incomingRules];
  } else if (str(incoming['access']) && list(merged['rules']).length === 0 && !str(merged['access'])) {
    merged['access'] = incoming['access'];
  }
  merged['deny_rules'] = [...list(merged['deny_rules']), ...list(incoming['deny_rules'])];
  merged['allowed_ips'] = [...list(merged['allowed_ips']), ...list(incoming['allowed_ips'])];
  if (incoming['allow_encoded_slash'] === true) merged['allow_encoded_slash'] = true;
  return normalizeEndpoint(merged);
}

/**
 * `add_rule(policy, rule_name, rule)`: the incoming rule (endpoints normalised, its name defaulted
 * to `rule_name`) is merged into the rule of that name, else into the first rule (by key) sharing
 * an endpoint, else inserted under `rule_name`. Returns a new policy object.
 */
export function addRuleToPolicy<P extends { network_policies?: unknown }>(policy: P, ruleName: string, rule: Obj): P {
  if (!ruleName.trim()) throw new DraftMergeError('add_rule requires a rule name');
  const incoming: Obj = {
    ...rule,
    name: str(rule['name']) || ruleName,
    endpoints: list(rule['endpoints']).filter(isObj).map(normalizeEndpoint),
    binaries: dedupBinaries(list(rule['binaries'])),
  };
  const rules: Record<string, Obj> = { ...(isObj(policy.network_policies) ? (policy.network_policies as Record<string, Obj>) : {}) };
  const target =
    ruleName in rules
      ? ruleName
      : Object.keys(rules)
          .sort()
          .filter((key) => !key.startsWith('_provider_'))
          .find((key) => rulesShareEndpoint(rules[key] ?? {}, incoming));
  if (target === undefined) {
    rules[ruleName] = incoming;
  } else {
    const existing = rules[target] ?? {};
    const endpoints = list(existing['endpoints']).filter(isObj).map((endpoint) => ({ ...endpoint }));
    for (const endpoint of list(incoming['endpoints']).filter(isObj)) {
      const index = endpoints.findIndex((candidate) => endpointsOverlap(candidate, endpoint));
      if (index >= 0) endpoints[index] = mergeEndpoint(endpoints[index] ?? {}, endpoint);
      else endpoints.push(endpoint);
    }
    rules[target] = { ...existing, endpoints, binaries: dedupBinaries([...list(existing['binaries']), ...list(incoming['binaries'])]) };
  }
  return { ...policy, network_policies: rules };
}

/** `RemoveBinary{rule_name, binary_path}`: drops the binary; the rule goes when it held the last one. */
export function removeBinaryFromPolicy<P extends { network_policies?: unknown }>(policy: P, ruleName: string, binaryPath: string): P {
  if (!isObj(policy.network_policies)) return policy;
  const rules = { ...(policy.network_policies as Record<string, Obj>) };
  const rule = rules[ruleName];
  if (!rule) return policy;
  const before = list(rule['binaries']).filter(isObj);
  const after = before.filter((binary) => str(binary['path']) !== binaryPath);
  if (after.length === before.length) return policy;
  if (after.length === 0) delete rules[ruleName];
  else rules[ruleName] = { ...rule, binaries: after };
  return { ...policy, network_policies: rules };
}

function ipv4Internal(host: string): boolean {
  const [a = 0, b = 0] = host.split('.').map(Number);
  return (
    a === 10 ||
    a === 127 ||
    a === 0 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 169 && b === 254) ||
    (a === 100 && b >= 64 && b <= 127)
  );
}

function ipv6Internal(host: string): boolean {
  const h = host.toLowerCase();
  return h === '::1' || h === '::' || h.startsWith('fc') || h.startsWith('fd') || h.startsWith('fe8') || h.startsWith('fe9') || h.startsWith('fea') || h.startsWith('feb');
}

const DB_PORTS = [5432, 3306, 6379, 27017, 9200, 11211, 5672];

/** `generate_security_notes(host, port)`: what the gateway flags on a submitted chunk ("" = nothing). */
export function generateSecurityNotes(host: string, port: number): string {
  const notes: string[] = [];
  const family = isIP(host);
  if ((family === 4 && ipv4Internal(host)) || (family === 6 && ipv6Internal(host)) || host === 'localhost') {
    notes.push(`Destination '${host}' appears to be an internal/private address.`);
  }
  if (host.includes('*')) notes.push(`Host '${host}' contains a wildcard — this may match unintended destinations.`);
  if (port > 49152) notes.push(`Port ${port} is in the ephemeral range — this may be a temporary service.`);
  if (DB_PORTS.includes(port)) notes.push(`Port ${port} is a well-known database/service port.`);
  return notes.join(' ');
}

/** The `(host, port, binary)` the gateway indexes a chunk by: the rule's first endpoint and first binary. */
export function chunkKey(rule: Obj): { host: string; port: number; binary: string } {
  const endpoint = list(rule['endpoints']).find(isObj) ?? {};
  const binary = list(rule['binaries']).find(isObj) ?? {};
  return { host: str(endpoint['host']).toLowerCase(), port: num(endpoint['port']), binary: str(binary['path']) };
}
