// In-memory sandbox + policy-revision bookkeeping of the fake OpenShell gateway, kept free of gRPC
// so it can be unit-tested. Semantics follow the real gateway where ShoreGuard can observe them:
// every write of a *different* policy appends revision latest+1 with a new hash and supersedes the
// older ones; writing a policy whose hash equals the latest one returns that revision unchanged.
// Unlike the real gateway (PENDING until the supervisor reports LOADED), a new revision is LOADED
// and active at once, so a re-export or a pin sees it immediately.
import { createHash } from 'node:crypto';
import { z } from 'zod';

// Shapes of decoded proto messages (proto-loader with keepCase, defaults:false, oneofs:true):
// unset fields are absent. Endpoints carry many optional L7 fields; they are stored as received.
export const NetworkPolicyRuleSchema = z.object({
  name: z.string().optional(),
  endpoints: z.array(z.record(z.string(), z.unknown())).optional(),
  binaries: z.array(z.object({ path: z.string().optional(), harness: z.boolean().optional() })).optional(),
});
export type NetworkPolicyRule = z.infer<typeof NetworkPolicyRuleSchema>;

/** Sandbox policy as the proto decodes it: unset sub-messages are absent (presence matters). */
export const SandboxPolicySchema = z.object({
  version: z.number().optional(),
  filesystem: z
    .object({
      include_workdir: z.boolean().optional(),
      read_only: z.array(z.string()).optional(),
      read_write: z.array(z.string()).optional(),
    })
    .optional(),
  landlock: z.object({ compatibility: z.string().optional() }).optional(),
  process: z.object({ run_as_user: z.string().optional(), run_as_group: z.string().optional() }).optional(),
  network_policies: z.record(z.string(), NetworkPolicyRuleSchema).optional(),
});
export type SandboxPolicy = z.infer<typeof SandboxPolicySchema>;

/** PolicyMergeOperation; only the two kinds ShoreGuard's GitOps merge emits are applied. */
export const MergeOperationSchema = z.looseObject({
  operation: z.string(),
  add_rule: z.object({ rule_name: z.string().optional(), rule: NetworkPolicyRuleSchema.optional() }).optional(),
  remove_rule: z.object({ rule_name: z.string().optional() }).optional(),
});
export type MergeOperation = z.infer<typeof MergeOperationSchema>;

export type PolicyStatusName = 'POLICY_STATUS_LOADED' | 'POLICY_STATUS_SUPERSEDED';

export interface PolicyRevision {
  version: number;
  policy_hash: string;
  status: PolicyStatusName;
  created_at_ms: number;
  loaded_at_ms: number;
  policy: SandboxPolicy;
}

export interface SandboxRecord {
  id: string;
  name: string;
  created_at_ms: number;
  labels: Record<string, string>;
  /** Bumped on every write, like ObjectMeta.resource_version upstream. */
  resource_version: number;
  revisions: PolicyRevision[];
}

/** gRPC status a store operation failed with; the server maps `code` onto grpc-js status codes. */
export class FakeGatewayError extends Error {
  constructor(
    readonly code: 'NOT_FOUND' | 'INVALID_ARGUMENT' | 'UNIMPLEMENTED' | 'FAILED_PRECONDITION',
    message: string,
  ) {
    super(message);
    this.name = 'FakeGatewayError';
  }
}

/** Canonical JSON: object keys sorted at every level, so equal policies hash equally. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Hex sha256 over the canonical form; ShoreGuard treats policy_hash as an opaque etag. */
export function policyHash(policy: SandboxPolicy): string {
  return createHash('sha256').update(canonicalJson(policy)).digest('hex');
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

export class PolicyStore {
  private readonly sandboxes = new Map<string, SandboxRecord>();
  private nextId = 1;

  constructor(private readonly now: () => number = Date.now) {}

  list(): SandboxRecord[] {
    return [...this.sandboxes.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  get(name: string): SandboxRecord {
    const sandbox = this.sandboxes.get(name);
    if (!sandbox) throw new FakeGatewayError('NOT_FOUND', 'sandbox not found');
    return sandbox;
  }

  has(name: string): boolean {
    return this.sandboxes.has(name);
  }

  /** Creates the sandbox (or reuses it) and, given a policy, writes it as a revision. */
  createSandbox(name: string, policy?: SandboxPolicy, labels: Record<string, string> = {}): SandboxRecord {
    if (!name) throw new FakeGatewayError('INVALID_ARGUMENT', 'sandbox name is required');
    let sandbox = this.sandboxes.get(name);
    if (!sandbox) {
      sandbox = {
        id: `fake-sb-${this.nextId++}`,
        name,
        created_at_ms: this.now(),
        labels: { ...labels },
        resource_version: 1,
        revisions: [],
      };
      this.sandboxes.set(name, sandbox);
    }
    if (policy) this.writePolicy(name, policy);
    return sandbox;
  }

  latest(name: string): PolicyRevision | undefined {
    const revisions = this.get(name).revisions;
    return revisions[revisions.length - 1];
  }

  /** GetSandboxPolicyStatus semantics: version 0 = latest. */
  revision(name: string, version = 0): PolicyRevision {
    const sandbox = this.get(name);
    if (sandbox.revisions.length === 0) {
      throw new FakeGatewayError('NOT_FOUND', 'no policy revision found for this sandbox');
    }
    const found = version === 0 ? this.latest(name) : sandbox.revisions.find((r) => r.version === version);
    if (!found) throw new FakeGatewayError('NOT_FOUND', `policy revision ${version} not found`);
    return found;
  }

  /** Full replace. Returns the new revision, or the latest one when the content is unchanged. */
  writePolicy(name: string, policy: SandboxPolicy): PolicyRevision {
    const sandbox = this.get(name);
    const hash = policyHash(policy);
    const latest = this.latest(name);
    if (latest && latest.policy_hash === hash) return latest;
    for (const older of sandbox.revisions) older.status = 'POLICY_STATUS_SUPERSEDED';
    const at = this.now();
    const revision: PolicyRevision = {
      version: (latest?.version ?? 0) + 1,
      policy_hash: hash,
      status: 'POLICY_STATUS_LOADED',
      created_at_ms: at,
      loaded_at_ms: at,
      policy: clone(policy),
    };
    sandbox.revisions.push(revision);
    sandbox.resource_version += 1;
    return revision;
  }

  /** Applies merge operations in order to a copy of the latest policy, then writes it. */
  mergePolicy(name: string, operations: MergeOperation[]): PolicyRevision {
    const base: SandboxPolicy = clone(this.latest(name)?.policy ?? {});
    for (const op of operations) {
      if (op.operation === 'remove_rule') {
        if (base.network_policies) delete base.network_policies[op.remove_rule?.rule_name ?? ''];
      } else if (op.operation === 'add_rule') {
        const ruleName = op.add_rule?.rule_name ?? '';
        if (!ruleName) throw new FakeGatewayError('INVALID_ARGUMENT', 'add_rule.rule_name is required');
        base.network_policies = { ...base.network_policies, [ruleName]: clone(op.add_rule?.rule ?? {}) };
      } else {
        throw new FakeGatewayError('UNIMPLEMENTED', `fake OpenShell: merge operation '${op.operation}' is not implemented`);
      }
    }
    // An emptied map is absent on the wire; keep the stored form identical to a decoded one.
    if (base.network_policies && Object.keys(base.network_policies).length === 0) delete base.network_policies;
    return this.writePolicy(name, base);
  }

  /** Newest first (the order ShoreGuard shows revisions in). */
  history(name: string, limit: number, offset: number): PolicyRevision[] {
    const newestFirst = [...this.get(name).revisions].reverse();
    return newestFirst.slice(offset, limit > 0 ? offset + limit : undefined);
  }
}
