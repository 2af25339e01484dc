/**
 * SARIF 2.1.0 for a run report (`--output sarif`, `--sarif-file`), the format GitHub code scanning
 * reads to show findings on the lines of a pull request's diff. One run; results are
 * - every policy-gate finding (suppressed ones with SARIF `suppressions`, so code scanning hides
 *   them but the evidence stays), with the rule's id, level and line;
 * - every other problem of a file (malformed YAML, wrong types, …) under its problem code, so the
 *   PR shows why a file could not be checked at all.
 * Paths are kept relative (upload-sarif resolves them against the checkout).
 */
import * as path from 'node:path';
import { PACKAGE_VERSION } from '../../sdk/version';
import type { Problem } from '../core/problems';
import type { GateFinding, GateSeverity } from './gates';
import type { RunReport } from './report';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** What SARIF says about a rule (the gate engine's RuleMeta fits). */
export interface SarifRuleInfo {
  readonly id: string;
  readonly name: string;
  readonly severity: GateSeverity | 'off';
  readonly summary: string;
  readonly help: string;
}

type Level = 'error' | 'warning' | 'note';

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: Level;
  message: { text: string };
  locations?: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number; startColumn?: number } } }[];
  suppressions?: { kind: 'inSource' | 'external'; justification: string }[];
  properties?: Record<string, unknown>;
}

function artifactUri(file: string): string {
  if (path.isAbsolute(file)) return `file://${encodeURI(file.split(path.sep).join('/'))}`;
  return encodeURI(path.normalize(file).split(path.sep).join('/'));
}

function location(file: string | null | undefined, line: number | undefined, column: number | undefined): Pick<SarifResult, 'locations'> {
  if (file === null || file === undefined || file === '-' || file === '<input>') return {};
  const region = line === undefined ? undefined : { startLine: line, ...(column === undefined ? {} : { startColumn: column }) };
  return { locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(file) }, ...(region === undefined ? {} : { region }) } }] };
}

const PROBLEM_CODE_RULE = (code: string): SarifRuleInfo => ({
  id: code,
  name: code,
  severity: 'error',
  summary: `policy document check ${code}`,
  help: `See the validation codes in the shoreguard-gitops README (${code}).`,
});

/** The SARIF log of a run, as an object (JSON.stringify it). */
export function renderSarif(report: RunReport, rules: readonly SarifRuleInfo[] = []) {
  const catalog: SarifRuleInfo[] = [...rules];
  const index = new Map(catalog.map((r, i) => [r.id, i]));
  const ruleIndex = (id: string, fallback: () => SarifRuleInfo) => {
    let i = index.get(id);
    if (i === undefined) {
      i = catalog.push(fallback()) - 1;
      index.set(id, i);
    }
    return i;
  };
  const results: SarifResult[] = [];
  const fromProblem = (p: Problem) => {
    const id = p.code === 'gate_finding' && p.rule !== undefined ? p.rule : p.code;
    results.push({
      ruleId: id,
      ruleIndex: ruleIndex(id, () => PROBLEM_CODE_RULE(id)),
      level: p.severity,
      message: { text: p.path === '' ? p.message : `${p.message} (at ${p.path})` },
      ...location(p.file, p.line, p.column),
    });
  };
  const fromFinding = (f: GateFinding) => {
    results.push({
      ruleId: f.ruleId,
      ruleIndex: ruleIndex(f.ruleId, () => ({ id: f.ruleId, name: f.ruleId, severity: f.severity, summary: f.ruleId, help: f.ruleId })),
      level: f.severity,
      message: { text: f.path === undefined || f.path === '' ? f.message : `${f.message} (at ${f.path})` },
      ...location(f.file, f.line, f.column),
      ...(f.suppressed === undefined
        ? {}
        : { suppressions: [{ kind: f.suppressed.kind ?? 'inSource', justification: f.suppressed.reason }], properties: f.suppressed.expires === undefined ? {} : { expires: f.suppressed.expires } }),
    });
  };
  report.problems.forEach(fromProblem);
  for (const target of report.targets) {
    // Gate findings come from the summary (it has the suppressed and note ones too).
    if (target.gates !== undefined) target.gates.findings.forEach(fromFinding);
    target.problems.filter((p) => p.code !== 'gate_finding' || target.gates === undefined).forEach(fromProblem);
  }
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0' as const,
    runs: [
      {
        tool: {
          driver: {
            name: 'shoreguard-gitops',
            version: PACKAGE_VERSION,
            semanticVersion: PACKAGE_VERSION,
            rules: catalog.map((r) => ({
              id: r.id,
              ...(r.name === r.id ? {} : { name: r.name }),
              shortDescription: { text: r.summary },
              fullDescription: { text: r.help },
              help: { text: r.help },
              defaultConfiguration: { enabled: r.severity !== 'off', level: r.severity === 'off' ? 'note' : r.severity },
            })),
          },
        },
        invocations: [{ executionSuccessful: true, exitCode: report.exitCode }],
        results,
      },
    ],
  };
}
