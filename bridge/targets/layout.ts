/**
 * Where a target's policy lives in the repository: `policies/<gateway>/<sandbox>.yaml` by
 * default, or any pattern with one `{gateway}` and one `{sandbox}` placeholder. Names are
 * checked with ShoreGuard's own name rule, so a file that maps to a name ShoreGuard would reject
 * is reported before anything is sent.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { LayoutError } from '../core/errors';
import type { Problem, Severity } from '../core/problems';

/** ShoreGuard's gateway and sandbox name rule. */
export const TARGET_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,252}$/;

export const DEFAULT_LAYOUT_PATTERN = '{gateway}/{sandbox}.yaml';

export interface Target {
  readonly gateway: string;
  readonly sandbox: string;
}

export interface LayoutOptions {
  /**
   * Path of a target's file relative to the policy root, with `{gateway}` and `{sandbox}`
   * each exactly once. A placeholder matches one path segment or part of one.
   * @default '{gateway}/{sandbox}.yaml'
   */
  readonly pattern?: string;
}

export type PathMatch =
  | { readonly matched: true; readonly target: Target }
  | { readonly matched: false; readonly reason: 'no_match' | 'invalid_name'; readonly message: string };

export function isValidTargetName(name: string): boolean {
  return TARGET_NAME_PATTERN.test(name);
}

export class PolicyLayout {
  readonly pattern: string;
  private readonly matcher: RegExp;
  private readonly gatewayFirst: boolean;

  constructor(options: LayoutOptions = {}) {
    this.pattern = options.pattern ?? DEFAULT_LAYOUT_PATTERN;
    const pattern = this.pattern;
    for (const placeholder of ['{gateway}', '{sandbox}']) {
      const count = pattern.split(placeholder).length - 1;
      if (count !== 1) throw new LayoutError(`layout pattern ${JSON.stringify(pattern)} must contain ${placeholder} exactly once (found ${count})`);
    }
    if (pattern.startsWith('/') || pattern.includes('\\') || pattern.split('/').some((s) => s === '' || s === '.' || s === '..')) {
      throw new LayoutError(`layout pattern ${JSON.stringify(pattern)} must be a relative path with '/' separators and no empty, '.' or '..' segments`);
    }
    if (pattern.includes('{gateway}{sandbox}') || pattern.includes('{sandbox}{gateway}')) {
      throw new LayoutError(`layout pattern ${JSON.stringify(pattern)} needs a separator between {gateway} and {sandbox}`);
    }
    this.gatewayFirst = pattern.indexOf('{gateway}') < pattern.indexOf('{sandbox}');
    const source = pattern
      .split(/(\{gateway\}|\{sandbox\})/)
      .map((part) => (part === '{gateway}' || part === '{sandbox}' ? '([^/]+?)' : escapeRegExp(part)))
      .join('');
    this.matcher = new RegExp(`^${source}$`);
  }

  /** The file of a target, relative to the policy root, with '/' separators. */
  pathFor(target: Target): string {
    for (const [kind, name] of [['gateway', target.gateway], ['sandbox', target.sandbox]] as const) {
      if (!isValidTargetName(name)) throw new LayoutError(`invalid ${kind} name ${JSON.stringify(name)}: ${nameRule()}`);
    }
    const relative = this.pattern.replace('{gateway}', target.gateway).replace('{sandbox}', target.sandbox);
    const roundTrip = this.match(relative);
    if (!roundTrip.matched || roundTrip.target.gateway !== target.gateway || roundTrip.target.sandbox !== target.sandbox) {
      throw new LayoutError(`target ${target.gateway}/${target.sandbox} cannot be stored unambiguously with pattern ${JSON.stringify(this.pattern)}`);
    }
    return relative;
  }

  /** Which target a file belongs to (path relative to the policy root; '\' is accepted too). */
  match(relativePath: string): PathMatch {
    const normalized = relativePath.split(path.sep).join('/').replace(/\\/g, '/');
    const found = this.matcher.exec(normalized);
    if (found === null) {
      return { matched: false, reason: 'no_match', message: `does not match the layout pattern ${JSON.stringify(this.pattern)}` };
    }
    const [first, second] = [found[1]!, found[2]!];
    const target = this.gatewayFirst ? { gateway: first, sandbox: second } : { gateway: second, sandbox: first };
    for (const [kind, name] of [['gateway', target.gateway], ['sandbox', target.sandbox]] as const) {
      if (!isValidTargetName(name)) {
        return { matched: false, reason: 'invalid_name', message: `invalid ${kind} name ${JSON.stringify(name)}: ${nameRule()}` };
      }
    }
    return { matched: true, target };
  }
}

function nameRule(): string {
  return 'ShoreGuard names start with a letter or digit, then up to 252 letters, digits, ".", "_" or "-"';
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface DiscoveredTarget {
  readonly target: Target;
  /** Absolute (or root-joined) path of the file. */
  readonly file: string;
  /** Path relative to the policy root, '/' separated. */
  readonly relativePath: string;
}

export interface DiscoverOptions extends LayoutOptions {
  /**
   * What a `.yaml`/`.yml` file that does not map to a target is: usually a typo or a file at
   * the wrong depth, which would otherwise be skipped silently.
   * @default 'error'
   */
  readonly strayFiles?: Severity | 'ignore';
}

export interface Discovery {
  /** Targets sorted by relative path. */
  readonly targets: readonly DiscoveredTarget[];
  readonly problems: readonly Problem[];
}

const YAML_FILE = /\.ya?ml$/i;

/**
 * Walks the policy tree and maps files to targets. Hidden entries (`.git`, `.github`) and
 * non-YAML files (README.md) are skipped; symlinked directories are not followed (no loops).
 * Never throws for the tree's content: unreadable directories and stray files are problems.
 */
export async function discoverTargets(root: string, options: DiscoverOptions = {}): Promise<Discovery> {
  const layout = new PolicyLayout(options);
  const strayFiles = options.strayFiles ?? 'error';
  const targets: DiscoveredTarget[] = [];
  const problems: Problem[] = [];

  async function walk(directory: string): Promise<void> {
    let entries;
    try {
      entries = await fs.readdir(directory, { withFileTypes: true });
    } catch (error) {
      problems.push({
        file: directory,
        path: '',
        code: 'unreadable_path',
        message: `cannot read directory: ${errorText(error)}`,
        severity: 'error',
      });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) {
        await walk(full);
        continue;
      }
      const isFile = entry.isFile() || (entry.isSymbolicLink() && (await isRegularFile(full)));
      if (!isFile || !YAML_FILE.test(entry.name)) continue;
      const relativePath = path.relative(root, full).split(path.sep).join('/');
      const match = layout.match(relativePath);
      if (match.matched) {
        targets.push({ target: match.target, file: full, relativePath });
      } else if (match.reason === 'invalid_name') {
        problems.push({ file: full, path: '', code: 'invalid_target_name', message: match.message, severity: 'error' });
      } else if (strayFiles !== 'ignore') {
        problems.push({
          file: full,
          path: '',
          code: 'stray_file',
          message: `${relativePath} ${match.message}, so no target is synced from it (move or rename it, or change the pattern)`,
          severity: strayFiles,
        });
      }
    }
  }

  await walk(root);
  return { targets, problems };
}

async function isRegularFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

function errorText(error: unknown): string {
  if (error instanceof Error) return 'code' in error && typeof error.code === 'string' ? `${error.code}: ${error.message}` : error.message;
  return String(error);
}
