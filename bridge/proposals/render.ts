/**
 * A proposed rule as a reviewer reads it, in the one-line-per-endpoint form OpenShell's own CLI
 * prints for draft chunks (`openshell rule get`):
 *
 *   api.github.com:443 [L4]                                   — no L7 inspection: any bytes to host:port
 *   registry.npmjs.org:443 [L7 rest, access=read-only]        — an access preset
 *   api.github.com:443 [L7 rest, allow PUT /repos/acme/docs/**]  — explicit method + path rules
 *
 * Extra facts a reviewer needs are appended in the same bracket (`path=/v1/**`, `tls=terminate`,
 * `enforcement=audit`, `ports=443,8443`, `allowed_ips=…`), so nothing that widens the rule hides.
 */
import type { DraftEndpoint, DraftRule } from '../../sdk';

/** `host:port [L4]` / `host:port [L7 rest, …]` for one endpoint. */
export function renderEndpoint(endpoint: DraftEndpoint): string {
  const ports = endpoint.ports.length > 1 ? endpoint.ports.join(',') : String(endpoint.ports[0] ?? endpoint.port);
  const l7 = endpoint.protocol !== null || endpoint.rules.length > 0;
  const facts: string[] = [l7 ? `L7 ${endpoint.protocol ?? 'rest'}` : 'L4'];
  if (endpoint.access !== null) facts.push(`access=${endpoint.access}`);
  for (const rule of endpoint.rules) facts.push(rule.command !== '' && rule.method === '' ? `allow ${rule.command}` : `allow ${rule.method || '*'} ${rule.path || '/**'}`.trimEnd());
  if (endpoint.path !== null) facts.push(`path=${endpoint.path}`);
  if (endpoint.tls !== null) facts.push(`tls=${endpoint.tls}`);
  if (endpoint.enforcement !== null && endpoint.enforcement !== 'enforce') facts.push(`enforcement=${endpoint.enforcement}`);
  if (endpoint.allowedIps.length > 0) facts.push(`allowed_ips=${endpoint.allowedIps.join(',')}`);
  return `${endpoint.host}:${ports} [${facts.join(', ')}]`;
}

/** One line per endpoint; a rule without endpoints allows nothing and says so. */
export function renderRule(rule: DraftRule | null): string[] {
  if (rule === null) return ['(no rule in the chunk)'];
  if (rule.endpoints.length === 0) return ['(no endpoints)'];
  return rule.endpoints.map(renderEndpoint);
}
