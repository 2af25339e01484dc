/** The policy gates (`--rules`): the built-in pack, rule files (CEL, Rego via OPA wasm), suppressions. */
export { BUILTIN_PACK, BUILTIN_RULES, SUPPRESSION_RULES, builtinRuleId } from './builtin';
export { evaluateGates, summarize as summarizeGateFindings, type GateInput, type GateResult } from './evaluate';
export { GateRulesError, loadRuleFile, type FileSuppression, type LoadedRuleFile, type RuleFile } from './rule-file';
export { BUILTIN_SPEC, loadRuleSet, type RuleSet, type RuleSetOptions } from './ruleset';
export { parseInlineSuppressions, type InlineSuppression } from './suppressions';
export type { CompiledRule, ConfiguredSeverity, RuleMeta, TargetInfo } from './types';
export { policyView, SCOPES, SCOPE_VARIABLES, type PolicyView, type ScopeName } from './view';
export type { GateFinding, GateSeverity, GateSummary } from '../report/gates';
