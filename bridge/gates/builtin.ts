/**
 * The built-in rule pack for OpenShell sandbox policies. Each rule reads the document the way the
 * gateway does (view.ts) and reports the rule key (`network rule "github" endpoint 0`) so a
 * finding is found without counting list items. The README's rule table is this list.
 */
import { PACKAGE_VERSION } from '../../sdk/version';
import type { PathSegment } from '../core/problems';
import type { CheckInput, CompiledRule, ConfiguredSeverity, RawFinding, RuleMeta } from './types';
import type { EndpointView, PolicyView } from './view';

export const BUILTIN_PACK = `builtin@${PACKAGE_VERSION}`;

/** Ports where an L4-only grant almost always carries HTTP. */
const HTTP_PORTS = new Set([80, 443, 8000, 8080, 8443]);
/** Host names that are REST APIs whatever the port. */
const REST_HOST = /^(api|apis|rest|graphql)[.-]|\.googleapis\.com$|\.amazonaws\.com$|\.azure\.com$|^registry\.npmjs\.org$|^pypi\.org$|^upload\.pypi\.org$/i;
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE', '*']);
/** Path globs that match (nearly) everything: `**`, `/**`, `*`, `/*`, `` (no path = any). */
const WIDE_PATH = /^\/?(\*{1,2})?\/?$/;
/** Interpreters and shells: with network egress, any code the agent writes can reach the host. */
const INTERPRETER =
  /^(sh|bash|dash|ash|zsh|ksh|mksh|fish|csh|tcsh|busybox|env|python|python[23](\.\d+)?|pypy3?|node|nodejs|deno|bun|perl|perl5(\.\d+)*|ruby|irb|php(\d(\.\d+)?)?|lua(\d(\.\d+)?)?|luajit|tclsh|wish|pwsh|powershell|osascript|Rscript|julia|java|jshell|groovy|scala|erl|elixir|ghci|nc|ncat|netcat|socat|curl|wget|\*+)$/;
/** Directories whose write access lets the sandbox change the system or another user's files. */
const SYSTEM_DIRS = new Set(['/', '/etc', '/usr', '/bin', '/sbin', '/lib', '/lib64', '/boot', '/root', '/home', '/var', '/opt', '/proc', '/sys', '/dev']);
const HOME = /^(~|\$HOME|\$\{HOME\}|\/home\/[^/]+|\/root|\/Users\/[^/]+)$/;
const ROOT_USER = /^(root|0)$/;

function normalizeDir(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' && path.startsWith('/') ? '/' : trimmed.replace(/\/+/g, '/');
}

function endpoints(view: PolicyView): { key: string; index: number; endpoint: EndpointView; path: PathSegment[] }[] {
  const out: { key: string; index: number; endpoint: EndpointView; path: PathSegment[] }[] = [];
  for (const [key, rule] of Object.entries(view.policy.network_policies))
    rule.endpoints.forEach((endpoint, index) => out.push({ key, index, endpoint, path: ['policy', 'network_policies', key, 'endpoints', index] }));
  return out;
}

const where = (key: string, index: number) => `network rule ${JSON.stringify(key)} endpoint ${index}`;
const hostPort = (e: EndpointView) => `${e.host === '' ? '<any host>' : e.host}:${e.ports.length === 0 ? '<no port>' : e.ports.join(',')}`;

function isIpRange(value: string): boolean {
  const cidr = /^(.+)\/(\d{1,3})$/.exec(value);
  if (cidr === null) return false;
  const bits = Number(cidr[2]);
  return cidr[1]!.includes(':') ? bits < 64 : bits < 24;
}

type Check = (view: PolicyView) => RawFinding[];

interface BuiltinRule extends Omit<RuleMeta, 'origin'> {
  readonly check: Check;
}

const RULES: readonly BuiltinRule[] = [
  {
    id: 'SG001',
    name: 'l4-http-egress',
    severity: 'warning',
    summary: 'an endpoint on an HTTP port or a REST API host without L7 inspection (`protocol` empty): every method on every path is allowed',
    help: 'Set `protocol: rest` with `rules` (or `access: read-only`) so OpenShell inspects each request; an L4 grant lets the agent POST or DELETE anything the host serves.',
    check: (view) =>
      endpoints(view)
        .filter(({ endpoint: e }) => e.protocol === '' && e.host !== '' && (e.ports.some((p) => HTTP_PORTS.has(p)) || REST_HOST.test(e.host)))
        .map(({ key, index, endpoint: e, path }) => ({
          path,
          message: `${where(key, index)}: ${hostPort(e)} is an L4 grant to a host that speaks HTTP; add protocol: rest with rules`,
        })),
  },
  {
    id: 'SG002',
    name: 'l7-audit-only',
    severity: 'warning',
    summary: 'an L7 endpoint (`protocol: rest`/`sql`) without `enforcement: enforce`: OpenShell only logs requests its rules would deny',
    help: "OpenShell's default enforcement is `audit`; set `enforcement: enforce` once the rules are right, or the rules block nothing.",
    check: (view) =>
      endpoints(view)
        .filter(({ endpoint: e }) => e.protocol !== '' && e.enforcement !== 'enforce')
        .map(({ key, index, endpoint: e, path }) => ({
          path: [...path, ...(e['enforcement'] === undefined ? [] : ['enforcement'])],
          message: `${where(key, index)}: ${hostPort(e)} has enforcement ${JSON.stringify(e.enforcement === '' ? 'audit (default)' : e.enforcement)}; its L7 rules only log`,
        })),
  },
  {
    id: 'SG003',
    name: 'wildcard-host',
    severity: 'warning',
    summary: 'a host glob (`*.example.com`, `**.example.com`, `*`): the rule reaches every host the pattern matches, including ones registered later',
    help: 'Name the hosts the agent needs. `**.` matches across labels; a bare `*` matches every host.',
    check: (view) =>
      endpoints(view)
        .filter(({ endpoint: e }) => e.host.includes('*'))
        .map(({ key, index, endpoint: e, path }) => ({ path: [...path, 'host'], message: `${where(key, index)}: host ${JSON.stringify(e.host)} is a wildcard` })),
  },
  {
    id: 'SG004',
    name: 'ip-range-egress',
    severity: 'error',
    summary: 'egress by IP range: an `allowed_ips` CIDR wider than /24 (IPv6 /64), or `allowed_ips` with no host (any domain resolving into the list)',
    help: 'A wide range opens whole networks (cloud metadata neighbours, internal services); list exact addresses and set `host`.',
    check: (view) => {
      const out: RawFinding[] = [];
      for (const { key, index, endpoint: e, path } of endpoints(view)) {
        if (e.host === '' && e.allowed_ips.length > 0)
          out.push({ path, message: `${where(key, index)}: no host, so any domain resolving into allowed_ips [${e.allowed_ips.join(', ')}] is reachable` });
        e.allowed_ips.forEach((ip, i) => {
          if (isIpRange(ip)) out.push({ path: [...path, 'allowed_ips', i], message: `${where(key, index)}: allowed_ips ${JSON.stringify(ip)} is a wide IP range` });
        });
        if (isIpRange(e.host)) out.push({ path: [...path, 'host'], message: `${where(key, index)}: host ${JSON.stringify(e.host)} is an IP range` });
      }
      return out;
    },
  },
  {
    id: 'SG005',
    name: 'full-access',
    severity: 'error',
    summary: '`access: full` on an endpoint: every method on every path',
    help: 'Use `access: read-only` or explicit `rules` for the methods and paths the agent needs.',
    check: (view) =>
      endpoints(view)
        .filter(({ endpoint: e }) => e.access === 'full')
        .map(({ key, index, endpoint: e, path }) => ({ path: [...path, 'access'], message: `${where(key, index)}: ${hostPort(e)} grants access: full` })),
  },
  {
    id: 'SG006',
    name: 'write-on-wide-path',
    severity: 'error',
    summary: 'write methods (POST/PUT/PATCH/DELETE/`*`) allowed on a wide path (`**`, `/**`, `*`, empty), or the `access: read-write` preset',
    help: 'Allow writes only on the paths that need them (`/repos/org/app/issues/*`); a wide write grant lets the agent change anything the token can.',
    check: (view) => {
      const out: RawFinding[] = [];
      for (const { key, index, endpoint: e, path } of endpoints(view)) {
        if (e.access === 'read-write') out.push({ path: [...path, 'access'], message: `${where(key, index)}: ${hostPort(e)} grants access: read-write (writes on every path)` });
        e.rules.forEach((rule, r) => {
          const method = rule.allow.method.toUpperCase();
          if (WRITE_METHODS.has(method) && WIDE_PATH.test(rule.allow.path))
            out.push({
              path: [...path, 'rules', r, 'allow'],
              message: `${where(key, index)} rule ${r}: ${method} allowed on path ${JSON.stringify(rule.allow.path === '' ? '<any>' : rule.allow.path)} of ${e.host}`,
            });
        });
      }
      return out;
    },
  },
  {
    id: 'SG007',
    name: 'interpreter-egress',
    severity: 'error',
    summary: 'a shell, interpreter or generic network tool (`/bin/sh`, `/usr/bin/python3`, `node`, `curl`, a `*` glob) is a binary of a network rule',
    help: 'Binaries identify who may use the egress. An interpreter runs whatever code the agent writes, so the rule is open to any program; name the real client binary.',
    check: (view) => {
      const out: RawFinding[] = [];
      for (const [key, rule] of Object.entries(view.policy.network_policies))
        rule.binaries.forEach((binary, b) => {
          const base = binary.path.split('/').pop() ?? '';
          if (INTERPRETER.test(base) || binary.path === '')
            out.push({
              path: ['policy', 'network_policies', key, 'binaries', b, 'path'],
              message: `network rule ${JSON.stringify(key)}: binary ${JSON.stringify(binary.path)} ${base === '' ? 'matches any program' : 'is a shell or interpreter'} with network egress`,
            });
        });
      return out;
    },
  },
  {
    id: 'SG008',
    name: 'writable-system-path',
    severity: 'error',
    summary: '`filesystem.read_write` holds `/`, a system directory (`/etc`, `/usr`, `/bin`, `/var`, …) or a home directory',
    help: 'Write access there lets the sandbox replace binaries, configuration or credentials (`~/.ssh`, `~/.aws`); grant the work directory (`include_workdir`) or a scratch path instead.',
    check: (view) =>
      view.policy.filesystem.read_write.flatMap((dir, i) => {
        const normalized = normalizeDir(dir);
        return SYSTEM_DIRS.has(normalized) || HOME.test(normalized)
          ? [{ path: ['policy', 'filesystem', 'read_write', i], message: `filesystem.read_write: ${JSON.stringify(dir)} is a system or home directory` }]
          : [];
      }),
  },
  {
    id: 'SG009',
    name: 'root-process',
    severity: 'error',
    summary: '`process.run_as_user` or `run_as_group` is `root` or `0`',
    help: 'A root process can undo the sandbox from inside (mounts, capabilities, Landlock setup); OpenShell runs as `sandbox` by default.',
    check: (view) =>
      (['run_as_user', 'run_as_group'] as const)
        .filter((field) => ROOT_USER.test(view.policy.process[field]))
        .map((field) => ({ path: ['policy', 'process', field], message: `process.${field}: ${JSON.stringify(view.policy.process[field])} runs the sandbox as root` })),
  },
  {
    id: 'SG010',
    name: 'rule-without-binaries',
    severity: 'warning',
    summary: 'a network rule with endpoints but no `binaries`: nothing says which program may use the egress',
    help: 'List the binaries (`/usr/bin/git`) that need the endpoints; a rule without them is either dead or, depending on the OpenShell version, open to every process.',
    check: (view) =>
      Object.entries(view.policy.network_policies)
        .filter(([, rule]) => rule.endpoints.length > 0 && rule.binaries.length === 0)
        .map(([key]) => ({ path: ['policy', 'network_policies', key], message: `network rule ${JSON.stringify(key)} has endpoints but no binaries` })),
  },
  {
    id: 'SG011',
    name: 'landlock-best-effort',
    // Off by default: best_effort is OpenShell's own default and what most fleets run.
    severity: 'off',
    summary: '`landlock.compatibility` is not `hard_requirement`: on a kernel without Landlock the filesystem rules silently do nothing',
    help: 'Set `landlock.compatibility: hard_requirement` where every host has Landlock, so a sandbox fails to start rather than running unconfined.',
    check: (view) =>
      view.policy.landlock.compatibility === 'hard_requirement'
        ? []
        : [{ path: ['policy', 'landlock'], message: `landlock.compatibility is ${JSON.stringify(view.policy.landlock.compatibility === '' ? 'best_effort (default)' : view.policy.landlock.compatibility)}` }],
  },
];

/** The suppression rules: findings about suppressions themselves (not suppressible). */
export const SUPPRESSION_RULES: readonly RuleMeta[] = [
  {
    id: 'SG900',
    name: 'suppression-expired',
    severity: 'error',
    summary: 'a suppression whose `expires` date has passed',
    help: 'Fix the finding it hid, or renew the suppression with a new date and reason.',
    origin: 'builtin',
  },
  {
    id: 'SG901',
    name: 'suppression-without-reason',
    severity: 'error',
    summary: 'a suppression without a reason (`# shoreguard-gitops:ignore SG003` alone)',
    help: 'Say why the finding is acceptable: `# shoreguard-gitops:ignore SG003 CDN hosts rotate`.',
    origin: 'builtin',
  },
  {
    id: 'SG902',
    name: 'suppression-unknown-rule',
    severity: 'warning',
    summary: 'an inline suppression naming a rule that is not loaded',
    help: 'Check the rule id (a typo suppresses nothing).',
    origin: 'builtin',
  },
];

export const BUILTIN_RULES: readonly RuleMeta[] = RULES.map(({ check: _check, ...meta }) => ({ ...meta, origin: 'builtin' }));

/** The pack with severities overridden (`off` rules are dropped). */
export function builtinRules(overrides: ReadonlyMap<string, ConfiguredSeverity> = new Map()): CompiledRule[] {
  return RULES.map((rule) => ({ ...rule, origin: 'builtin', severity: overrides.get(rule.id) ?? rule.severity, check: ({ view }: CheckInput) => rule.check(view) })).filter(
    (rule) => rule.severity !== 'off',
  );
}

/** `SG003` or `wildcard-host` → `SG003`; undefined for an unknown rule. */
export function builtinRuleId(idOrName: string): string | undefined {
  return [...BUILTIN_RULES, ...SUPPRESSION_RULES].find((r) => r.id === idOrName || r.name === idOrName)?.id;
}
