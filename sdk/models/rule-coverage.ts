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
