/**
 * A consumer-like project directory for the Pulumi tests: `node_modules/shoreguard-iac` links to
 * this repository, so `require('shoreguard-iac/pulumi')` from the serialized providers resolves
 * through package.json's `exports` map to the built `dist/`, exactly as in a user's project.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** The checkout: the nearest directory upwards holding shoreguard-iac's package.json (also from a compiled copy). */
export const REPO_ROOT = findRepoRoot(__dirname);

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'shoreguard-iac') return dir;
    if (dirname(dir) === dir) throw new Error(`no shoreguard-iac package.json above ${start}`);
  }
}

const BUILT_ENTRY = join(REPO_ROOT, 'dist/provider/pulumi/index.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : entry.name.endsWith('.ts') ? statSync(path).mtimeMs : 0);
  }
  return newest;
}

/** Fails clearly when the provider's build is missing or older than its sources. */
export function assertBuilt(): void {
  if (!existsSync(BUILT_ENTRY)) throw new Error(`${relative(REPO_ROOT, BUILT_ENTRY)} is missing: run \`npm run build\` first (scripts/test.sh does).`);
  const built = statSync(BUILT_ENTRY).mtimeMs;
  const sources = Math.max(newestMtime(join(REPO_ROOT, 'provider/pulumi')), newestMtime(join(REPO_ROOT, 'provider/resources')));
  if (sources > built) throw new Error('dist/ is older than provider/pulumi or provider/resources: run `npm run build` first.');
}

/**
 * Creates (or reuses) `.cache/pulumi-consumer/<name>` inside the repository (so `@pulumi/pulumi`
 * resolves from the repository's node_modules) with the `shoreguard-iac` link.
 */
export function consumerProject(name: string): string {
  assertBuilt();
  const dir = join(REPO_ROOT, '.cache', 'pulumi-consumer', name);
  const modules = join(dir, 'node_modules');
  mkdirSync(modules, { recursive: true });
  const link = join(modules, 'shoreguard-iac');
  if (!existsSync(link)) {
    try {
      symlinkSync(relative(modules, REPO_ROOT), link, 'dir');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: `consumer-${name}`, private: true }, null, 2)}\n`);
  return dir;
}

/**
 * Like {@link consumerProject}, but `node_modules/shoreguard-iac` is a real copy of what `npm pack`
 * publishes (package.json's `files` + package.json), as in a user's install. Pulumi then treats the
 * package as a node_modules dependency: anything the closure captured from it would become a
 * `require("shoreguard-iac/<file>")`, which the `exports` map forbids.
 */
export function installedConsumerProject(name: string): string {
  assertBuilt();
  const dir = join(REPO_ROOT, '.cache', 'pulumi-consumer', name);
  const installed = join(dir, 'node_modules', 'shoreguard-iac');
  rmSync(installed, { recursive: true, force: true });
  mkdirSync(installed, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { files?: string[] };
  for (const entry of [...(manifest.files ?? []), 'package.json']) {
    const source = join(REPO_ROOT, entry.replace(/\/$/, ''));
    if (existsSync(source)) cpSync(source, join(installed, entry.replace(/\/$/, '')), { recursive: true });
  }
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: `consumer-${name}`, private: true }, null, 2)}\n`);
  return dir;
}
