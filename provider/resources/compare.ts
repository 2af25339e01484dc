/**
 * Comparing attribute values the way ShoreGuard normalises them, so a refresh followed by an
 * unchanged program shows no diff: an absent map equals `{}` (the server returns `{}` for "no
 * labels"), timestamps compare as instants (`Z` vs `+00:00` vs no offset), lists compare in order
 * (lists the server sorts are sorted by `check`).
 */
import type { AttributeSpec, BlockSpec } from './schema';
import { inputAttributes } from './schema';
import type { AttributeValue, Attributes, ResourceDiff } from './types';
import { instant } from './validate';

/** Compares two values of one attribute. */
export type Comparator = (a: AttributeValue | undefined, b: AttributeValue | undefined) => boolean;

/** `undefined`, `null`, `{}` and `[]` all mean "nothing set". */
export function isEmptyValue(value: AttributeValue | undefined): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

/** Structural equality of attribute values, with every empty form equal. */
export function sameValue(a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  if (isEmptyValue(a) || isEmptyValue(b)) return isEmptyValue(a) && isEmptyValue(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, index) => item === b[index]);
  }
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    const left = a as Readonly<Record<string, string>>;
    const right = b as Readonly<Record<string, string>>;
    const keys = Object.keys(left);
    return keys.length === Object.keys(right).length && keys.every((key) => Object.hasOwn(right, key) && left[key] === right[key]);
  }
  return a === b;
}

/** Timestamps are equal when they denote the same instant, whatever their spelling. */
export const sameInstant: Comparator = (a, b) => {
  if (typeof a === 'string' && typeof b === 'string') {
    try {
      return instant(a) === instant(b);
    } catch {
      return a === b;
    }
  }
  return sameValue(a, b);
};

/** How {@link computeDiff} treats one resource type. */
export interface DiffRules {
  /** Input attributes whose change forces replacement. */
  readonly replaceOn: readonly string[];
  /** Per-attribute comparators; the default is {@link sameValue}. */
  readonly comparators?: Readonly<Record<string, Comparator>>;
  /** Whether a replacement with these attributes must delete first (same natural key). */
  readonly deleteBeforeReplace: (replaces: readonly string[]) => boolean;
}

/**
 * Compares prior state with validated inputs over the block's input attributes. An optional and
 * computed attribute left unset (e.g. a hook's `order`) is the server's to choose and never counts.
 */
export function computeDiff(block: BlockSpec, rules: DiffRules, prior: Attributes, inputs: Attributes): ResourceDiff {
  const changed: string[] = [];
  for (const attribute of inputAttributes(block)) {
    const wanted = inputs[attribute.name];
    if (attribute.computed && (wanted === undefined || wanted === null)) continue;
    if (!comparatorFor(rules, attribute)(prior[attribute.name], wanted)) changed.push(attribute.name);
  }
  const replaces = changed.filter((name) => rules.replaceOn.includes(name));
  return { changed, replaces, deleteBeforeReplace: replaces.length > 0 && rules.deleteBeforeReplace(replaces) };
}

function comparatorFor(rules: DiffRules, attribute: AttributeSpec): Comparator {
  return rules.comparators?.[attribute.name] ?? sameValue;
}

/** True for a string ShoreGuard would send as a timestamp (ISO-8601 date-time). */
function looksLikeTimestamp(value: AttributeValue | undefined): value is string {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(value);
}

/**
 * Returns `live` with an attribute replaced by the prior value when the two are equal: input
 * attributes by the rules, computed timestamps when they denote the same instant (ShoreGuard
 * answers `+00:00` when it creates an object and no offset when it reads it back from SQLite). So
 * the server's spelling never shows up as drift or as a changed output after a refresh, and state
 * keeps what the user wrote.
 */
export function keepPriorSpelling<S extends Attributes>(block: BlockSpec, rules: Pick<DiffRules, 'comparators'>, prior: Attributes | undefined, live: S): S {
  if (!prior) return live;
  const merged: Attributes = { ...live };
  const inputs = new Set(inputAttributes(block).map((a) => a.name));
  for (const attribute of block.attributes) {
    const before = prior[attribute.name];
    const now = live[attribute.name];
    if (before === undefined) continue;
    const same = inputs.has(attribute.name)
      ? (rules.comparators?.[attribute.name] ?? sameValue)(before, now)
      : looksLikeTimestamp(before) && looksLikeTimestamp(now) && sameInstant(before, now);
    if (same) merged[attribute.name] = before;
  }
  return merged as S;
}
