/** The shapes the gate engine passes around (the report's shapes are in report/gates.ts). */
import type { PathSegment } from '../core/problems';
import type { GateSeverity } from '../report/gates';
import type { PolicyView } from './view';

/** A severity as configured: a report severity, or `off` to not run the rule at all. */
export type ConfiguredSeverity = GateSeverity | 'off';

/** What every rule tells a reader: shown in the README table, SARIF rule metadata and `--help`. */
export interface RuleMeta {
  /** Stable id (`SG003`); suppressions and overrides name it. */
  readonly id: string;
  /** Short kebab-case name (`wildcard-host`); accepted wherever the id is. */
  readonly name: string;
  readonly severity: ConfiguredSeverity;
  /** What the rule finds, one line. */
  readonly summary: string;
  /** Why it matters and how to fix it. */
  readonly help: string;
  /** Where the rule comes from: `builtin` or the rule file that declares it. */
  readonly origin: string;
}

/** One violation as a check reports it; severity, position and suppressions are added later. */
export interface RawFinding {
  readonly path: readonly PathSegment[];
  readonly message: string;
}

export interface TargetInfo {
  readonly gateway: string | null;
  readonly sandbox: string | null;
  readonly file: string | null;
}

/** What a check is given: the document as OpenShell reads it, and where it comes from. */
export interface CheckInput {
  readonly view: PolicyView;
  readonly target: TargetInfo;
}

/** A rule ready to run over one document. */
export interface CompiledRule extends RuleMeta {
  check(input: CheckInput): RawFinding[];
}
