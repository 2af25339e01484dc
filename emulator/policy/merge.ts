/**
 * `compute_merge_operations` from ShoreGuard's `policy_merge_ops.py` (§10.8) and the gateway side
 * that applies the resulting `remove_rule` / `add_rule` operations to a stored policy.
 */
import {
  compareCodePoints,
  isPyDict,
  pyEquals,
  pyGet,
  pySet,
  pySorted,
  pyStr,
  pyTruthy,
  PythonTypeError,
  type PyValue,
} from '../core/python';
import { normalizeNetworkRule, type PolicyDict } from './model';

/** Raised when merge mode cannot express the change; the route turns it into merge_unsupported. */
export class UnsupportedMergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedMergeError';
  }
}

export type MergeOperation =
  | { type: 'remove_rule'; rule_name: PyValue }
  | { type: 'add_rule'; rule_name: PyValue; rule: PyValue };

const UNSUPPORTED_SECTIONS = ['filesystem', 'process', 'landlock'] as const;

function rejectUnsupportedSections(current: PyValue, target: PyValue): void {
  for (const section of UNSUPPORTED_SECTIONS) {
    if (!pyEquals(pyGet(current, section, null), pyGet(target, section, null))) {
      throw new UnsupportedMergeError(
        `mode=merge cannot express changes to the '${section}' section; use mode=replace for filesystem / process / landlock / version updates`,
      );
    }
  }
  const currentVersion = pyGet(current, 'version', null);
  const targetVersion = pyGet(target, 'version', null);
  const isUnset = (version: PyValue): boolean => pyEquals(version, null) || pyEquals(version, 0);
  if (!isUnset(currentVersion) && !isUnset(targetVersion) && !pyEquals(currentVersion, targetVersion)) {
    throw new UnsupportedMergeError(
      'mode=merge cannot express a version bump; the gateway assigns revisions automatically',
    );
  }
}

/** Python `int(x)` for the endpoint sort key. */
function pyInt(value: PyValue): number {
  if (typeof value === 'boolean') return Number(value);
  if (typeof value === 'number') return Math.trunc(value);
  if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) return Number(value.trim());
  throw new PythonTypeError(`int() argument must be a string or a number, not '${value === null ? 'NoneType' : typeof value}'`);
}

function compareHostPort(a: [PyValue, number], b: [PyValue, number]): number {
  const [hostA, portA] = a;
  const [hostB, portB] = b;
  if (typeof hostA === 'string' && typeof hostB === 'string') {
    const byHost = compareCodePoints(hostA, hostB);
    if (byHost !== 0) return byHost;
  } else if (!pyEquals(hostA, hostB)) {
    throw new PythonTypeError("'<' not supported between endpoint hosts of different types");
  }
  return portA - portB;
}

/** `_normalize_rule`: endpoints sorted by (host, port), binaries by path; other keys dropped. */
function normalizeRuleForComparison(rule: PyValue): PyValue {
  const endpoints = pyGet(rule, 'endpoints', []);
  const endpointList = pyTruthy(endpoints) ? [...pySequence(endpoints)] : [];
  const keyed = endpointList.map((endpoint) => ({
    endpoint,
    key: [pyGet(endpoint, 'host', ''), pyInt(pyGet(endpoint, 'port', 0))] as [PyValue, number],
  }));
  keyed.sort((a, b) => compareHostPort(a.key, b.key));
  const binaries = pyGet(rule, 'binaries', []);
  const binaryList = pyTruthy(binaries) ? [...pySequence(binaries)] : [];
  const keyedBinaries = binaryList.map((binary) => ({ binary, key: pyStr(pyGet(binary, 'path', '')) }));
  keyedBinaries.sort((a, b) => compareCodePoints(a.key, b.key));
  return {
    name: pyGet(rule, 'name', ''),
    endpoints: keyed.map((entry) => entry.endpoint),
    binaries: keyedBinaries.map((entry) => entry.binary),
  };
}

function pySequence(value: PyValue): PyValue[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return Array.from(value);
  if (isPyDict(value)) return Object.keys(value);
  throw new PythonTypeError('object is not iterable');
}

function ruleOf(rules: PyValue, name: PyValue): PyValue {
  if (isPyDict(rules) && typeof name === 'string') return rules[name] as PyValue;
  throw new PythonTypeError('network_policies must be a mapping');
}

export function computeMergeOperations(current: PyValue, target: PyValue): MergeOperation[] {
  rejectUnsupportedSections(current, target);
  const currentRulesRaw = pyGet(current, 'network_policies', {});
  const targetRulesRaw = pyGet(target, 'network_policies', {});
  const currentRules = pyTruthy(currentRulesRaw) ? currentRulesRaw : {};
  const targetRules = pyTruthy(targetRulesRaw) ? targetRulesRaw : {};
  const currentNames = pySet(currentRules);
  const targetNames = pySet(targetRules);
  const has = (names: PyValue[], name: PyValue): boolean => names.some((other) => pyEquals(other, name));

  const removes: MergeOperation[] = pySorted(currentNames.filter((name) => !has(targetNames, name))).map(
    (name) => ({ type: 'remove_rule', rule_name: name }),
  );
  const modifications: MergeOperation[] = [];
  for (const name of pySorted(currentNames.filter((candidate) => has(targetNames, candidate)))) {
    const before = normalizeRuleForComparison(ruleOf(currentRules, name));
    const after = normalizeRuleForComparison(ruleOf(targetRules, name));
    if (pyEquals(before, after)) continue;
    modifications.push({ type: 'remove_rule', rule_name: name });
    modifications.push({ type: 'add_rule', rule_name: name, rule: ruleOf(targetRules, name) });
  }
  const adds: MergeOperation[] = pySorted(targetNames.filter((name) => !has(currentNames, name))).map((name) => ({
    type: 'add_rule',
    rule_name: name,
    rule: ruleOf(targetRules, name),
  }));
  return [...removes, ...modifications, ...adds];
}

/**
 * ShoreGuard converts every `add_rule` body to protobuf before sending (raising on bad types or
 * `*.tld` hosts); the gateway then applies the operations in order to a copy of the live policy.
 */
export function applyMergeOperations(current: PolicyDict, operations: MergeOperation[]): PolicyDict {
  const converted = operations.map((operation) =>
    operation.type === 'add_rule' ? { ...operation, rule: normalizeNetworkRule(operation.rule) } : operation,
  );
  const rules: PolicyDict = { ...((current['network_policies'] as PolicyDict | undefined) ?? {}) };
  for (const operation of converted) {
    const name = pyStr(operation.rule_name);
    if (operation.type === 'remove_rule') delete rules[name];
    else rules[name] = operation.rule;
  }
  const next: PolicyDict = { ...current };
  delete next['network_policies'];
  if (Object.keys(rules).length > 0) next['network_policies'] = rules;
  return next;
}
