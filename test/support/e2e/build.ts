/**
 * The end-to-end tests run what `npm run build` put in dist/, as a user would. A build older than
 * its sources would test yesterday's code, so that is an error with the fix in it.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../pulumi/consumer';

export class StaleBuildError extends Error {
  constructor(message: string) {
    super(`${message}: run \`npm run build\` first (scripts/test.sh does)`);
    this.name = 'StaleBuildError';
  }
}

function newestSourceMtime(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestSourceMtime(path) : entry.name.endsWith('.ts') ? statSync(path).mtimeMs : 0;
    return Math.max(newest, mtime);
  }, 0);
}

/** Returns the absolute path of `builtFile` (relative to the checkout) once it exists and is newer than every .ts under `sourceDirs`. */
export function freshBuild(builtFile: string, sourceDirs: readonly string[]): string {
  const built = join(REPO_ROOT, builtFile);
  if (!existsSync(built)) throw new StaleBuildError(`${builtFile} is missing`);
  const builtAt = statSync(built).mtimeMs;
  const stale = sourceDirs.filter((dir) => newestSourceMtime(join(REPO_ROOT, dir)) > builtAt);
  if (stale.length > 0) throw new StaleBuildError(`${relative(REPO_ROOT, built)} is older than ${stale.map((dir) => `${dir}/`).join(', ')}`);
  return built;
}
