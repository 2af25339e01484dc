/**
 * The document as the rules see it: the way OpenShell reads it after protobuf decoding. Every
 * field of `SandboxPolicy` is present with its proto3 default (`''`, `0`, `false`, `[]`), so a
 * rule writes `endpoint.protocol == ''` instead of guarding every access with `has()`, and a
 * missing key means the same thing to a rule as to the gateway. Unknown keys are kept.
 *
 * One deliberate normalisation, as OpenShell does it: `ports` is the endpoint's effective port
 * list (`ports` when non-empty, else `[port]` when a port is set).
 */
import { isMapping } from '../core/json';
import type { PathSegment } from '../core/problems';

export type JsonMap = Record<string, unknown>;

export interface PolicyView {
  readonly metadata: JsonMap;
  readonly policy: {
    readonly version: number;
    readonly filesystem: { readonly include_workdir: boolean; readonly read_only: string[]; readonly read_write: string[] } & JsonMap;
    readonly process: { readonly run_as_user: string; readonly run_as_group: string } & JsonMap;
    readonly landlock: { readonly compatibility: string } & JsonMap;
    readonly network_policies: Record<string, NetworkRuleView>;
  } & JsonMap;
}

export interface NetworkRuleView extends JsonMap {
  readonly name: string;
  readonly endpoints: EndpointView[];
  readonly binaries: ({ readonly path: string } & JsonMap)[];
}

export interface L7MatchView extends JsonMap {
  readonly method: string;
  readonly path: string;
  readonly command: string;
  readonly query: JsonMap;
}

export interface EndpointView extends JsonMap {
  readonly host: string;
  readonly port: number;
  readonly ports: number[];
  readonly protocol: string;
  readonly tls: string;
  readonly enforcement: string;
  readonly access: string;
  readonly rules: ({ readonly allow: L7MatchView } & JsonMap)[];
  readonly deny_rules: L7MatchView[];
  readonly allowed_ips: string[];
  readonly allow_encoded_slash: boolean;
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const num = (value: unknown): number => (typeof value === 'number' ? value : 0);
const bool = (value: unknown): boolean => value === true;
const map = (value: unknown): JsonMap => (isMapping(value) ? value : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const strings = (value: unknown): string[] => list(value).filter((v): v is string => typeof v === 'string');

function l7Match(value: unknown): L7MatchView {
  const m = map(value);
  return { ...m, method: str(m['method']), path: str(m['path']), command: str(m['command']), query: map(m['query']) };
}

function endpoint(value: unknown): EndpointView {
  const e = map(value);
  const port = num(e['port']);
  const ports = list(e['ports']).filter((p): p is number => typeof p === 'number');
  return {
    ...e,
    host: str(e['host']),
    port,
    ports: ports.length > 0 ? ports : port > 0 ? [port] : [],
    protocol: str(e['protocol']),
    tls: str(e['tls']),
    enforcement: str(e['enforcement']),
    access: str(e['access']),
    rules: list(e['rules']).map((r) => ({ ...map(r), allow: l7Match(map(r)['allow']) })),
    deny_rules: list(e['deny_rules']).map(l7Match),
    allowed_ips: strings(e['allowed_ips']),
    allow_encoded_slash: bool(e['allow_encoded_slash']),
  };
}

function networkRule(value: unknown): NetworkRuleView {
  const r = map(value);
  return {
    ...r,
    name: str(r['name']),
    endpoints: list(r['endpoints']).map(endpoint),
    binaries: list(r['binaries']).map((b) => ({ ...map(b), path: str(map(b)['path']) })),
  };
}

/** The view of a parsed `{metadata?, policy}` document (already checked by the zod model). */
export function policyView(document: { readonly metadata?: unknown; readonly policy: unknown }): PolicyView {
  const policy = map(document.policy);
  const filesystem = map(policy['filesystem']);
  const process = map(policy['process']);
  const landlock = map(policy['landlock']);
  const rules: Record<string, NetworkRuleView> = {};
  for (const [key, rule] of Object.entries(map(policy['network_policies']))) rules[key] = networkRule(rule);
  return {
    metadata: map(document.metadata),
    policy: {
      ...policy,
      version: num(policy['version']),
      filesystem: { ...filesystem, include_workdir: bool(filesystem['include_workdir']), read_only: strings(filesystem['read_only']), read_write: strings(filesystem['read_write']) },
      process: { ...process, run_as_user: str(process['run_as_user']), run_as_group: str(process['run_as_group']) },
      landlock: { ...landlock, compatibility: str(landlock['compatibility']) },
      network_policies: rules,
    },
  };
}

/** One object a rule is evaluated against, with where it sits in the document. */
export type ScopeName = 'document' | 'network_rule' | 'endpoint' | 'l7_rule' | 'binary' | 'filesystem_path';

export const SCOPES: readonly ScopeName[] = ['document', 'network_rule', 'endpoint', 'l7_rule', 'binary', 'filesystem_path'];

export interface ScopeItem {
  readonly path: readonly PathSegment[];
  /** The scope's own variables (the document-wide ones are added by the evaluator). */
  readonly vars: Readonly<Record<string, unknown>>;
}

/** The variables each scope adds, for the CEL environment (typos fail at load time). */
export const SCOPE_VARIABLES: Readonly<Record<ScopeName, readonly string[]>> = {
  document: [],
  network_rule: ['name', 'rule'],
  endpoint: ['name', 'rule', 'endpoint', 'index'],
  l7_rule: ['name', 'rule', 'endpoint', 'allow'],
  binary: ['name', 'rule', 'binary'],
  filesystem_path: ['path', 'access'],
};

/** Every object of a scope, in document order. */
export function scopeItems(view: PolicyView, scope: ScopeName): ScopeItem[] {
  const items: ScopeItem[] = [];
  const rules = Object.entries(view.policy.network_policies);
  switch (scope) {
    case 'document':
      return [{ path: ['policy'], vars: {} }];
    case 'network_rule':
      for (const [name, rule] of rules) items.push({ path: ['policy', 'network_policies', name], vars: { name, rule } });
      return items;
    case 'endpoint':
      for (const [name, rule] of rules)
        rule.endpoints.forEach((endpoint, index) =>
          items.push({ path: ['policy', 'network_policies', name, 'endpoints', index], vars: { name, rule, endpoint, index } }),
        );
      return items;
    case 'l7_rule':
      for (const [name, rule] of rules)
        rule.endpoints.forEach((endpoint, e) =>
          endpoint.rules.forEach((l7, r) =>
            items.push({ path: ['policy', 'network_policies', name, 'endpoints', e, 'rules', r], vars: { name, rule, endpoint, allow: l7.allow } }),
          ),
        );
      return items;
    case 'binary':
      for (const [name, rule] of rules)
        rule.binaries.forEach((binary, b) => items.push({ path: ['policy', 'network_policies', name, 'binaries', b], vars: { name, rule, binary } }));
      return items;
    case 'filesystem_path':
      for (const access of ['read_only', 'read_write'] as const)
        view.policy.filesystem[access].forEach((path, i) => items.push({ path: ['policy', 'filesystem', access, i], vars: { path, access } }));
      return items;
  }
}
