/**
 * Suppressions: a finding the team accepted, with the reason in Git next to it.
 * - In the policy file: `# shoreguard-gitops:ignore <rule-id> [expires=YYYY-MM-DD] <reason>`. A
 *   comment on its own line covers the node that starts on the next line (a network rule key, an
 *   endpoint item) and everything inside it; a comment at the end of a line covers that line's node.
 * - In a rule file: `suppressions:` by rule, file/target globs and document path (rule-file.ts).
 * A suppression without a reason or past its `expires` day hides nothing and is a finding itself.
 */
import * as path from 'node:path';
import { formatPath, type PathSegment } from '../core/problems';
import type { FileSuppression } from './rule-file';
import type { TargetInfo } from './types';

export interface InlineSuppression {
  /** The comment's line. */
  readonly line: number;
  /** The line of the node it covers. */
  readonly anchorLine: number;
  readonly rule: string;
  readonly reason?: string;
  readonly expires?: string;
  /** `expires=` was given but is not a YYYY-MM-DD date. */
  readonly badExpiry?: string;
}

const MARKER = /(?:^|\s)#\s*shoreguard-gitops:ignore(?:\s+(\S+))?(.*)$/;
const EXPIRES = /^expires=(\S*)\s*/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Every `# shoreguard-gitops:ignore` comment of a file. */
export function parseInlineSuppressions(text: string): InlineSuppression[] {
  if (!text.includes('shoreguard-gitops:ignore')) return [];
  const lines = text.split(/\r?\n/);
  const found: InlineSuppression[] = [];
  lines.forEach((content, index) => {
    const match = MARKER.exec(content);
    if (match === null) return;
    const ownLine = content.trimStart().startsWith('#');
    let anchor = index;
    if (ownLine) {
      anchor = index + 1;
      while (anchor < lines.length && (lines[anchor]!.trim() === '' || lines[anchor]!.trimStart().startsWith('#'))) anchor++;
    }
    let rest = (match[2] ?? '').trim();
    let expires: string | undefined;
    let badExpiry: string | undefined;
    const expiry = EXPIRES.exec(rest);
    if (expiry !== null) {
      if (DATE.test(expiry[1]!) && !Number.isNaN(Date.parse(expiry[1]!))) expires = expiry[1]!;
      else badExpiry = expiry[1]!;
      rest = rest.slice(expiry[0].length).trim();
    }
    found.push({
      line: index + 1,
      anchorLine: anchor + 1,
      rule: match[1] ?? '',
      ...(rest === '' ? {} : { reason: rest }),
      ...(expires === undefined ? {} : { expires }),
      ...(badExpiry === undefined ? {} : { badExpiry }),
    });
  });
  return found;
}

/** Today as YYYY-MM-DD (UTC); a suppression holds through its `expires` day. */
export function today(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

export function isExpired(expires: string | undefined, day: string): boolean {
  return expires !== undefined && expires < day;
}

const toPosix = (file: string) => file.split(path.sep).join('/');

function globMatch(value: string, glob: string): boolean {
  return path.posix.matchesGlob(value, glob);
}

/** Whether a rule-file suppression covers a finding of `ruleId` at `findingPath` in `target`. */
export function fileSuppressionMatches(s: FileSuppression, ruleId: string, target: TargetInfo, findingPath: readonly PathSegment[]): boolean {
  if (s.rule !== ruleId) return false;
  if (s.files !== undefined) {
    const file = target.file === null ? '' : toPosix(path.normalize(target.file));
    if (!s.files.some((glob) => globMatch(file, toPosix(path.normalize(glob))))) return false;
  }
  if (s.targets !== undefined) {
    if (target.gateway === null || target.sandbox === null) return false;
    const name = `${target.gateway}/${target.sandbox}`;
    if (!s.targets.some((glob) => globMatch(name, glob))) return false;
  }
  if (s.path !== undefined) {
    const at = formatPath(findingPath);
    if (!(at === s.path || at.startsWith(`${s.path}.`) || at.startsWith(`${s.path}[`))) return false;
  }
  return true;
}
