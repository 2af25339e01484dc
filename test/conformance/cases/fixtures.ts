// Shared inputs of the conformance cases: the seed policy, YAML edits, paths and list selectors.
import { createHash } from 'node:crypto';
import type { ConformancePolicy } from '../../support/conformance/targets';

/**
 * Binary paths that do not exist on the ShoreGuard host (real ShoreGuard resolves symlinked ones).
 * Also the real-server smoke test's seed, so its literal type stays assignable to the fake gateway's.
 */
export const SEED_POLICY = {
  version: 1,
  filesystem: { include_workdir: true, read_only: ['/usr', '/etc'], read_write: ['/tmp'] },
  landlock: { compatibility: 'best_effort' },
  process: { run_as_user: 'sandbox', run_as_group: 'sandbox' },
  network_policies: {
    github: {
      name: 'github',
      endpoints: [{ host: 'api.github.com', port: 443, protocol: 'rest', rules: [{ allow: { method: 'GET', path: '/repos/**' } }] }],
      binaries: [{ path: '/opt/fake/bin/git' }],
    },
  },
} satisfies ConformancePolicy;

/** The seed policy as someone else changed it on the gateway (a new revision, a new hash). */
export const OUT_OF_BAND_POLICY: ConformancePolicy = {
  ...SEED_POLICY,
  filesystem: { include_workdir: true, read_only: ['/usr', '/etc', '/srv'], read_write: ['/tmp'] },
};

export function sandboxPath(gateway: string, sandbox: string): string {
  return `/api/gateways/${encodeURIComponent(gateway)}/sandboxes/${encodeURIComponent(sandbox)}`;
}

function replaceOnce(yaml: string, anchor: string, replacement: string, what: string): string {
  if (!yaml.includes(anchor)) throw new Error(`cannot ${what}: the exported YAML has no ${JSON.stringify(anchor)}`);
  return yaml.replace(anchor, replacement);
}

/** Adds /var/lib to filesystem.read_only (a filesystem change: replace only). */
export function addReadOnlyPath(yaml: string): string {
  return replaceOnce(yaml, '    - /etc\n', '    - /etc\n    - /var/lib\n', 'add a read-only path');
}

/** Adds an empty network policy `anthropic` (sorted before `github`: a network-only change, merge-able). */
export function addNetworkPolicy(yaml: string): string {
  return replaceOnce(
    yaml,
    '  network_policies:\n',
    '  network_policies:\n    anthropic:\n      binaries: []\n      endpoints: []\n      name: anthropic\n',
    'add a network policy',
  );
}

/** Drops the metadata block, so the apply carries no optimistic lock. */
export function withoutMetadata(yaml: string): string {
  const start = yaml.indexOf('metadata:\n');
  const policy = yaml.indexOf('\npolicy:');
  if (start < 0 || policy < 0) throw new Error('cannot drop metadata: unexpected export layout');
  return yaml.slice(0, start) + yaml.slice(policy + 1);
}

/** ShoreGuard's synthetic vote chunk id for an apply of exactly `yaml` (§10.7). */
export function expectedChunkId(yaml: string): string {
  return `policy.apply:${createHash('sha256').update(yaml, 'utf8').digest('hex').slice(0, 16)}`;
}

export function yamlOf(body: unknown): string {
  if (body !== null && typeof body === 'object' && typeof (body as { yaml?: unknown }).yaml === 'string') {
    return (body as { yaml: string }).yaml;
  }
  throw new Error(`expected an export body with a yaml string, got ${JSON.stringify(body)?.slice(0, 200)}`);
}

export function numberField(body: unknown, field: string): number {
  const value = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[field] : undefined;
  if (typeof value !== 'number') throw new Error(`expected a numeric '${field}' in ${JSON.stringify(body)?.slice(0, 200)}`);
  return value;
}

export function stringField(body: unknown, field: string): string {
  const value = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[field] : undefined;
  if (typeof value !== 'string') throw new Error(`expected a string '${field}' in ${JSON.stringify(body)?.slice(0, 200)}`);
  return value;
}

function matches(item: unknown, field: string, wanted: readonly unknown[]): boolean {
  return item !== null && typeof item === 'object' && wanted.includes((item as Record<string, unknown>)[field]);
}

/**
 * Keeps only this case's items of a list (a bare array or an `{items, total}` envelope): other
 * cases, and on a SHOREGUARD_URL server other users, add items of their own. `total` keeps its type.
 */
export function onlyItems(field: string, wanted: readonly unknown[]): (body: unknown) => unknown {
  return (body) => {
    if (Array.isArray(body)) return body.filter((item) => matches(item, field, wanted));
    if (body !== null && typeof body === 'object' && Array.isArray((body as { items?: unknown }).items)) {
      const envelope = body as Record<string, unknown> & { items: unknown[] };
      const result: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(envelope)) {
        if (key === 'items') result[key] = envelope.items.filter((item) => matches(item, field, wanted));
        else if (key === 'total') result[key] = value === null ? null : `<${typeof value}>`;
        else result[key] = value;
      }
      return result;
    }
    return body;
  };
}

/** An id the servers never hand out (404 paths). */
export const UNKNOWN_ID = 987654;
