/** Shared by the gate tests: a policy document as text, evaluated by a rule set. */
import { safeParsePolicyDocument } from '../../../bridge/document/canonical';
import { evaluateGates, type GateResult } from '../../../bridge/gates/evaluate';
import type { RuleSet } from '../../../bridge/gates/ruleset';

export const FILE = 'policies/gw/sb.yaml';

/** A compliant document: L7 rules enforced, named binary, no root, workdir only. */
export const CLEAN = `metadata:
  gateway: gw
  sandbox: sb
policy:
  filesystem:
    include_workdir: true
    read_only:
    - /usr
    read_write:
    - /tmp
  landlock:
    compatibility: hard_requirement
  network_policies:
    github:
      binaries:
      - path: /usr/bin/git
      endpoints:
      - enforcement: enforce
        host: api.github.com
        port: 443
        protocol: rest
        rules:
        - allow:
            method: GET
            path: /repos/**
      name: github
  process:
    run_as_group: sandbox
    run_as_user: sandbox
  version: 1
`;

export function evaluateText(ruleSet: RuleSet, text: string, file: string = FILE): GateResult {
  const parsed = safeParsePolicyDocument(text, { file });
  if (!parsed.success) throw new Error(`fixture does not parse: ${JSON.stringify(parsed.problems)}`);
  return evaluateGates(ruleSet, { document: parsed.parsed.document, source: parsed.parsed.source, text, target: { gateway: 'gw', sandbox: 'sb', file } });
}

/** The rule ids of unsuppressed findings. */
export function ruleIds(result: GateResult): string[] {
  return result.summary.findings.filter((f) => f.suppressed === undefined).map((f) => f.ruleId);
}

/** Replaces the first occurrence of `from` in the clean document (fixtures stay one-line edits). */
export function edit(from: string, to: string, text: string = CLEAN): string {
  if (!text.includes(from)) throw new Error(`fixture has no ${JSON.stringify(from)}`);
  return text.replace(from, to);
}
