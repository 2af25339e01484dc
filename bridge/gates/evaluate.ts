/**
 * Runs a rule set over one parsed document: each finding gets its severity, its line and column
 * (source.ts maps document paths back to the file), and is checked against the suppressions.
 * Unsuppressed errors and warnings become problems of the target, so every reporter shows them;
 * all findings (notes and suppressed ones too) go into the target's GateSummary.
 */
import { describeThrown } from '../core/errors';
import { formatPath, type PathSegment, type Problem, type Severity } from '../core/problems';
import type { SourceIndex } from '../document/source';
import type { GateFinding, GateSeverity, GateSummary } from '../report/gates';
import { builtinRuleId, SUPPRESSION_RULES } from './builtin';
import type { RuleSet } from './ruleset';
import { fileSuppressionMatches, isExpired, parseInlineSuppressions, type InlineSuppression } from './suppressions';
import type { RawFinding, TargetInfo } from './types';
import { policyView } from './view';

export interface GateInput {
  readonly document: { readonly metadata?: unknown; readonly policy: unknown };
  readonly source?: SourceIndex;
  /** The file's text, for inline suppressions. */
  readonly text?: string;
  readonly target: TargetInfo;
}

export interface GateResult {
  readonly problems: readonly Problem[];
  readonly summary: GateSummary;
}

interface Located {
  readonly line?: number;
  readonly column?: number;
}

function locate(source: SourceIndex | undefined, segments: readonly PathSegment[]): Located {
  const position = source?.locate(segments, typeof segments[segments.length - 1] === 'string' ? 'key' : 'value');
  return position === undefined ? {} : { line: position.line, column: position.column };
}

/** Lines of the finding's node and of every node around it, for inline suppressions. */
function ancestorLines(source: SourceIndex | undefined, segments: readonly PathSegment[]): Set<number> {
  const lines = new Set<number>();
  for (let k = 1; k <= segments.length; k++) {
    const line = locate(source, segments.slice(0, k)).line;
    if (line !== undefined) lines.add(line);
  }
  return lines;
}

const SUPPRESSION_META = new Map(SUPPRESSION_RULES.map((r) => [r.id, r]));

export function evaluateGates(ruleSet: RuleSet, input: GateInput): GateResult {
  const view = policyView(input.document);
  const inline = input.text === undefined ? [] : parseInlineSuppressions(input.text);
  const idOf = new Map(ruleSet.catalog.flatMap((r) => [[r.id, r.id] as const, [r.name, r.id] as const]));
  const findings: GateFinding[] = [];
  const problems: Problem[] = [];

  const record = (ruleId: string, name: string, severity: GateSeverity, raw: RawFinding, where: Located, suppressed?: GateFinding['suppressed']) => {
    const at = formatPath(raw.path);
    findings.push({
      ruleId,
      severity,
      message: raw.message,
      file: input.target.file,
      ...(where.line === undefined ? {} : { line: where.line, column: where.column }),
      path: at,
      ...(suppressed === undefined ? {} : { suppressed }),
    });
    if (suppressed !== undefined || severity === 'note') return;
    problems.push({
      ...(input.target.file === null ? {} : { file: input.target.file }),
      ...where,
      path: at,
      code: 'gate_finding',
      rule: ruleId,
      message: `${name === ruleId ? ruleId : `${ruleId} ${name}`}: ${raw.message}`,
      severity: severity as Severity,
    });
  };

  // Suppressions that are themselves findings; the usable ones by rule id.
  const usable: InlineSuppression[] = [];
  for (const s of inline) {
    const id = idOf.get(s.rule);
    const raw = (message: string): RawFinding => ({ path: [], message });
    const flag = (ruleId: string, message: string) => {
      const severity = ruleSet.suppressionSeverity.get(ruleId) ?? 'error';
      if (severity !== 'off') record(ruleId, SUPPRESSION_META.get(ruleId)!.name, severity, raw(message), { line: s.line, column: 1 });
    };
    // A built-in rule this run does not load (`--rules` without the pack) is not a typo: nothing to hide, nothing to say.
    if (id === undefined && builtinRuleId(s.rule) !== undefined) continue;
    if (id === undefined) flag('SG902', `line ${s.line}: the suppression names ${JSON.stringify(s.rule)}, which is not a loaded rule`);
    else if (SUPPRESSION_META.has(id)) flag('SG902', `line ${s.line}: ${id} cannot be suppressed`);
    else if (s.reason === undefined) flag('SG901', `line ${s.line}: the suppression of ${id} has no reason, so it hides nothing`);
    else if (s.badExpiry !== undefined) flag('SG900', `line ${s.line}: expires=${s.badExpiry} is not a YYYY-MM-DD date, so the suppression of ${id} hides nothing`);
    else if (isExpired(s.expires, ruleSet.today)) flag('SG900', `line ${s.line}: the suppression of ${id} expired on ${s.expires}, so it hides nothing`);
    else usable.push({ ...s, rule: id });
  }

  for (const rule of ruleSet.rules) {
    if (rule.severity === 'off') continue;
    let raws: RawFinding[];
    try {
      raws = rule.check({ view, target: input.target });
    } catch (error) {
      // A rule that crashes must not pass silently.
      raws = [{ path: ['policy'], message: `the rule failed: ${describeThrown(error).message.split('\n')[0]}` }];
    }
    for (const raw of raws) {
      const where = locate(input.source, raw.path);
      let suppressed: GateFinding['suppressed'];
      const candidates = usable.filter((s) => s.rule === rule.id);
      if (candidates.length > 0) {
        const lines = ancestorLines(input.source, raw.path);
        const hit = candidates.find((s) => lines.has(s.anchorLine));
        if (hit !== undefined) suppressed = { reason: hit.reason!, ...(hit.expires === undefined ? {} : { expires: hit.expires }), kind: 'inSource' };
      }
      if (suppressed === undefined) {
        const hit = ruleSet.suppressions.find((s) => fileSuppressionMatches(s, rule.id, input.target, raw.path));
        if (hit !== undefined) suppressed = { reason: hit.reason, ...(hit.expires === undefined ? {} : { expires: hit.expires }), kind: 'external' };
      }
      record(rule.id, rule.name, rule.severity, raw, where, suppressed);
    }
  }
  return { problems, summary: summarize(ruleSet.packs, findings) };
}

export function summarize(packs: readonly string[], findings: readonly GateFinding[]): GateSummary {
  const live = findings.filter((f) => f.suppressed === undefined);
  return {
    packs,
    errors: live.filter((f) => f.severity === 'error').length,
    warnings: live.filter((f) => f.severity === 'warning').length,
    suppressed: findings.length - live.length,
    findings,
  };
}
