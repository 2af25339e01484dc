/**
 * "Is this proposed rule already in effect?" — the check OpenShell itself uses to close pending
 * chunks once a policy revision covers them (`policy_covers_rule` in openshell-policy), applied to
 * ShoreGuard's dict form of a policy. A proposed rule is covered when every one of its endpoints
 * overlaps an endpoint of one live rule (same host, case-insensitive; same path; a shared port),
 * that endpoint allows each proposed method + path, and that rule lists every proposed binary.
 */
import { z } from 'zod';
import { type DraftEndpoint, type DraftRule, draftRuleSchema } from './approvals';

function portsOf(endpoint: DraftEndpoint): readonly number[] {
  if (endpoint.ports.length > 0) return endpoint.ports;
  return endpoint.port > 0 ? [endpoint.port] : [];
}

function endpointsOverlap(live: DraftEndpoint, proposed: DraftEndpoint): boolean {
  if (live.host.toLowerCase() !== proposed.host.toLowerCase()) return false;
  if ((live.path ?? '') !== (proposed.path ?? '')) return false;
  const livePorts = portsOf(live);
  return portsOf(proposed).some((port) => livePorts.includes(port));
}

// An access preset (`read-write`) does not count as covering explicit rules: conservative, as upstream.
function l7Covers(live: DraftEndpoint, proposed: DraftEndpoint): boolean {
  return proposed.rules.every((wanted) => live.rules.some((rule) => rule.method === wanted.method && rule.path === wanted.path));
}

/** True when `proposed` is already allowed by one of the `live` rules. A rule without endpoints never is. */
export function ruleCoveredBy(proposed: DraftRule, live: readonly DraftRule[]): boolean {
  if (proposed.endpoints.length === 0) return false;
  return proposed.endpoints.every((target) =>
    live.some(
      (rule) =>
        rule.endpoints.some((endpoint) => endpointsOverlap(endpoint, target) && l7Covers(endpoint, target)) &&
        proposed.binaries.every((binary) => rule.binaries.includes(binary)),
    ),
  );
}

const networkPoliciesSchema = z.record(z.string(), draftRuleSchema);

/**
 * Reads `network_policies` of a policy in ShoreGuard's dict form (the `policy` block of an export,
 * or of `GET …/policy`). An absent map is no rules.
 * @throws ZodError when the map does not have the rule shape.
 */
export function liveRules(policy: { readonly network_policies?: unknown } | null | undefined): DraftRule[] {
  const map = policy?.network_policies;
  if (map === undefined || map === null) return [];
  return Object.values(networkPoliciesSchema.parse(map));
}

/** `network_policies` of a policy in dict form, by key (see {@link liveRules}). */
export function liveRuleMap(policy: { readonly network_policies?: unknown } | null | undefined): Record<string, DraftRule> {
  const map = policy?.network_policies;
  if (map === undefined || map === null) return {};
  return networkPoliciesSchema.parse(map);
}

/** Where the gateway puts an approved chunk's rule. */
export interface MergeTarget {
  /** The `network_policies` key the rule is merged under. */
  readonly key: string;
  /** `new`: inserted under its own name; `same-name`: merged into the rule of that name; `folded`: merged into another rule sharing an endpoint. */
  readonly how: 'new' | 'same-name' | 'folded';
}

/**
 * Where approving a chunk lands (OpenShell `add_rule`): the rule of the chunk's name if the live
 * policy has one, else the first rule by key (not `_provider_*`) sharing an endpoint with it (same
 * host, path and a port), else a new rule under the chunk's name. Lets a reviewer (or
 * `proposals --write`) put the rule in Git where the gateway itself would.
 */
export function mergeTarget(ruleName: string, rule: DraftRule, live: Readonly<Record<string, DraftRule>>): MergeTarget {
  if (Object.prototype.hasOwnProperty.call(live, ruleName)) return { key: ruleName, how: 'same-name' };
  const folded = Object.keys(live)
    .sort()
    .filter((key) => !key.startsWith('_provider_'))
    .find((key) => rule.endpoints.some((incoming) => (live[key]?.endpoints ?? []).some((existing) => endpointsOverlap(existing, incoming))));
  return folded === undefined ? { key: ruleName, how: 'new' } : { key: folded, how: 'folded' };
}
