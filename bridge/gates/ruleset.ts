/**
 * `--rules` → the rule set of a run. Each spec is `builtin` (the built-in pack at its default
 * severities), a rule file, or a directory (every `*.yaml`/`*.yml` in it, in name order, like
 * conftest's `--policy DIR`). Specs add up; a rule file's `builtin:` section turns the pack on
 * with its overrides (later files win). Everything is checked before the first policy is read.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Problem } from '../core/problems';
import { BUILTIN_PACK, BUILTIN_RULES, builtinRuleId, builtinRules, SUPPRESSION_RULES } from './builtin';
import { GateRulesError, loadRuleFile, type FileSuppression, type LoadedRuleFile } from './rule-file';
import { isExpired, today } from './suppressions';
import type { CompiledRule, ConfiguredSeverity, RuleMeta } from './types';

export const BUILTIN_SPEC = 'builtin';

export interface RuleSet {
  /** What was evaluated: `builtin@<version>` and the rule files, as given. */
  readonly packs: readonly string[];
  /** The rules that run (not `off`). */
  readonly rules: readonly CompiledRule[];
  /** Every rule known to the run, `off` ones and the suppression rules included (SARIF lists them). */
  readonly catalog: readonly RuleMeta[];
  /** Rule-file suppressions that apply (with a reason, not expired). */
  readonly suppressions: readonly FileSuppression[];
  /** Severity of the suppression rules (SG900…), after overrides. */
  readonly suppressionSeverity: ReadonlyMap<string, ConfiguredSeverity>;
  /** Findings about the rule files themselves (expired or reasonless suppressions): run-level problems. */
  readonly problems: readonly Problem[];
  /** The day suppressions are checked against (YYYY-MM-DD). */
  readonly today: string;
}

export interface RuleSetOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** @default the current UTC day */
  readonly today?: string;
}

async function ruleFilesOf(spec: string): Promise<string[]> {
  let stat;
  try {
    stat = await fs.stat(spec);
  } catch {
    throw new GateRulesError(spec, ['no such file or directory (--rules takes `builtin`, a rule file, or a directory of rule files)']);
  }
  if (!stat.isDirectory()) return [spec];
  const files = (await fs.readdir(spec)).filter((name) => /\.ya?ml$/.test(name)).sort();
  if (files.length === 0) throw new GateRulesError(spec, ['the directory holds no rule files (*.yaml, *.yml)']);
  return files.map((name) => path.join(spec, name));
}

/** Loads every `--rules` spec. Throws GateRulesError (exit 2, nothing read or sent) on any bad file. */
export async function loadRuleSet(specs: readonly string[], options: RuleSetOptions = {}): Promise<RuleSet> {
  const day = options.today ?? today();
  let builtinOn = false;
  const overrides = new Map<string, ConfiguredSeverity>();
  const files: LoadedRuleFile[] = [];
  const packs: string[] = [];
  for (const spec of specs) {
    if (spec === BUILTIN_SPEC) {
      builtinOn = true;
      continue;
    }
    for (const file of await ruleFilesOf(spec)) {
      const loaded = await loadRuleFile(file, options.env);
      files.push(loaded);
      packs.push(file);
      if (loaded.builtin !== undefined) {
        builtinOn = true;
        for (const [id, severity] of loaded.builtin) overrides.set(id, severity);
      }
    }
  }
  const owner = new Map<string, string>();
  for (const file of files)
    for (const rule of file.declared) {
      const other = owner.get(rule.id);
      if (other !== undefined && other !== file.file) throw new GateRulesError(file.file, [`rule id ${JSON.stringify(rule.id)} is declared in ${other} too`]);
      owner.set(rule.id, file.file);
    }

  const suppressionSeverity = new Map(SUPPRESSION_RULES.map((r) => [r.id, overrides.get(r.id) ?? r.severity] as const));
  const rules: CompiledRule[] = [...(builtinOn ? builtinRules(overrides) : []), ...files.flatMap((f) => f.rules)];
  const catalog: RuleMeta[] = [
    ...(builtinOn ? BUILTIN_RULES.map((r) => ({ ...r, severity: overrides.get(r.id) ?? r.severity })) : []),
    ...files.flatMap((f) => f.declared.map((d) => ({ ...d, name: d.id, origin: f.file }))),
    ...SUPPRESSION_RULES.map((r) => ({ ...r, severity: suppressionSeverity.get(r.id)! })),
  ];

  const suppressions: FileSuppression[] = [];
  const problems: Problem[] = [];
  const finding = (ruleId: string, s: { origin: FileSuppression['origin'] }, message: string) => {
    const severity = suppressionSeverity.get(ruleId)!;
    if (severity !== 'error' && severity !== 'warning') return;
    const meta = SUPPRESSION_RULES.find((r) => r.id === ruleId)!;
    problems.push({
      file: s.origin.file,
      ...(s.origin.line === undefined ? {} : { line: s.origin.line }),
      path: 'suppressions',
      code: 'gate_finding',
      rule: ruleId,
      message: `${ruleId} ${meta.name}: ${message}`,
      severity,
    });
  };
  for (const file of files)
    for (const s of file.suppressions) {
      const id = builtinRuleId(s.rule) ?? (owner.has(s.rule) ? s.rule : undefined);
      if (id === undefined) throw new GateRulesError(file.file, [`${s.origin.line ?? '?'}: suppressions: unknown rule id ${JSON.stringify(s.rule)}`]);
      if (SUPPRESSION_RULES.some((r) => r.id === id)) throw new GateRulesError(file.file, [`${s.origin.line ?? '?'}: suppressions: ${id} cannot be suppressed (fix the suppression instead)`]);
      if (s.reason === undefined) finding('SG901', s, `the suppression of ${id} has no reason, so it hides nothing`);
      else if (isExpired(s.expires, day)) finding('SG900', s, `the suppression of ${id} expired on ${s.expires}, so it hides nothing`);
      else suppressions.push({ ...s, rule: id, reason: s.reason });
    }
  return { packs: [...(builtinOn ? [BUILTIN_PACK] : []), ...packs], rules, catalog, suppressions, suppressionSeverity, problems, today: day };
}
