import { createHash } from 'node:crypto';
import { z } from 'zod';
import { stringList } from './common';
import type { PolicyPin } from './pins';

/** `GET …/policy/export`. */
export interface PolicyExport {
  /** The YAML document exactly as the server rendered it (it embeds `exported_at`). */
  readonly yaml: string;
  readonly gateway: string;
  readonly sandbox: string;
  /** OpenShell policy revision number (not a lock token). */
  readonly version: number;
  /** The optimistic-lock token for `apply` (`expectedVersion`); `""` when no revision exists. */
  readonly policyHash: string;
}

export const policyExportSchema: z.ZodType<PolicyExport> = z
  .object({
    yaml: z.string(),
    gateway: z.string(),
    sandbox: z.string(),
    version: z.number().int().nullish().transform((v) => v ?? 0),
    policy_hash: z.string().nullish().transform((v) => v ?? ''),
  })
  .loose()
  .transform((w) => ({ yaml: w.yaml, gateway: w.gateway, sandbox: w.sandbox, version: w.version, policyHash: w.policy_hash }));

/** The server-computed difference between the live policy and the submitted one (§10.6). */
export interface PolicyDiff {
  readonly filesystem: {
    readonly readOnlyAdded: readonly string[];
    readonly readOnlyRemoved: readonly string[];
    readonly readWriteAdded: readonly string[];
    readonly readWriteRemoved: readonly string[];
    /** `[live, submitted]`, or `null` when unchanged. */
    readonly includeWorkdirChanged: readonly [boolean, boolean] | null;
  };
  readonly process: {
    readonly runAsUserChanged: readonly [string, string] | null;
    readonly runAsGroupChanged: readonly [string, string] | null;
  };
  readonly networkPolicies: {
    readonly added: readonly string[];
    readonly removed: readonly string[];
    readonly changed: readonly string[];
  };
}

const boolPair = z.tuple([z.boolean(), z.boolean()]).nullish().transform((v) => v ?? null);
const stringPair = z.tuple([z.string(), z.string()]).nullish().transform((v) => v ?? null);
// Each diff section may be missing or null; its lists then default to empty.
const section = <T extends z.ZodRawShape>(shape: T) => z.preprocess((value) => value ?? {}, z.object(shape).loose());

export const policyDiffSchema: z.ZodType<PolicyDiff> = z
  .object({
    filesystem: section({
      read_only_added: stringList,
      read_only_removed: stringList,
      read_write_added: stringList,
      read_write_removed: stringList,
      include_workdir_changed: boolPair,
    }),
    process: section({ run_as_user_changed: stringPair, run_as_group_changed: stringPair }),
    network_policies: section({ added: stringList, removed: stringList, changed: stringList }),
  })
  .loose()
  .transform((w) => ({
    filesystem: {
      readOnlyAdded: w.filesystem.read_only_added,
      readOnlyRemoved: w.filesystem.read_only_removed,
      readWriteAdded: w.filesystem.read_write_added,
      readWriteRemoved: w.filesystem.read_write_removed,
      includeWorkdirChanged: w.filesystem.include_workdir_changed,
    },
    process: { runAsUserChanged: w.process.run_as_user_changed, runAsGroupChanged: w.process.run_as_group_changed },
    networkPolicies: { added: w.network_policies.added, removed: w.network_policies.removed, changed: w.network_policies.changed },
  }));

/**
 * True when the diff has any change. Use this rather than the apply `status`: a dry run answers
 * `dry_run` whether or not anything differs.
 */
export function hasDrift(diff: PolicyDiff): boolean {
  const { filesystem: fs, process: proc, networkPolicies: np } = diff;
  return (
    fs.readOnlyAdded.length + fs.readOnlyRemoved.length + fs.readWriteAdded.length + fs.readWriteRemoved.length > 0 ||
    fs.includeWorkdirChanged !== null ||
    proc.runAsUserChanged !== null ||
    proc.runAsGroupChanged !== null ||
    np.added.length + np.removed.length + np.changed.length > 0
  );
}

/** Input of `policies.apply`. */
export interface ApplyPolicyInput {
  /**
   * The full YAML document. Every voter of a quorum must send byte-identical text: the vote id is
   * a hash of it (see {@link voteChunkId}).
   */
  readonly yaml: string;
  /** Compute the diff only. Still 423 while pinned and 409 on a lock mismatch. @default false */
  readonly dryRun?: boolean;
  /**
   * Optimistic lock: the `policyHash` the document was based on. When absent the server uses
   * `metadata.policy_hash` from the YAML; when both are absent there is no lock.
   */
  readonly expectedVersion?: string;
  /** `merge` changes only `network_policies`. @default server: 'replace' */
  readonly mode?: 'replace' | 'merge';
}

/** The diff came back and nothing waits on anyone: dry run, no change, or written. */
export interface PolicyApplyCompleted {
  readonly status: 'up_to_date' | 'dry_run' | 'applied';
  readonly diff: PolicyDiff;
  /** Live hash before the write. */
  readonly currentHash: string;
  /** New policy hash after `applied` (`""` if the gateway sent none); `null` otherwise. */
  readonly appliedVersion: string | null;
  readonly requestId: string;
}

/** 202: the caller's vote was recorded; more voters must POST the identical YAML. */
export interface PolicyApplyVoteRecorded {
  readonly status: 'vote_recorded';
  readonly votesCast: number;
  readonly votesNeeded: number;
  /** `policy.apply:<sha16>`; see {@link voteChunkId}. */
  readonly chunkId: string;
  readonly diff: PolicyDiff;
  readonly currentHash: string;
  readonly requestId: string;
}

/** 423: the sandbox is pinned; nothing was checked or written. */
export interface PolicyApplyPinned {
  readonly status: 'pinned';
  /** The server's detail, e.g. "Policy is pinned at version 5 by alice@example.com. Unpin first." */
  readonly detail: string;
  readonly pinnedVersion: number | null;
  readonly pinnedBy: string | null;
  /** The pin (reason, expiry), read after the 423; `null` if it could not be read (e.g. expired since). */
  readonly pin: PolicyPin | null;
  readonly requestId: string;
}

/** 409 `version_mismatch`: the live policy is not the one the document was based on. */
export interface PolicyApplyConflict {
  readonly status: 'conflict';
  readonly currentHash: string;
  readonly expectedVersion: string;
  readonly requestId: string;
}

/** Every expected outcome of `policies.apply`; real failures throw a ShoreGuardError instead. */
export type PolicyApplyOutcome = PolicyApplyCompleted | PolicyApplyVoteRecorded | PolicyApplyPinned | PolicyApplyConflict;

/** 200 body (`PolicyApplyResponse`). */
export const applyCompletedWireSchema = z
  .object({
    status: z.enum(['up_to_date', 'dry_run', 'applied']),
    current_hash: z.string().nullish().transform((v) => v ?? ''),
    diff: policyDiffSchema,
    applied_version: z.string().nullish().transform((v) => v ?? null),
  })
  .loose();

/** 202 body. */
export const applyVoteWireSchema = z
  .object({
    status: z.literal('vote_recorded'),
    current_hash: z.string().nullish().transform((v) => v ?? ''),
    diff: policyDiffSchema,
    votes_needed: z.number().int(),
    votes_cast: z.number().int(),
    chunk_id: z.string(),
  })
  .loose();

/** 409 version-mismatch body (plain JSON). */
export const applyConflictWireSchema = z
  .object({
    status: z.literal('version_mismatch'),
    current_hash: z.string().nullish().transform((v) => v ?? ''),
    expected_version: z.string().nullish().transform((v) => v ?? ''),
  })
  .loose();

/**
 * The id under which ShoreGuard pools the quorum votes for an apply of this exact YAML text:
 * `policy.apply:` + the first 16 hex chars of SHA-256 over the UTF-8 bytes (contract §10.7).
 * No normalisation: a trailing newline or CRLF gives another id.
 */
export function voteChunkId(yaml: string): string {
  return `policy.apply:${createHash('sha256').update(yaml, 'utf8').digest('hex').slice(0, 16)}`;
}
