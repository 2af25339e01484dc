/**
 * Renders a ShoreGuard diff object (from the server or from diff.ts): as data for JSON and
 * markdown reporters (`diffToData`) and as plain text (`renderDiffText`).
 *
 * The text keeps the line format of ShoreGuard's own CLI (`  + filesystem.read_only: /etc`,
 * `  ~ network_policies.github`, same order) so users of both tools read the same thing; values
 * are JSON-styled (`true → false`, `"app" → "root"`) unless `style: 'shoreguard'` asks for the
 * Python CLI's exact bytes. When both policies are known, a changed network rule also lists
 * what changed inside it, field by field — ShoreGuard's CLI only says that it changed.
 */
import { isEmptyDiff, pyEquals, summarizeDiff, type DiffSummary, type PolicyDiff, type PolicyLike } from '../document/diff';
import { formatPath, type PathSegment } from '../core/problems';
import { compareCodePoints } from '../document/yaml11';
import { isMapping } from '../core/json';

export type DiffOp = '+' | '-' | '~';
export type DiffSection = 'filesystem' | 'process' | 'network_policies';

/** One field-level change inside a changed network rule. */
export interface FieldChange {
  readonly op: DiffOp;
  /** Path inside the rule, e.g. `endpoints[0].rules[1].allow.method`. */
  readonly path: string;
  readonly from?: unknown;
  readonly to?: unknown;
}

/** One line of the diff. */
export interface DiffEntry {
  readonly section: DiffSection;
  readonly op: DiffOp;
  /** `filesystem.read_only`, `process.run_as_user`, `network_policies.<key>`. */
  readonly path: string;
  /** The added or removed filesystem path. */
  readonly value?: string;
  readonly from?: unknown;
  readonly to?: unknown;
  /** For `~ network_policies.<key>` when both policies were given. */
  readonly details?: readonly FieldChange[];
}

export interface DiffReport {
  /** True when ShoreGuard would report drift (any change at all). */
  readonly drift: boolean;
  readonly summary: DiffSummary;
  readonly sections: Readonly<Record<DiffSection, readonly DiffEntry[]>>;
}

export interface DiffContext {
  /** The policy the diff starts from (live), to detail changed network rules. */
  readonly oldPolicy?: PolicyLike;
  /** The policy the diff goes to (the file). */
  readonly newPolicy?: PolicyLike;
}

export function diffToData(diff: PolicyDiff, context: DiffContext = {}): DiffReport {
  const filesystem: DiffEntry[] = [];
  const fs = diff.filesystem ?? {};
  const lists = [
    ['read_only_added', '+', 'read_only'],
    ['read_only_removed', '-', 'read_only'],
    ['read_write_added', '+', 'read_write'],
    ['read_write_removed', '-', 'read_write'],
  ] as const;
  for (const [key, op, field] of lists) {
    for (const value of fs[key] ?? []) filesystem.push({ section: 'filesystem', op, path: `filesystem.${field}`, value });
  }
  if (fs.include_workdir_changed !== undefined) {
    const [from, to] = fs.include_workdir_changed;
    filesystem.push({ section: 'filesystem', op: '~', path: 'filesystem.include_workdir', from, to });
  }

  // Same order as the server's object (run_as_user before run_as_group).
  const process: DiffEntry[] = Object.entries(diff.process ?? {}).map(([key, change]) => {
    const [from, to] = change as [string, string];
    return { section: 'process', op: '~', path: `process.${key.replace(/_changed$/, '')}`, from, to };
  });

  const np = diff.network_policies ?? { added: [], removed: [], changed: [] };
  const oldRules = rulesOf(context.oldPolicy);
  const newRules = rulesOf(context.newPolicy);
  const network_policies: DiffEntry[] = [
    ...np.added.map((key): DiffEntry => ({ section: 'network_policies', op: '+', path: `network_policies.${key}` })),
    ...np.removed.map((key): DiffEntry => ({ section: 'network_policies', op: '-', path: `network_policies.${key}` })),
    ...np.changed.map((key): DiffEntry => {
      const entry: DiffEntry = { section: 'network_policies', op: '~', path: `network_policies.${key}` };
      if (oldRules === undefined || newRules === undefined || !Object.hasOwn(oldRules, key) || !Object.hasOwn(newRules, key)) {
        return entry;
      }
      return { ...entry, details: ruleFieldChanges(oldRules[key], newRules[key]) };
    }),
  ];

  return {
    drift: !isEmptyDiff(diff),
    summary: summarizeDiff(diff),
    sections: { filesystem, process, network_policies },
  };
}

export interface RenderOptions extends DiffContext {
  /**
   * `bridge`: JSON-styled values and field-level details; `shoreguard`: the exact output of
   * ShoreGuard's `shoreguard policy diff` (Python reprs, no details).
   * @default 'bridge'
   */
  readonly style?: 'bridge' | 'shoreguard';
  /**
   * Prefix of every line.
   * @default '  '
   */
  readonly indent?: string;
  /**
   * Longest rendered value in a detail line before it is cut with `…`.
   * @default 120
   */
  readonly maxValueLength?: number;
}

export function renderDiffText(diff: PolicyDiff, options: RenderOptions = {}): string {
  const style = options.style ?? 'bridge';
  const report = diffToData(diff, style === 'bridge' ? options : {});
  const lines = renderDiffLines(report, options);
  return lines.length > 0 ? lines.join('\n') : `${options.indent ?? '  '}(no changes)`;
}

/**
 * The lines of an already computed diff report (no "(no changes)" line when empty): the form
 * reporters use, since a report carries `DiffReport` data rather than the two policies.
 */
export function renderDiffLines(report: DiffReport, options: Omit<RenderOptions, keyof DiffContext> = {}): string[] {
  const indent = options.indent ?? '  ';
  const maxLength = options.maxValueLength ?? 120;
  const value = (options.style ?? 'bridge') === 'bridge' ? jsonValue : pythonRepr;
  const lines: string[] = [];
  for (const entry of [...report.sections.filesystem, ...report.sections.process, ...report.sections.network_policies]) {
    if (entry.value !== undefined) lines.push(`${indent}${entry.op} ${entry.path}: ${entry.value}`);
    else if (entry.op === '~' && entry.section !== 'network_policies') {
      lines.push(`${indent}~ ${entry.path}: ${value(entry.from)} → ${value(entry.to)}`);
    } else lines.push(`${indent}${entry.op} ${entry.path}`);
    for (const change of entry.details ?? []) lines.push(`${indent}    ${renderFieldChange(change, maxLength)}`);
  }
  return lines;
}

function renderFieldChange(change: FieldChange, maxLength: number): string {
  const show = (v: unknown) => truncate(jsonValue(v), maxLength);
  if (change.op === '+') return `+ ${change.path}: ${show(change.to)}`;
  if (change.op === '-') return `- ${change.path}: ${show(change.from)}`;
  return `~ ${change.path}: ${show(change.from)} → ${show(change.to)}`;
}

/**
 * Field-level differences between two versions of a network rule: keys added, removed or
 * changed, recursively; list items compared by index (so inserting an endpoint at the front
 * shows every later endpoint as changed — ShoreGuard itself compares lists by position too).
 */
export function ruleFieldChanges(oldRule: unknown, newRule: unknown): FieldChange[] {
  const changes: FieldChange[] = [];
  collectChanges(oldRule, newRule, [], changes);
  return changes;
}

function collectChanges(before: unknown, after: unknown, path: PathSegment[], out: FieldChange[]): void {
  if (pyEquals(before, after)) return;
  if (isMapping(before) && isMapping(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort(compareCodePoints);
    for (const key of keys) {
      const here = [...path, key];
      if (!Object.hasOwn(before, key)) out.push({ op: '+', path: formatPath(here), to: after[key] });
      else if (!Object.hasOwn(after, key)) out.push({ op: '-', path: formatPath(here), from: before[key] });
      else collectChanges(before[key], after[key], here, out);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    for (let i = 0; i < Math.max(before.length, after.length); i++) {
      const here = [...path, i];
      if (i >= before.length) out.push({ op: '+', path: formatPath(here), to: after[i] });
      else if (i >= after.length) out.push({ op: '-', path: formatPath(here), from: before[i] });
      else collectChanges(before[i], after[i], here, out);
    }
    return;
  }
  out.push({ op: '~', path: formatPath(path), from: before, to: after });
}

function rulesOf(policy: PolicyLike): Record<string, unknown> | undefined {
  if (policy === undefined) return undefined;
  const rules = policy?.['network_policies'];
  return isMapping(rules) ? rules : {};
}


function jsonValue(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}

function truncate(text: string, maxLength: number): string {
  return text.length <= maxLength ? text : `${text.slice(0, Math.max(maxLength - 1, 0))}…`;
}

/** Python's `repr` for the values the ShoreGuard CLI prints (bools, strings, ints). */
function pythonRepr(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (value === null || value === undefined) return 'None';
  if (typeof value !== 'string') return String(value);
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\' || ch === quote) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}
