/**
 * One self-contained CommonJS file per binary, made with esbuild from the compiled package (dist/,
 * what npm users run), shaped for a Node startup snapshot:
 *
 * - every module the entry can reach, including the ones it requires lazily (inside functions), is
 *   loaded while the snapshot is built, so a binary starts with its modules already evaluated;
 * - built-ins Node cannot snapshot (http, http2, tls, …: SNAPSHOT_DEFERRED_BUILTINS) are
 *   replaced by deferred stand-ins (deferred-runtime.ts) that load the real module on first use;
 * - `.wasm` files are embedded as bytes (esbuild's binary loader); a native `.node` addon cannot
 *   be in a single executable and fails the bundle (esbuild has no loader for it).
 */
import { builtinModules } from 'node:module';
import { relative } from 'node:path';
import * as esbuild from 'esbuild';
import { type BinaryTarget, SNAPSHOT_DEFERRED_BUILTINS } from './config';
import { DEFERRED_RUNTIME } from './deferred-runtime';

type Shape = Record<string, { kind: 'value'; value: string | number | boolean | null } | { kind: 'function' } | { kind: 'object'; shape: Shape }>;

/** The members of a built-in as the stand-in serves them while the snapshot is built. */
export function shapeOf(value: object, depth = 2): Shape {
  const shape: Shape = {};
  for (const key of Object.getOwnPropertyNames(value).sort()) {
    let member: unknown;
    try {
      member = (value as Record<string, unknown>)[key];
    } catch {
      continue;
    }
    if (typeof member === 'function') shape[key] = { kind: 'function' };
    else if (member === null || typeof member === 'string' || typeof member === 'boolean' || (typeof member === 'number' && Number.isFinite(member))) shape[key] = { kind: 'value', value: member };
    else if (typeof member === 'object' && depth > 0) shape[key] = { kind: 'object', shape: shapeOf(member, depth - 1) };
  }
  return shape;
}

function normalizeBuiltin(path: string): string | undefined {
  const name = path.startsWith('node:') ? path.slice(5) : path;
  return builtinModules.includes(name) ? name : undefined;
}

const DEFERRED = 'sg-deferred';
const RUNTIME = 'sg-deferred-runtime';

/** Routes unsafe built-ins to stand-ins; every built-in stays external (it is part of Node). */
export function deferredBuiltinsPlugin(used: Set<string>): esbuild.Plugin {
  return {
    name: 'shoreguard-deferred-builtins',
    setup(build) {
      build.onResolve({ filter: new RegExp(`^${RUNTIME}$`) }, () => ({ path: RUNTIME, namespace: RUNTIME }));
      build.onResolve({ filter: /^(node:)?[a-z_][a-z0-9_/]*$/ }, (args) => {
        const name = normalizeBuiltin(args.path);
        if (name === undefined) return undefined;
        if (args.namespace === DEFERRED || args.namespace === RUNTIME || !SNAPSHOT_DEFERRED_BUILTINS.has(name)) return { path: `node:${name}`, external: true };
        used.add(name);
        return { path: name, namespace: DEFERRED };
      });
      build.onLoad({ filter: /.*/, namespace: RUNTIME }, () => ({ contents: DEFERRED_RUNTIME, loader: 'js' }));
      build.onLoad({ filter: /.*/, namespace: DEFERRED }, (args) => {
        // The shape comes from the Node running the build, which config.ts pins to the Node in the binaries.
        const shape = shapeOf(require(`node:${args.path}`) as object);
        return {
          contents: `module.exports = require(${JSON.stringify(RUNTIME)}).defer(${JSON.stringify(args.path)}, () => require(${JSON.stringify(`node:${args.path}`)}), ${JSON.stringify(shape)});\n`,
          loader: 'js',
        };
      });
    },
  };
}

const COMMON: esbuild.BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node24',
  // Only "main": the CommonJS builds, as Node itself would load them.
  mainFields: ['main'],
  conditions: ['node', 'require'],
  loader: { '.wasm': 'binary' },
  legalComments: 'none',
  charset: 'utf8',
  logLevel: 'silent',
  // Smaller source in the snapshot (it keeps every script's text); names are kept: errors print them.
  minifyWhitespace: true,
  minifySyntax: true,
};

/** Prefix of the lines the snapshot entry prints for modules left out of the snapshot. */
export const LEFT_OUT = 'shoreguard-release: not in the snapshot:';

/**
 * The snapshot entry: load every module (each on its own: one that cannot load while the snapshot
 * is built, e.g. because it compiles WebAssembly, which V8 has off then, is printed and loads at
 * start-up instead; esbuild's module wrapper retries a module whose first load threw), then name
 * the function that runs at start-up.
 */
export function snapshotEntrySource(target: BinaryTarget, modules: readonly string[], root?: string): string {
  const preload = modules.filter((m) => target.start === 'exported-main' || m !== target.entry);
  // Names printed or kept in the binary are relative to the checkout: the same sources give the same bytes anywhere.
  const name = (m: string) => (root === undefined ? m : relative(root, m));
  const run =
    target.start === 'exported-main'
      ? [
          `  const entry = require(${JSON.stringify(target.entry)});`,
          `  if (typeof entry.main !== 'function') throw new Error(${JSON.stringify(`${name(target.entry)} exports no main(argv)`)});`,
          '  Promise.resolve()',
          '    .then(() => entry.main(process.argv.slice(2)))',
          '    .then(',
          '      (code) => { process.exitCode = code; },',
          `      (error) => { process.stderr.write(${JSON.stringify(`${target.name}: internal error: `)} + String((error && error.stack) || error) + '\\n'); process.exitCode = 2; },`,
          '    );',
        ]
      : [`  require(${JSON.stringify(target.entry)});`];
  return [
    "'use strict';",
    "const { startupSnapshot } = require('node:v8');",
    '// Evaluated while the snapshot is built: the binary starts with these modules loaded.',
    'const preload = [',
    ...preload.map((m) => `  [${JSON.stringify(name(m))}, () => require(${JSON.stringify(m)})],`),
    '];',
    'for (const [name, load] of preload) {',
    '  try {',
    '    load();',
    '  } catch (error) {',
    `    process.stderr.write(${JSON.stringify(`${LEFT_OUT} `)} + name + ': ' + String((error && error.message) || error).split('\\n')[0] + '\\n');`,
    '  }',
    '}',
    'startupSnapshot.setDeserializeMainFunction(() => {',
    ...run,
    '});',
    '',
  ].join('\n');
}

export interface BundleResult {
  readonly code: string;
  /** Modules in the bundle, relative to the checkout. */
  readonly modules: readonly string[];
  /** Built-ins replaced by deferred stand-ins. */
  readonly deferred: readonly string[];
  readonly warnings: readonly string[];
}

function failOn(result: { errors: esbuild.Message[] }, what: string): void {
  if (result.errors.length > 0) throw new Error(`esbuild (${what}): ${result.errors.map((e) => `${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`).join('\n')}`);
}

/** Bundles one binary: a first pass finds every reachable module, the second bundles the snapshot entry. */
export async function bundleBinary(root: string, target: BinaryTarget): Promise<BundleResult> {
  const used = new Set<string>();
  const graph = await esbuild.build({ ...COMMON, absWorkingDir: root, entryPoints: [target.entry], write: false, metafile: true, plugins: [deferredBuiltinsPlugin(used)] });
  failOn(graph, `${target.name} module graph`);
  const modules = Object.keys(graph.metafile.inputs)
    .filter((input) => !input.includes(':') && /\.(c?js|json)$/.test(input))
    .sort()
    .map((input) => `${root}/${input}`);
  const final = await esbuild.build({
    ...COMMON,
    absWorkingDir: root,
    stdin: { contents: snapshotEntrySource(target, modules, root), resolveDir: root, sourcefile: `${target.name}.snapshot-entry.js`, loader: 'js' },
    write: false,
    plugins: [deferredBuiltinsPlugin(used)],
  });
  failOn(final, `${target.name} bundle`);
  const output = final.outputFiles?.[0];
  if (!output) throw new Error(`esbuild (${target.name}): no output`);
  return {
    code: output.text,
    modules: modules.map((m) => relative(root, m)),
    deferred: [...used].sort(),
    warnings: [...graph.warnings, ...final.warnings].map((w) => `${w.location ? `${w.location.file}:${w.location.line}: ` : ''}${w.text}`),
  };
}
