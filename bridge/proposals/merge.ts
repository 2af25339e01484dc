/**
 * A draft chunk as the change it makes to a policy document: the rule merged into
 * `network_policies` the way the OpenShell gateway merges an approved chunk (`add_rule`: into the
 * rule of the chunk's name, else into the first rule sharing an endpoint, else as a new rule under
 * the chunk's name). Only `policy.network_policies` changes; `metadata` (the lock) is left alone,
 * so `plan`/`apply` of the pull request carry the lock of the revision the proposal was made on.
 */
import { liveRuleMap, liveRules, mergeTarget, ruleCoveredBy, toPolicyRule, type DraftChunk, type DraftRule } from '../../sdk';
import type { Policy, PolicyDocument } from '../document/document';
import { isMapping } from '../core/json';

type Obj = Record<string, unknown>;

/** What merging one chunk did to the document. */
export interface ProposalChange {
  /** `added`: a new rule; `extended`: endpoints/L7 rules/binaries added to an existing rule; `in_file`: the file already allows it. */
  readonly change: 'added' | 'extended' | 'in_file';
  /** The `network_policies` key the rule lands under (or already lives under). */
  readonly ruleKey: string | null;
}

/** Whether the document's network rules already allow everything the chunk proposes. */
export function documentCoversRule(policy: Policy, rule: DraftRule): boolean {
  try {
    return ruleCoveredBy(rule, liveRules(policy as { network_policies?: unknown }));
  } catch {
    // A rule shape the SDK's reader does not accept cannot be proven to cover anything.
    return false;
  }
}

/**
 * The document with the chunk's rule merged in, and what changed. Never mutates `document`.
 * @throws TypeError for a chunk without a rule with endpoints (callers check `isMergeable` first);
 *   ZodError when the document's network rules cannot be read as rules (an endpoint without host).
 */
export function mergeChunk(document: PolicyDocument, chunk: DraftChunk): { readonly document: PolicyDocument; readonly result: ProposalChange } {
  const rule = chunk.rule;
  if (rule === null || rule.endpoints.length === 0) throw new TypeError(`chunk ${chunk.id} has no rule to merge`);
  if (documentCoversRule(document.policy, rule)) return { document, result: { change: 'in_file', ruleKey: coveringKey(document.policy, rule) } };

  const incoming = toPolicyRule(rule, chunk.ruleName) as unknown as Obj;
  const rules: Record<string, Obj> = {};
  const existing = document.policy.network_policies;
  if (isMapping(existing)) for (const [key, value] of Object.entries(existing)) rules[key] = clone(value) as Obj;

  // Where the gateway itself would put it (OpenShell add_rule placement, sdk mergeTarget).
  const placement = mergeTarget(chunk.ruleName, rule, liveRuleMap(document.policy as { network_policies?: unknown }));
  const key = placement.how === 'new' ? undefined : placement.key;
  let change: ProposalChange['change'];
  let ruleKey: string;
  if (key === undefined) {
    rules[chunk.ruleName] = incoming;
    change = 'added';
    ruleKey = chunk.ruleName;
  } else {
    rules[key] = extendRule(rules[key] ?? {}, incoming);
    change = 'extended';
    ruleKey = key;
  }
  const policy = { ...document.policy, network_policies: rules } as Policy;
  return { document: { ...document, policy }, result: { change, ruleKey } };
}

/** A chunk the bridge can write into a file: a rule with at least one endpoint. */
export function isMergeable(chunk: DraftChunk): boolean {
  return chunk.rule !== null && chunk.rule.endpoints.length > 0;
}

function coveringKey(policy: Policy, rule: DraftRule): string | null {
  const map = policy.network_policies;
  if (!isMapping(map)) return null;
  for (const [key, value] of Object.entries(map)) {
    try {
      if (ruleCoveredBy(rule, liveRules({ network_policies: { [key]: value } }))) return key;
    } catch {
      // not a readable rule
    }
  }
  return null;
}

// Not structuredClone: it builds objects of another realm under jest, which the emitter refuses.
function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (isMapping(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clone(v)]));
  return value;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function portsOf(endpoint: Obj): number[] {
  const ports = list(endpoint['ports']).filter((p): p is number => typeof p === 'number' && p > 0);
  if (ports.length > 0) return ports;
  return typeof endpoint['port'] === 'number' && endpoint['port'] > 0 ? [endpoint['port']] : [];
}

function overlap(a: Obj, b: Obj): boolean {
  if (text(a['host']).toLowerCase() !== text(b['host']).toLowerCase()) return false;
  if (text(a['path']) !== text(b['path'])) return false;
  const ports = portsOf(b);
  return portsOf(a).some((port) => ports.includes(port));
}

function sameAllow(a: unknown, b: unknown): boolean {
  const left = isMapping(a) && isMapping(a['allow']) ? a['allow'] : {};
  const right = isMapping(b) && isMapping(b['allow']) ? b['allow'] : {};
  return text(left['method']) === text(right['method']) && text(left['path']) === text(right['path']) && text(left['command']) === text(right['command']);
}

/** The gateway's `merge_endpoint`, limited to what a proposal carries: missing L7 rules, protocol, access. */
function extendEndpoint(existing: Obj, incoming: Obj): Obj {
  const merged: Obj = { ...existing };
  for (const field of ['protocol', 'tls', 'enforcement']) if (text(merged[field]) === '' && text(incoming[field]) !== '') merged[field] = incoming[field];
  const rules = list(merged['rules']);
  const added = list(incoming['rules']).filter((rule) => !rules.some((present) => sameAllow(present, rule)));
  if (added.length > 0) merged['rules'] = [...rules, ...added];
  else if (text(incoming['access']) !== '' && rules.length === 0 && text(merged['access']) === '') merged['access'] = incoming['access'];
  return merged;
}

function extendRule(existing: Obj, incoming: Obj): Obj {
  const endpoints = list(existing['endpoints']).map((e) => (isMapping(e) ? { ...e } : e));
  for (const endpoint of list(incoming['endpoints'])) {
    if (!isMapping(endpoint)) continue;
    const index = endpoints.findIndex((candidate) => isMapping(candidate) && overlap(candidate, endpoint));
    if (index >= 0) endpoints[index] = extendEndpoint(endpoints[index] as Obj, endpoint);
    else endpoints.push(endpoint);
  }
  const binaries = list(existing['binaries']);
  const paths = new Set(binaries.map((b) => (isMapping(b) ? text(b['path']) : '')));
  const newBinaries = list(incoming['binaries']).filter((b) => isMapping(b) && !paths.has(text(b['path'])));
  return { ...existing, endpoints, binaries: [...binaries, ...newBinaries] };
}
