import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_VERSION } from '../../sdk/version';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  engines: { node: string };
  exports: Record<string, string | { types: string; default: string }>;
  bin: Record<string, string>;
  files: string[];
};

/** Whether npm would publish `path` given package.json's `files`. */
function published(path: string): boolean {
  const relative = path.replace(/^\.\//, '');
  if (relative === 'package.json') return true; // npm always publishes it
  return pkg.files.some((entry) => (entry.endsWith('/') ? relative.startsWith(entry) : relative === entry));
}

describe('the npm package', () => {
  it('GIVEN package.json WHEN the SDK reports its version THEN both agree (it goes into the User-Agent)', () => {
    expect(PACKAGE_VERSION).toBe(pkg.version);
  });

  it('GIVEN the engines field THEN Node >= 22 is required', () => {
    expect(pkg.engines.node).toBe('>=22');
  });

  it('GIVEN the exports map THEN every subpath points at a source module that exists', () => {
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      if (typeof target === 'string') continue;
      // dist/<dir>/<file>.js is compiled from <dir>/<file>.ts at the repository root.
      const source = target.default.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts');
      expect({ subpath, exists: existsRelative(source) }).toEqual({ subpath, exists: true });
    }
  });

  it('GIVEN the files list THEN every export and bin is published, and tests and benchmarks are not', () => {
    const targets = [...Object.values(pkg.exports).flatMap((t) => (typeof t === 'string' ? [t] : [t.default, t.types])), ...Object.values(pkg.bin)];
    expect(targets.filter((target) => !published(target))).toEqual([]);
    // provider/resources reads schema.json through a compiled relative import.
    expect(published('dist/schema.json')).toBe(true);
    expect(published('dist/test/support/fake-openshell/index.js')).toBe(false);
    expect(published('dist/bench/run.js')).toBe(false);
  });

  it('GIVEN the bins THEN shoreguard-iac and shoreguard-gitops are declared and their sources exist', () => {
    expect(Object.keys(pkg.bin).sort()).toEqual(['shoreguard-gitops', 'shoreguard-iac']);
    for (const target of Object.values(pkg.bin)) {
      expect(existsRelative(target.replace(/^dist\//, '').replace(/\.js$/, '.ts'))).toBe(true);
    }
  });
});

function existsRelative(path: string): boolean {
  try {
    readFileSync(join(root, path));
    return true;
  } catch {
    return false;
  }
}
