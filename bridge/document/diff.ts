/**
 * A local copy of ShoreGuard's `diff_policy` (services/policy_diff.py, reference §10.6), for
 * offline previews and for the "live vs file" diff after a 409. Same semantics, deliberately
 * including the surprising parts:
 * - filesystem paths are compared as sets (order and duplicates do not count);
 * - `include_workdir` is compared as a Python truth value with default false;
 * - `run_as_user`/`run_as_group` are compared with default "";
 * - a network rule is "changed" under plain deep equality, so list order and a missing default
 *   key (`binaries: []`) count as changes (trap 9);
 * - `landlock`, `policy.version` and unknown sections are not compared at all.
 */
import { z } from 'zod';
import { compareCodePoints } from './yaml11';
import { isMapping } from '../core/json';

export interface FilesystemDiff {
  read_only_added?: string[];
  read_only_removed?: string[];
  read_write_added?: string[];
  read_write_removed?: string[];
  include_workdir_changed?: [boolean, boolean];
}

export interface ProcessDiff {
  run_as_user_changed?: [string, string];
  run_as_group_changed?: [string, string];
}

export interface NetworkPoliciesDiff {
  added: string[];
  removed: string[];
  changed: string[];
}

/** The `diff` object of ShoreGuard's dry-run / apply responses. */
export interface PolicyDiff {
  filesystem: FilesystemDiff;
  process: ProcessDiff;
  network_policies: NetworkPoliciesDiff;
}

const pair = <T extends z.ZodType>(item: T) => z.tuple([item, item]);

/** Reads a diff from a ShoreGuard response; unknown keys (a newer server) are tolerated. */
export const PolicyDiffSchema: z.ZodType<PolicyDiff> = z.object({
  filesystem: z.object({
    read_only_added: z.array(z.string()).optional(),
    read_only_removed: z.array(z.string()).optional(),
    read_write_added: z.array(z.string()).optional(),
    read_write_removed: z.array(z.string()).optional(),
    include_workdir_changed: pair(z.boolean()).optional(),
  }),
  process: z.object({
    run_as_user_changed: pair(z.string()).optional(),
    run_as_group_changed: pair(z.string()).optional(),
  }),
  network_policies: z.object({
    added: z.array(z.string()),
    removed: z.array(z.string()),
    changed: z.array(z.string()),
  }),
});

/** A policy as any JSON-like mapping: typed `Policy` objects and raw server dicts both fit. */
export type PolicyLike = Readonly<Record<string, unknown>> | null | undefined;

export function diffPolicy(oldPolicy: PolicyLike, newPolicy: PolicyLike): PolicyDiff {
  const oldDict = oldPolicy ?? {};
  const newDict = newPolicy ?? {};

  const filesystem: FilesystemDiff = {};
  const oldFs = section(oldDict, 'filesystem');
  const newFs = section(newDict, 'filesystem');
  for (const list of ['read_only', 'read_write'] as const) {
    const before = new Set(stringList(oldFs[list]));
    const after = new Set(stringList(newFs[list]));
    const added = [...after].filter((p) => !before.has(p)).sort(compareCodePoints);
    const removed = [...before].filter((p) => !after.has(p)).sort(compareCodePoints);
    if (added.length > 0) filesystem[`${list}_added`] = added;
    if (removed.length > 0) filesystem[`${list}_removed`] = removed;
  }
  const oldWorkdir = pyTruthy(oldFs['include_workdir']);
  const newWorkdir = pyTruthy(newFs['include_workdir']);
  if (oldWorkdir !== newWorkdir) filesystem.include_workdir_changed = [oldWorkdir, newWorkdir];

  const process: ProcessDiff = {};
  const oldProcess = section(oldDict, 'process');
  const newProcess = section(newDict, 'process');
  for (const field of ['run_as_user', 'run_as_group'] as const) {
    const before = oldProcess[field] ?? '';
    const after = newProcess[field] ?? '';
    if (!pyEquals(before, after)) process[`${field}_changed`] = [String(before), String(after)];
  }

  const oldRules = section(oldDict, 'network_policies');
  const newRules = section(newDict, 'network_policies');
  const oldKeys = Object.keys(oldRules);
  const newKeys = Object.keys(newRules);
  const network_policies: NetworkPoliciesDiff = {
    added: newKeys.filter((k) => !Object.hasOwn(oldRules, k)).sort(compareCodePoints),
    removed: oldKeys.filter((k) => !Object.hasOwn(newRules, k)).sort(compareCodePoints),
    changed: oldKeys
      .filter((k) => Object.hasOwn(newRules, k) && !pyEquals(oldRules[k], newRules[k]))
      .sort(compareCodePoints),
  };
  return { filesystem, process, network_policies };
}

/** ShoreGuard's `is_empty`: no section reports a change. Drift = `!isEmptyDiff(diff)`. */
export function isEmptyDiff(diff: PolicyDiff): boolean {
  const np = diff.network_policies;
  return (
    Object.keys(diff.filesystem).length === 0 &&
    Object.keys(diff.process).length === 0 &&
    np.added.length === 0 &&
    np.removed.length === 0 &&
    np.changed.length === 0
  );
}

export interface DiffSummary {
  readonly filesystem: number;
  readonly process: number;
  readonly network_policies: number;
  readonly total: number;
}

/** ShoreGuard's audit `diff_summary`: one per path / flipped flag / process field / rule key. */
export function summarizeDiff(diff: PolicyDiff): DiffSummary {
  const fs = diff.filesystem;
  const filesystem =
    (fs.read_only_added?.length ?? 0) +
    (fs.read_only_removed?.length ?? 0) +
    (fs.read_write_added?.length ?? 0) +
    (fs.read_write_removed?.length ?? 0) +
    (fs.include_workdir_changed === undefined ? 0 : 1);
  const process = Object.keys(diff.process).length;
  const np = diff.network_policies;
  const networkPolicies = np.added.length + np.removed.length + np.changed.length;
  return { filesystem, process, network_policies: networkPolicies, total: filesystem + process + networkPolicies };
}

/**
 * True when the diff touches nothing but `network_policies` (an empty diff included), i.e.
 * `--mode auto` may use `mode: merge`. The diff cannot show landlock or version changes, which
 * merge also refuses; when both policies are at hand, `checkMerge` is the exact test.
 */
export function isMergeable(diff: PolicyDiff): boolean {
  return Object.keys(diff.filesystem).length === 0 && Object.keys(diff.process).length === 0;
}

export type MergeCheck =
  | { readonly mergeable: true }
  | { readonly mergeable: false; readonly section: 'filesystem' | 'process' | 'landlock' | 'version'; readonly reason: string };

/** ShoreGuard's `_reject_unsupported_sections` (§10.8): would `mode: merge` be refused? */
export function checkMerge(current: PolicyLike, target: PolicyLike): MergeCheck {
  const before = current ?? {};
  const after = target ?? {};
  for (const name of ['filesystem', 'process', 'landlock'] as const) {
    if (!pyEquals(before[name], after[name])) {
      return {
        mergeable: false,
        section: name,
        reason: `mode=merge cannot express changes to the '${name}' section; use mode=replace for filesystem / process / landlock / version updates`,
      };
    }
  }
  const currentVersion = before['version'];
  const targetVersion = after['version'];
  const isSet = (v: unknown) => v !== undefined && v !== null && v !== 0;
  if (isSet(currentVersion) && isSet(targetVersion) && !pyEquals(currentVersion, targetVersion)) {
    return {
      mergeable: false,
      section: 'version',
      reason: 'mode=merge cannot express a version bump; the gateway assigns revisions automatically',
    };
  }
  return { mergeable: true };
}

export interface IgnoredChange {
  /** `landlock`, `version`, `filesystem`, `process` or the name of an unknown section. */
  readonly section: string;
  /**
   * True when ShoreGuard would still write this change because other changes trigger a
   * replace; false when the change alone would be reported `up_to_date` and never written.
   */
  readonly writtenWithOtherChanges: boolean;
  readonly message: string;
}

const KNOWN_SECTIONS = new Set(['version', 'filesystem', 'process', 'landlock', 'network_policies']);

/**
 * Changes between two policies that ShoreGuard's diff does not see (§10.6, trap 9): landlock
 * and version edits, filesystem edits that only reorder or repeat paths or spell out defaults,
 * and unknown sections. An empty result means every difference shows in `diffPolicy`.
 */
export function explainIgnoredChanges(oldPolicy: PolicyLike, newPolicy: PolicyLike): IgnoredChange[] {
  const before = oldPolicy ?? {};
  const after = newPolicy ?? {};
  if (pyEquals(before, after)) return [];
  const diff = diffPolicy(before, after);
  const otherChanges = !isEmptyDiff(diff);
  const changes: IgnoredChange[] = [];
  const note = otherChanges
    ? 'it is not shown in the diff but is written together with the other changes'
    : 'on its own ShoreGuard reports up_to_date and never writes it';

  if (!pyEquals(before['landlock'], after['landlock'])) {
    changes.push({ section: 'landlock', writtenWithOtherChanges: otherChanges, message: `ShoreGuard's diff ignores landlock; ${note}` });
  }
  if (!pyEquals(before['version'], after['version'])) {
    changes.push({ section: 'version', writtenWithOtherChanges: otherChanges, message: `ShoreGuard's diff ignores policy.version; ${note}` });
  }
  if (Object.keys(diff.filesystem).length === 0 && !pyEquals(before['filesystem'], after['filesystem'])) {
    changes.push({
      section: 'filesystem',
      writtenWithOtherChanges: otherChanges,
      message: `only the order, duplicates or default values of filesystem changed, which ShoreGuard's diff does not count; ${note}`,
    });
  }
  if (Object.keys(diff.process).length === 0 && !pyEquals(before['process'], after['process'])) {
    changes.push({
      section: 'process',
      writtenWithOtherChanges: otherChanges,
      message: `only default values of process changed, which ShoreGuard's diff does not count; ${note}`,
    });
  }
  const unknown = new Set([...Object.keys(before), ...Object.keys(after)].filter((k) => !KNOWN_SECTIONS.has(k)));
  for (const name of [...unknown].sort(compareCodePoints)) {
    if (pyEquals(before[name], after[name])) continue;
    changes.push({
      section: name,
      writtenWithOtherChanges: false,
      message: `ShoreGuard does not know the policy section '${name}' and drops it on every write`,
    });
  }
  return changes;
}

/** True when the policies differ but ShoreGuard would answer `up_to_date` and write nothing. */
export function wouldBeIgnored(oldPolicy: PolicyLike, newPolicy: PolicyLike): boolean {
  return !pyEquals(oldPolicy ?? {}, newPolicy ?? {}) && isEmptyDiff(diffPolicy(oldPolicy, newPolicy));
}

/**
 * Python `==` on JSON-like values: dict equality ignores key order, list order matters, and
 * numbers and booleans compare by value (`True == 1`).
 */
export function pyEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const numericA = typeof a === 'number' || typeof a === 'boolean';
  const numericB = typeof b === 'number' || typeof b === 'boolean';
  if (numericA && numericB) return Number(a) === Number(b);
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => pyEquals(item, b[i]));
  }
  if (isMapping(a) && isMapping(b)) {
    const keys = Object.keys(a).filter((k) => a[k] !== undefined);
    if (keys.length !== Object.keys(b).filter((k) => b[k] !== undefined).length) return false;
    return keys.every((k) => Object.hasOwn(b, k) && pyEquals(a[k], b[k]));
  }
  return false;
}

/** Python truthiness: empty string, 0, empty collections, null and undefined are false. */
function pyTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (isMapping(value)) return Object.keys(value).length > 0;
  return Boolean(value);
}


/** `policy.get(name) or {}`. */
function section(policy: Readonly<Record<string, unknown>>, name: string): Record<string, unknown> {
  const value = policy[name];
  return isMapping(value) ? value : {};
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}
