/**
 * What the policy gates (`--rules`) found for one target, as the report carries it. The findings
 * themselves are also problems of the target (so every reporter shows them); this summary is
 * what receipts record.
 */
export type GateSeverity = 'error' | 'warning' | 'note';

export interface GateFinding {
  /** Stable rule id, e.g. `SG001` for a built-in rule or the id a rule file gives. */
  readonly ruleId: string;
  readonly severity: GateSeverity;
  readonly message: string;
  readonly file: string | null;
  readonly line?: number;
  /** 1-based column of the rule key (added to the first shape; optional). */
  readonly column?: number;
  /** Dotted path of the rule key in the document, e.g. `policy.network_policies.github`. */
  readonly path?: string;
  /** Set when a suppression matched: the finding does not count, and why. */
  readonly suppressed?: {
    readonly reason: string;
    readonly expires?: string;
    /** `inSource`: a `# shoreguard-gitops:ignore` comment in the file; `external`: a rule file (SARIF's kinds). */
    readonly kind?: 'inSource' | 'external';
  };
}

export interface GateSummary {
  /** The rule sets evaluated: `builtin@<version>`, rule files as given. */
  readonly packs: readonly string[];
  readonly errors: number;
  readonly warnings: number;
  readonly suppressed: number;
  readonly findings: readonly GateFinding[];
}

/** "gates builtin@0.1.0, rules.yaml: 1 error, 2 warnings, 1 suppressed" — the reporters' one-line summary. */
export function describeGates(gates: GateSummary): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `gates ${gates.packs.join(', ')}: ${plural(gates.errors, 'error')}, ${plural(gates.warnings, 'warning')}, ${gates.suppressed} suppressed`;
}

/** One line per suppressed finding, so a reviewer sees what was waived and why. */
export function describeSuppressed(gates: GateSummary): string[] {
  return gates.findings.flatMap((f) =>
    f.suppressed === undefined
      ? []
      : [`suppressed ${f.ruleId}${f.line === undefined ? '' : ` (line ${f.line})`}: ${f.message} — reason: ${f.suppressed.reason}${f.suppressed.expires === undefined ? '' : `, until ${f.suppressed.expires}`}`],
  );
}
