/**
 * `diff_policy` from ShoreGuard's `policy_diff.py` (§10.6), with Python semantics kept: paths are
 * compared as sets and sorted, `include_workdir` by truthiness, `run_as_*` by `==`, network rules by
 * plain deep equality. Landlock, `version` and unknown keys are not looked at. Values of the wrong
 * type raise `PythonTypeError` exactly where the Python code would raise.
 */
import {
  isPyDict,
  pyEquals,
  pyGet,
  pySet,
  pySorted,
  pyTruthy,
  PythonTypeError,
  pyTypeName,
  type PyValue,
} from '../core/python';

export interface NetworkPoliciesDiff {
  added: PyValue[];
  removed: PyValue[];
  changed: PyValue[];
}

export interface PolicyDiff {
  filesystem: { [key: string]: PyValue };
  process: { [key: string]: PyValue };
  network_policies: NetworkPoliciesDiff;
}

/** `a - b` for the lists `pySet` returns. */
function difference(a: PyValue[], b: PyValue[]): PyValue[] {
  return a.filter((item) => !b.some((other) => pyEquals(item, other)));
}

function intersection(a: PyValue[], b: PyValue[]): PyValue[] {
  return a.filter((item) => b.some((other) => pyEquals(item, other)));
}

/** `container[key]` for a dict (or, as Python allows, a list/str indexed by an int). */
function pyIndex(container: PyValue, key: PyValue): PyValue {
  if (isPyDict(container) && typeof key === 'string') return container[key] as PyValue;
  if ((Array.isArray(container) || typeof container === 'string') && typeof key === 'number' && Number.isInteger(key)) {
    const items = Array.isArray(container) ? container : Array.from(container);
    const value = items[key < 0 ? items.length + key : key];
    if (value === undefined) throw new PythonTypeError('index out of range');
    return value;
  }
  throw new PythonTypeError(`'${pyTypeName(container)}' indices must be integers`);
}

/** `value or {}` */
function orEmptyDict(value: PyValue): PyValue {
  return pyTruthy(value) ? value : {};
}

export function diffPolicy(oldPolicy: PyValue, newPolicy: PyValue): PolicyDiff {
  const oldRoot = orEmptyDict(oldPolicy);
  const newRoot = orEmptyDict(newPolicy);

  const filesystem: { [key: string]: PyValue } = {};
  const oldFs = orEmptyDict(pyGet(oldRoot, 'filesystem', null));
  const newFs = orEmptyDict(pyGet(newRoot, 'filesystem', null));
  for (const list of ['read_only', 'read_write'] as const) {
    const oldSet = pySet(pyGet(oldFs, list, []));
    const newSet = pySet(pyGet(newFs, list, []));
    const added = pySorted(difference(newSet, oldSet));
    if (added.length > 0) filesystem[`${list}_added`] = added;
    const removed = pySorted(difference(oldSet, newSet));
    if (removed.length > 0) filesystem[`${list}_removed`] = removed;
  }
  const oldWorkdir = pyTruthy(pyGet(oldFs, 'include_workdir', false));
  const newWorkdir = pyTruthy(pyGet(newFs, 'include_workdir', false));
  if (oldWorkdir !== newWorkdir) filesystem['include_workdir_changed'] = [oldWorkdir, newWorkdir];

  const process: { [key: string]: PyValue } = {};
  const oldProcess = orEmptyDict(pyGet(oldRoot, 'process', null));
  const newProcess = orEmptyDict(pyGet(newRoot, 'process', null));
  for (const field of ['run_as_user', 'run_as_group'] as const) {
    const before = pyGet(oldProcess, field, '');
    const after = pyGet(newProcess, field, '');
    if (!pyEquals(before, after)) process[`${field}_changed`] = [before, after];
  }

  const oldRules = orEmptyDict(pyGet(oldRoot, 'network_policies', null));
  const newRules = orEmptyDict(pyGet(newRoot, 'network_policies', null));
  const oldKeys = pySet(oldRules);
  const newKeys = pySet(newRules);
  const changedKeys = intersection(oldKeys, newKeys).filter(
    (key) => !pyEquals(pyIndex(oldRules, key), pyIndex(newRules, key)),
  );
  return {
    filesystem,
    process,
    network_policies: {
      added: pySorted(difference(newKeys, oldKeys)),
      removed: pySorted(difference(oldKeys, newKeys)),
      changed: pySorted(changedKeys),
    },
  };
}

/** `is_empty`: no filesystem/process entries and no network rule added, removed or changed. */
export function isEmptyDiff(diff: PolicyDiff): boolean {
  const network = diff.network_policies;
  return (
    Object.keys(diff.filesystem).length === 0 &&
    Object.keys(diff.process).length === 0 &&
    network.added.length === 0 &&
    network.removed.length === 0 &&
    network.changed.length === 0
  );
}
