/** `--rules` for validate/plan/apply/sync: the rule set, loaded (and checked) before any policy file is read. */
import type { Problem } from '../core/problems';
import { loadRuleSet, type RuleSet } from '../gates/ruleset';
import type { SarifRuleInfo } from '../report/render-sarif';
import type { Output } from './io';

export interface RunGates {
  /** Passed to validate/load: undefined without --rules. */
  readonly options: { readonly gates?: RuleSet };
  /** Findings about the rule files themselves (run-level problems). */
  readonly problems: readonly Problem[];
  /** Rule metadata for SARIF. */
  readonly catalog?: readonly SarifRuleInfo[];
}

export async function loadGates(flags: { readonly rules?: readonly string[] | undefined }, io: Output): Promise<RunGates> {
  if (flags.rules === undefined || flags.rules.length === 0) return { options: {}, problems: [] };
  const ruleSet = await loadRuleSet(flags.rules, { env: { ...process.env, ...io.env } });
  return { options: { gates: ruleSet }, problems: ruleSet.problems, catalog: ruleSet.catalog };
}
