/**
 * Rule files (`--rules FILE`, conventionally `.shoreguard-rules.yaml`, kept in Git): custom CEL
 * rules, Rego rules through OPA's wasm build, severity overrides of the built-in pack and
 * suppressions. Checked with zod (unknown fields are errors); CEL is compiled and Rego loaded
 * when the file loads, so a broken rule file stops the run before anything is read or sent.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { BridgeError, describeThrown } from '../core/errors';
import type { PathSegment } from '../core/problems';
import { composeYaml } from '../document/source';
import { builtinRuleId } from './builtin';
import { compileCel, DOCUMENT_VARIABLES, firstLine, type CelProgram } from './cel';
import { evaluateRego, loadRego, RegoLoadError } from './rego';
import type { CompiledRule, ConfiguredSeverity, RawFinding } from './types';
import { SCOPE_VARIABLES, SCOPES, scopeItems, type ScopeName } from './view';

/** A rule file that cannot be used; names the file, the line and the field. */
export class GateRulesError extends BridgeError {
  readonly code = 'GATE_RULES_INVALID' as const;
  override readonly name = 'GateRulesError';

  constructor(
    readonly file: string,
    readonly issues: readonly string[],
  ) {
    const shown = issues.slice(0, 5);
    const more = issues.length > shown.length ? `\n  … and ${issues.length - shown.length} more` : '';
    super(`invalid rule file ${file}:\n  ${shown.join('\n  ')}${more}`);
  }
}

// YAML 1.1 (the policy reader's dialect, used here too) reads a plain `off` as false: accept it.
const severity = z.preprocess((value) => (value === false ? 'off' : value), z.enum(['error', 'warning', 'note', 'off']));
/** Custom ids must not look like built-in ones (`SG…` is reserved). */
const ruleId = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, 'a rule id is a letter then up to 63 letters, digits, `_`, `.` or `-`')
  .refine((id) => !/^SG\d+$/i.test(id), 'ids SG<number> are reserved for the built-in pack');

const celRule = z.strictObject({
  id: ruleId,
  severity: severity.default('error'),
  scope: z.enum(SCOPES as [ScopeName, ...ScopeName[]]).default('document'),
  /** Only objects for which this holds are checked (like matchConditions). */
  when: z.string().min(1).optional(),
  /** Must be true for a compliant object (ValidatingAdmissionPolicy's `expression`). */
  expression: z.string().min(1),
  message: z.string().min(1),
  /** A CEL string expression giving the message instead (ValidatingAdmissionPolicy's `messageExpression`). */
  messageExpression: z.string().min(1).optional(),
  description: z.string().optional(),
});

const regoRule = z
  .strictObject({
    id: ruleId,
    severity: severity.default('error'),
    /** A prebuilt policy.wasm, or the bundle.tar.gz of `opa build -t wasm` (relative to the rule file). */
    wasm: z.string().min(1).optional(),
    /** A .rego source (relative to the rule file), compiled at run time with the opa binary. */
    rego: z.string().min(1).optional(),
    /** The rule to evaluate, as given to `opa build -e` (e.g. `shoreguard/deny`; conftest's `package main` → `main/deny`). */
    entrypoint: z.string().min(1),
    /** With `rego:`: the source is pre-1.0 Rego (`opa build --v0-compatible`). */
    v0Compatible: z.boolean().optional(),
    message: z.string().min(1).default('Rego rule violated'),
    description: z.string().optional(),
  })
  .refine((r) => (r.wasm === undefined) !== (r.rego === undefined), { message: 'give exactly one of wasm or rego', path: ['wasm'] });

const suppression = z.strictObject({
  rule: z.string().min(1),
  /** Globs of policy files as given on the command line (default: every file). */
  files: z.array(z.string().min(1)).optional(),
  /** Globs of `gateway/sandbox` targets. */
  targets: z.array(z.string().min(1)).optional(),
  /** Only findings at or under this document path (`policy.network_policies.github`). */
  path: z.string().min(1).optional(),
  reason: z.string().optional(),
  /** YYYY-MM-DD: after this day the suppression stops hiding the finding and is a finding itself. */
  expires: z.iso.date().optional(),
});

const ruleFileSchema = z.strictObject({
  /** Turns the built-in pack on (like `--rules builtin`); maps rule id or name → severity. */
  builtin: z.record(z.string(), severity).optional(),
  rules: z.array(celRule).optional(),
  rego: z.array(regoRule).optional(),
  suppressions: z.array(suppression).optional(),
});

export type RuleFile = z.infer<typeof ruleFileSchema>;

export interface FileSuppression {
  readonly rule: string;
  readonly files?: readonly string[];
  readonly targets?: readonly string[];
  readonly path?: string;
  readonly reason: string;
  readonly expires?: string;
  /** Where it is declared: the rule file and line. */
  readonly origin: { readonly file: string; readonly line?: number };
}

export interface LoadedRuleFile {
  readonly file: string;
  /** Present when the file has a `builtin` section: the pack is on, with these overrides. */
  readonly builtin?: ReadonlyMap<string, ConfiguredSeverity>;
  readonly rules: readonly CompiledRule[];
  /** Ids of every rule the file declares, including `off` ones. */
  readonly declared: readonly { readonly id: string; readonly severity: ConfiguredSeverity; readonly summary: string; readonly help: string }[];
  /** As written: reasonless and expired ones are reported by the rule set. */
  readonly suppressions: readonly (Omit<FileSuppression, 'reason'> & { readonly reason?: string })[];
}

function fieldPath(segments: readonly PathSegment[]): string {
  return segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** Reads, checks and compiles one rule file. Throws GateRulesError naming file, line and field. */
export async function loadRuleFile(file: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedRuleFile> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new GateRulesError(file, [`cannot read the rule file: ${describeThrown(error).message}`]);
  }
  // The policy reader: same YAML 1.1 typing, duplicate keys and positions. Dates stay strings here.
  const composed = composeYaml(text, file);
  const syntax = composed.problems.filter((p) => p.severity === 'error' && p.code !== 'timestamp_value');
  if (syntax.length > 0) throw new GateRulesError(file, syntax.map((p) => `${p.line ?? '?'}:${p.column ?? '?'}: ${p.message}${p.path === '' ? '' : ` (at ${p.path})`}`));
  const at = (segments: readonly PathSegment[]) => {
    const position = composed.source.locate(segments, 'key');
    return position === undefined ? '' : `${position.line}:${position.column}: `;
  };
  const parsed = ruleFileSchema.safeParse(composed.value ?? {});
  if (!parsed.success) {
    throw new GateRulesError(
      file,
      parsed.error.issues.map((issue) => {
        const segments = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
        const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
        const where = keys.length > 0 ? [...segments, keys[0]!] : segments;
        return `${at(where)}${fieldPath(where) || '<top level>'}: ${issue.message}`;
      }),
    );
  }
  const spec = parsed.data;
  const issues: string[] = [];
  const dir = path.dirname(file);

  let builtin: Map<string, ConfiguredSeverity> | undefined;
  if (spec.builtin !== undefined) {
    builtin = new Map();
    for (const [key, value] of Object.entries(spec.builtin)) {
      const id = builtinRuleId(key);
      if (id === undefined) issues.push(`${at(['builtin', key])}builtin.${key}: unknown built-in rule (the ids are SG001…; see the README's rule table)`);
      else builtin.set(id, value);
    }
  }

  const rules: CompiledRule[] = [];
  const declared: LoadedRuleFile['declared'][number][] = [];
  const seen = new Set<string>();
  const claim = (id: string, where: PathSegment[]) => {
    if (seen.has(id)) issues.push(`${at(where)}${fieldPath(where)}: duplicate rule id ${JSON.stringify(id)}`);
    seen.add(id);
  };

  (spec.rules ?? []).forEach((rule, i) => {
    claim(rule.id, ['rules', i, 'id']);
    const compiled: Partial<Record<'when' | 'expression' | 'messageExpression', CelProgram>> = {};
    for (const field of ['when', 'expression', 'messageExpression'] as const) {
      const expression = rule[field];
      if (expression === undefined) continue;
      const result = compileCel(expression, rule.scope, field === 'messageExpression' ? 'string' : 'bool');
      if (result.ok) compiled[field] = result.program;
      else issues.push(`${at(['rules', i, field])}rules[${i}].${field}: CEL does not compile (scope ${rule.scope}, variables ${[...DOCUMENT_VARIABLES, ...SCOPE_VARIABLES[rule.scope]].join(', ')}): ${result.message}`);
    }
    declared.push({ id: rule.id, severity: rule.severity, summary: rule.message, help: rule.description ?? rule.message });
    if (compiled.expression === undefined || rule.severity === 'off') return;
    rules.push(celCompiledRule(rule, compiled as CelPrograms, file));
  });

  for (const [i, rule] of (spec.rego ?? []).entries()) {
    claim(rule.id, ['rego', i, 'id']);
    declared.push({ id: rule.id, severity: rule.severity, summary: rule.message, help: rule.description ?? rule.message });
    if (rule.severity === 'off') continue;
    const source = rule.wasm !== undefined ? { wasm: path.resolve(dir, rule.wasm) } : { rego: path.resolve(dir, rule.rego!), v0Compatible: rule.v0Compatible === true };
    try {
      const policy = await loadRego(source, rule.entrypoint, env);
      rules.push({
        id: rule.id,
        name: rule.id,
        severity: rule.severity,
        summary: rule.message,
        help: rule.description ?? rule.message,
        origin: file,
        check: ({ view, target }) => evaluateRego(policy, rule.entrypoint, { ...view, document: view, target }, rule.message),
      });
    } catch (error) {
      if (!(error instanceof RegoLoadError)) throw error;
      issues.push(`${at(['rego', i, rule.wasm !== undefined ? 'wasm' : 'rego'])}rego[${i}]: ${error.message}`);
    }
  }

  const suppressions = (spec.suppressions ?? []).map((s, i) => {
    const line = composed.source.locate(['suppressions', i])?.line;
    return {
      rule: s.rule,
      ...(s.files === undefined ? {} : { files: s.files }),
      ...(s.targets === undefined ? {} : { targets: s.targets }),
      ...(s.path === undefined ? {} : { path: s.path }),
      ...(s.reason === undefined || s.reason.trim() === '' ? {} : { reason: s.reason.trim() }),
      ...(s.expires === undefined ? {} : { expires: s.expires }),
      origin: { file, ...(line === undefined ? {} : { line }) },
    };
  });
  if (issues.length > 0) throw new GateRulesError(file, issues);
  return { file, ...(builtin === undefined ? {} : { builtin }), rules, declared, suppressions };
}

interface CelPrograms {
  readonly expression: CelProgram;
  readonly when?: CelProgram;
  readonly messageExpression?: CelProgram;
}

function celCompiledRule(rule: z.infer<typeof celRule>, programs: CelPrograms, file: string): CompiledRule {
  return {
    id: rule.id,
    name: rule.id,
    severity: rule.severity,
    summary: rule.message,
    help: rule.description ?? rule.message,
    origin: file,
    check: ({ view, target }) => {
      const findings: RawFinding[] = [];
      const base = { document: view, policy: view.policy, metadata: view.metadata, target };
      for (const item of scopeItems(view, rule.scope)) {
        const vars = { ...base, ...item.vars };
        try {
          if (programs.when !== undefined && programs.when(vars) !== true) continue;
          if (programs.expression(vars) === true) continue;
          const message = programs.messageExpression === undefined ? rule.message : String(programs.messageExpression(vars));
          findings.push({ path: item.path, message });
        } catch (error) {
          // Fail closed, as admission control does: an expression that cannot decide is a finding.
          findings.push({ path: item.path, message: `${rule.message} (the expression could not be evaluated: ${firstLine(error)})` });
        }
      }
      return findings;
    },
  };
}
