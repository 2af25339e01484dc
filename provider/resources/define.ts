/**
 * The parts every handler shares: schema lookup, `check` (zod + optional extra rules), `diff`
 * (schema-driven, with per-attribute comparators) and the "keep the user's spelling" step of read.
 */
import type { z } from 'zod';
import { type Comparator, computeDiff, keepPriorSpelling } from './compare';
import { type BlockSpec, inputAttributes, resourceSchema } from './schema';
import type { AttributeProblem, Attributes, CheckResult, ResourceDiff } from './types';
import { parseAttributes } from './validate';

export interface BasicsOptions<I extends Attributes> {
  /** schema.json resource type. */
  readonly type: string;
  /** zod schema of the input attributes (fills server defaults). */
  readonly inputs: z.ZodType<I>;
  /** Input attributes whose change forces replacement. */
  readonly replaceOn: readonly string[];
  readonly comparators?: Readonly<Record<string, Comparator>>;
  /**
   * Whether a replacement touching these attributes must delete first because the natural key
   * stays the same. @default never
   */
  readonly deleteFirst?: (replaces: readonly string[]) => boolean;
  /** Rules that need the prior value (e.g. "a new expiry must be in the future"). */
  readonly refine?: (inputs: I, prior: Attributes | undefined) => readonly AttributeProblem[];
}

export interface ResourceBasics<I extends Attributes> {
  readonly type: string;
  readonly block: BlockSpec;
  readonly replaceOn: readonly string[];
  readonly deleteBeforeReplace: boolean;
  check(raw: Attributes, prior?: Attributes): CheckResult<I>;
  diff(prior: Attributes, inputs: I): ResourceDiff;
  /** Live state with the prior spelling kept where the values are equal. */
  keepSpelling<S extends Attributes>(prior: Attributes | undefined, live: S): S;
}

export function defineBasics<I extends Attributes>(options: BasicsOptions<I>): ResourceBasics<I> {
  const block = resourceSchema(options.type);
  const declared = new Set(inputAttributes(block).map((a) => a.name));
  for (const name of options.replaceOn) {
    if (!declared.has(name)) throw new Error(`${options.type}: replaceOn names ${name}, which schema.json does not declare as an input`);
  }
  const deleteFirst = options.deleteFirst ?? (() => false);
  const rules = { replaceOn: options.replaceOn, deleteBeforeReplace: deleteFirst, ...(options.comparators ? { comparators: options.comparators } : {}) };
  return {
    type: options.type,
    block,
    replaceOn: options.replaceOn,
    deleteBeforeReplace: options.replaceOn.some((name) => deleteFirst([name])),
    check(raw, prior) {
      const parsed = parseAttributes(options.inputs, raw);
      if (!parsed.ok || !options.refine) return parsed;
      const problems = options.refine(parsed.inputs, prior);
      return problems.length === 0 ? parsed : { ok: false, problems };
    },
    diff: (prior, inputs) => computeDiff(block, rules, prior, inputs),
    keepSpelling: (prior, live) => keepPriorSpelling(block, rules, prior, live),
  };
}
