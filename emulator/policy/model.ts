/**
 * The sandbox policy as OpenShell stores it. ShoreGuard converts a policy dict to the protobuf
 * `SandboxPolicy` (`_dict_to_policy`) before writing and back to a dict (`_policy_to_dict`) when
 * reading; `normalizePolicy` performs that round trip so stored policies have exactly the key set
 * a real gateway would hand back (unknown keys dropped, defaults filled, empty optionals omitted).
 */
import { isPyDict, PythonTypeError, pyStrRepr, pyTruthy, pyTypeName, type PyValue } from '../core/python';

export type PolicyDict = { [key: string]: PyValue };

/** Raised for TLD-level host wildcards (`*.com`); ShoreGuard answers 500 with this message (§10.9). */
export class TldWildcardError extends Error {
  constructor(host: string) {
    const suffix = host.slice(2);
    super(`host pattern ${pyStrRepr(host)} wildcards at the TLD level; use a more specific suffix like '*.example.${suffix}'`);
    this.name = 'TldWildcardError';
  }
}

const UINT32_MAX = 0xffffffff;

/** Reads `data.get(key, fallback)` where `data` must be a dict. */
function get(data: PyValue | undefined, key: string, fallback: PyValue): PyValue {
  if (!isPyDict(data)) throw new PythonTypeError(`'${pyTypeName(data)}' object has no attribute 'get'`);
  return Object.prototype.hasOwnProperty.call(data, key) ? (data[key] as PyValue) : fallback;
}

/** A protobuf string field set through a constructor keyword (None means "unset"). */
function protoString(value: PyValue, field: string): string {
  if (value === null) return '';
  if (typeof value !== 'string') throw protoTypeError(value, field, 'str');
  return value;
}

function protoBool(value: PyValue, field: string): boolean {
  if (value === null) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return value !== 0;
  throw protoTypeError(value, field, 'bool');
}

function protoUint32(value: PyValue, field: string): number {
  if (value === null) return 0;
  const numeric = typeof value === 'boolean' ? Number(value) : value;
  if (typeof numeric !== 'number' || !Number.isInteger(numeric)) throw protoTypeError(value, field, 'int');
  if (numeric < 0 || numeric > UINT32_MAX) throw new PythonTypeError(`Value out of range: ${numeric}`);
  return numeric;
}

function protoList<T>(value: PyValue, field: string, convert: (item: PyValue) => T): T[] {
  if (value === null) return [];
  if (!Array.isArray(value)) throw protoTypeError(value, field, 'list');
  return value.map(convert);
}

/** Iterating a value in a Python `for` loop (None is not iterable). */
function iterate(value: PyValue): PyValue[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return Array.from(value);
  if (isPyDict(value)) return Object.keys(value);
  throw new PythonTypeError(`'${pyTypeName(value)}' object is not iterable`);
}

function protoTypeError(value: PyValue, field: string, expected: string): PythonTypeError {
  return new PythonTypeError(`bad argument type for ${field}: expected ${expected}, got ${pyTypeName(value)}`);
}

/** `_validate_host_pattern`: `*.x` with no further dot is a TLD wildcard. */
function validateHostPattern(host: string): void {
  if (host.startsWith('*.') && !host.slice(2).includes('.')) throw new TldWildcardError(host);
}

function queryMatchers(query: PyValue): PolicyDict {
  if (!isPyDict(query)) throw new PythonTypeError(`'${pyTypeName(query)}' object has no attribute 'items'`);
  const matchers: PolicyDict = {};
  for (const [key, matcher] of Object.entries(query)) {
    const glob = protoString(get(matcher, 'glob', ''), 'glob');
    const any = protoList(get(matcher, 'any', []), 'any', (item) => protoString(item, 'any'));
    matchers[key] = { ...(glob ? { glob } : {}), ...(any.length > 0 ? { any } : {}) };
  }
  return matchers;
}

/** `_dict_to_l7_allow` / `_dict_to_l7_deny` followed by the reverse conversion. */
function l7Rule(data: PyValue): PolicyDict {
  const rule: PolicyDict = {
    method: protoString(get(data, 'method', ''), 'method'),
    path: protoString(get(data, 'path', ''), 'path'),
    command: protoString(get(data, 'command', ''), 'command'),
  };
  if (isPyDict(data) && Object.prototype.hasOwnProperty.call(data, 'query')) {
    const query = queryMatchers(data['query'] as PyValue);
    if (Object.keys(query).length > 0) rule['query'] = query;
  }
  return rule;
}

function endpoint(data: PyValue): PolicyDict {
  const host = protoString(get(data, 'host', ''), 'host');
  validateHostPattern(host);
  const port = protoUint32(get(data, 'port', 0), 'port');
  const protocol = protoString(get(data, 'protocol', ''), 'protocol');
  const tls = protoString(get(data, 'tls', ''), 'tls');
  const enforcement = protoString(get(data, 'enforcement', ''), 'enforcement');
  const access = protoString(get(data, 'access', ''), 'access');
  const allowedIps = protoList(get(data, 'allowed_ips', []), 'allowed_ips', (item) => protoString(item, 'allowed_ips'));
  const ports = protoList(get(data, 'ports', []), 'ports', (item) => protoUint32(item, 'ports'));
  const allowEncodedSlash = protoBool(get(data, 'allow_encoded_slash', false), 'allow_encoded_slash');
  const rules = iterate(get(data, 'rules', [])).map((ruleData) => ({ allow: l7Rule(get(ruleData, 'allow', {})) }));
  const denyRules = iterate(get(data, 'deny_rules', [])).map((denyData) => l7Rule(denyData));
  const result: PolicyDict = { host, port };
  if (protocol) result['protocol'] = protocol;
  if (tls) result['tls'] = tls;
  if (enforcement) result['enforcement'] = enforcement;
  if (access) result['access'] = access;
  if (allowEncodedSlash) result['allow_encoded_slash'] = true;
  if (rules.length > 0) result['rules'] = rules;
  if (denyRules.length > 0) result['deny_rules'] = denyRules;
  if (allowedIps.length > 0) result['allowed_ips'] = allowedIps;
  if (ports.length > 0) result['ports'] = ports;
  return result;
}

/** `_dict_to_network_rule` then `_network_rule_to_dict`. */
export function normalizeNetworkRule(data: PyValue): PolicyDict {
  const name = protoString(get(data, 'name', ''), 'name');
  const endpoints = iterate(get(data, 'endpoints', [])).map((endpointData) => endpoint(endpointData));
  const binaries = iterate(get(data, 'binaries', [])).map((binary) => ({ path: protoString(get(binary, 'path', ''), 'path') }));
  return { name, endpoints, binaries };
}

/**
 * `_policy_to_dict(_dict_to_policy(data))`. Throws `PythonTypeError` where the Python conversion
 * raises (ShoreGuard turns that into a 500) and `TldWildcardError` for `*.tld` hosts.
 */
export function normalizePolicy(data: PolicyDict): PolicyDict {
  const result: PolicyDict = { version: 0 };
  if ('version' in data) {
    const version = data['version'] as PyValue;
    if (version === null) throw protoTypeError(version, 'version', 'int');
    result['version'] = protoUint32(version, 'version');
  }
  if ('filesystem' in data || 'filesystem_policy' in data) {
    const primary = (data['filesystem'] as PyValue | undefined) ?? null;
    // `data.get("filesystem") or data.get("filesystem_policy", {})`
    const fs = pyTruthy(primary) ? primary : 'filesystem_policy' in data ? (data['filesystem_policy'] as PyValue) : {};
    result['filesystem'] = {
      include_workdir: protoBool(get(fs, 'include_workdir', false), 'include_workdir'),
      read_only: protoList(get(fs, 'read_only', []), 'read_only', (item) => protoString(item, 'read_only')),
      read_write: protoList(get(fs, 'read_write', []), 'read_write', (item) => protoString(item, 'read_write')),
    };
  }
  if ('process' in data) {
    const process = data['process'] as PyValue;
    result['process'] = {
      run_as_user: protoString(get(process, 'run_as_user', ''), 'run_as_user'),
      run_as_group: protoString(get(process, 'run_as_group', ''), 'run_as_group'),
    };
  }
  if ('landlock' in data) {
    result['landlock'] = { compatibility: protoString(get(data['landlock'] as PyValue, 'compatibility', ''), 'compatibility') };
  }
  if ('network_policies' in data) {
    const networkPolicies = data['network_policies'] as PyValue;
    if (!isPyDict(networkPolicies)) {
      throw new PythonTypeError(`'${pyTypeName(networkPolicies)}' object has no attribute 'items'`);
    }
    const rules: PolicyDict = {};
    for (const [key, rule] of Object.entries(networkPolicies)) rules[key] = normalizeNetworkRule(rule);
    if (Object.keys(rules).length > 0) result['network_policies'] = rules;
  }
  return result;
}
